// An independent SigV4 check with node:crypto, written from AWS's specification
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), so tests do
// not verify @smithy/signature-v4 with itself.
import { createHash, createHmac } from 'node:crypto';

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 3986 escaping of one path segment, as SigV4 does it. */
function uriEncode(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The parts of a SigV4 Authorization header. */
export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(authorization: string): ParsedAuthorization | undefined {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (match === null) return undefined;
  return {
    accessKeyId: match[1]!,
    date: match[2]!,
    region: match[3]!,
    service: match[4]!,
    signedHeaders: match[5]!.split(';'),
    signature: match[6]!,
  };
}

/** The signature a request should carry. `escapePathTwice` false shows what single escaping gives. */
export function expectedSignature(
  request: {
    method: string;
    /** The path as sent on the wire (already percent-encoded), without the query. */
    path: string;
    headers: Readonly<Record<string, string | string[] | undefined>>;
    body: string;
  },
  secretAccessKey: string,
  escapePathTwice = true,
): string {
  const authorization = parseAuthorization(String(request.headers.authorization));
  if (authorization === undefined) throw new Error('no SigV4 Authorization header');
  const amzDate = String(request.headers['x-amz-date']);
  const path = escapePathTwice ? request.path.split('/').map(uriEncode).join('/') : request.path;
  const canonicalHeaders = authorization.signedHeaders
    .map((name) => `${name}:${String(request.headers[name]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    path,
    '',
    canonicalHeaders,
    authorization.signedHeaders.join(';'),
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${authorization.date}/${authorization.region}/${authorization.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const dateKey = hmac(`AWS4${secretAccessKey}`, authorization.date);
  const signingKey = hmac(
    hmac(hmac(dateKey, authorization.region), authorization.service),
    'aws4_request',
  );
  return hmac(signingKey, stringToSign).toString('hex');
}
