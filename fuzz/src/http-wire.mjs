/**
 * Builds the bytes of HTTP/1.1 responses: a head, and a body framed by Content-Length,
 * chunked transfer coding, or the end of the connection (RFC 9112 §6).
 */

/**
 * @typedef {'close' | 'length' | 'chunked'} Framing
 *
 * @typedef {object} ResponseSpec
 * @property {number} [status] default 200
 * @property {string} [reason] default from the status
 * @property {Array<[string, string]>} [headers] sent as given, before the framing header
 * @property {Framing} [framing] default 'length'
 * @property {number} [declaredLength] Content-Length to declare; default the body's length
 * @property {number[]} [chunkSizes] sizes of the chunks, cycled; default one chunk
 */

const REASONS = {
  100: 'Continue',
  200: 'OK',
  302: 'Found',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** The status line and header block, CRLF-terminated. */
export function responseHead(status, headers, reason = REASONS[status] ?? 'Status') {
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  return Buffer.from(`${head}\r\n`, 'latin1');
}

/**
 * Chunked coding of `body`, and where each body byte landed on the wire (so a cut can be
 * placed inside the chunk data that carries a given body offset).
 * @param {Buffer} body
 * @param {number[]} sizes chunk sizes, cycled; zeros are skipped
 * @param {boolean} [withTerminator] append the last-chunk and the final CRLF (default true)
 */
export function encodeChunked(body, sizes = [body.length], withTerminator = true) {
  const parts = [];
  /** wireOffsets[i]: wire offset of body byte i, for i < body.length; [body.length]: the end. */
  const wireOffsets = new Array(body.length + 1);
  let wire = 0;
  let at = 0;
  let turn = 0;
  while (at < body.length) {
    const size = Math.min(Math.max(1, sizes[turn++ % sizes.length] || 1), body.length - at);
    const header = Buffer.from(`${size.toString(16)}\r\n`, 'latin1');
    parts.push(header);
    wire += header.length;
    for (let i = 0; i < size; i++) wireOffsets[at + i] = wire + i;
    parts.push(body.subarray(at, at + size), Buffer.from('\r\n'));
    at += size;
    wire += size + 2;
  }
  // A cut "at the end" of the body stops after the last data byte, before its CRLF.
  wireOffsets[body.length] = body.length === 0 ? wire : wireOffsets[body.length - 1] + 1;
  if (withTerminator) parts.push(Buffer.from('0\r\n\r\n'));
  return { bytes: Buffer.concat(parts), wireOffsets };
}

/**
 * A whole response: head and framed body.
 * @param {Buffer} body
 * @param {ResponseSpec} [spec]
 */
export function buildResponse(body, spec = {}) {
  const status = spec.status ?? 200;
  const framing = spec.framing ?? 'length';
  const headers = [...(spec.headers ?? [])];
  if (framing === 'length')
    headers.push(['Content-Length', String(spec.declaredLength ?? body.length)]);
  if (framing === 'chunked') headers.push(['Transfer-Encoding', 'chunked']);
  if (framing === 'close') headers.push(['Connection', 'close']);
  const head = responseHead(status, headers, spec.reason);
  const framed = framing === 'chunked' ? encodeChunked(body, spec.chunkSizes).bytes : body;
  return Buffer.concat([head, framed]);
}
