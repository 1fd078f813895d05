import { Sha256 } from '@aws-crypto/sha256-js';
import {
  asyncInterceptor,
  type HttpRequestSpec,
  type TransportInterceptor,
} from '@llm-lens/providers-core';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from './bedrock-credentials.js';

/**
 * The SigV4 signing name of Bedrock Runtime. Not `bedrock-runtime`, which a helper would
 * guess from the host name: AWS rejects that scope with 403.
 */
export const BEDROCK_SIGNING_SERVICE = 'bedrock';

/** Options of {@link createSigV4Signer}. */
export interface SigV4SignerOptions {
  region: string;
  credentials: AwsCredentials;
  /** The signing clock. Default: the system clock (`new Date()`). */
  now?: () => Date;
}

/**
 * Signs a request with AWS Signature Version 4 for Bedrock (`Authorization`, `x-amz-date`,
 * and `x-amz-security-token` for temporary keys) over every header it carries, as it will be
 * sent. The path is signed as written and escaped once more for the canonical request, as
 * AWS requires: a model id's `:` travels as `%3A` and is signed as `%253A`.
 */
export function createSigV4Signer(
  options: SigV4SignerOptions,
): (spec: HttpRequestSpec) => Promise<HttpRequestSpec> {
  const signer = new SignatureV4({
    service: BEDROCK_SIGNING_SERVICE,
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const now = options.now ?? (() => new Date());
  return async (spec) => {
    const url = new URL(spec.url);
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of url.searchParams) {
      const previous = query[key];
      if (previous === undefined) query[key] = value;
      else query[key] = Array.isArray(previous) ? [...previous, value] : [previous, value];
    }
    const signed = await signer.sign(
      {
        method: spec.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port === '' ? {} : { port: Number(url.port) }),
        path: url.pathname,
        query,
        // The Host header is signed; the HTTP client writes the same value from the URL.
        headers: { ...spec.headers, host: url.host },
        body: spec.body,
      },
      { signingDate: now() },
    );
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) {
      if (name !== 'host') headers[name] = value;
    }
    return { ...spec, headers };
  };
}

/**
 * A transport interceptor that signs every request with SigV4 just before it is sent, so
 * the signature is fresh on a retry and its cost falls in send_delay, not in ttfb.
 */
export function sigV4Interceptor(options: SigV4SignerOptions): TransportInterceptor {
  return asyncInterceptor(createSigV4Signer(options));
}
