import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  classifyHttpStatus,
  classifyTransportError,
  parseRetryAfterMs,
} from './error-classification.js';
import { LensProviderError } from './provider-error.js';

const openAiError = (message: string, type = 'invalid_request_error'): string =>
  JSON.stringify({ error: { message, type, param: null, code: null } });

// undici's typings omit the constructor's third argument (the unparsed bytes, kept as `data`)
// and claim a string `code`, which undici 7 leaves undefined.
const HTTPParserError = undiciErrors.HTTPParserError as unknown as new (
  message: string,
  code: string | undefined,
  data: Buffer,
) => Error & { code?: string };

/** An undici 7 HTTPParserError as client-h1.js builds it. */
function parserError(reason: string, data: string): Error & { code?: string } {
  return new HTTPParserError(
    `Response does not match the HTTP/1.1 protocol (${reason})`,
    undefined,
    Buffer.from(data),
  );
}

function codedError(code: string, message = code, name = 'Error'): Error {
  const error = new Error(message) as Error & { code: string };
  error.code = code;
  error.name = name;
  return error;
}

describe('classifyHttpStatus', () => {
  it('classifies 429 as rate_limited with the wait from Retry-After seconds', () => {
    const result = classifyHttpStatus(
      429,
      { 'retry-after': '20' },
      openAiError('Rate limit reached for gpt-4o', 'requests'),
    );
    expect(result).toEqual({
      errorClass: 'rate_limited',
      message: 'HTTP 429: Rate limit reached for gpt-4o; retry after 20 s',
    });
  });

  it('prefers retry-after-ms over Retry-After', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '1500.5', 'retry-after': '2' })).toBe(1500.5);
    const result = classifyHttpStatus(429, { 'retry-after-ms': '1500.5', 'retry-after': '2' }, '');
    expect(result.message).toContain('retry after 1.5 s');
  });

  it('reads an HTTP-date Retry-After relative to the given clock', () => {
    const nowMs = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    const result = classifyHttpStatus(
      503,
      { 'Retry-After': 'Wed, 21 Oct 2015 07:28:30 GMT' },
      'busy',
      { nowMs },
    );
    expect(result.errorClass).toBe('server_error');
    expect(result.message).toContain('retry after 30 s');
  });

  it('ignores an unparseable Retry-After and clamps a past date to zero', () => {
    expect(parseRetryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': 'Thu, 01 Jan 1970 00:00:00 GMT' }, 5_000)).toBe(0);
    expect(parseRetryAfterMs({ 'retry-after': ['3', '4'] })).toBe(3_000);
  });

  it('says when a 429 is a self-hosted server at its concurrency limit', () => {
    const body = JSON.stringify({ error: 'Model is overloaded', error_type: 'overloaded' });
    const result = classifyHttpStatus(429, {}, body);
    expect(result.errorClass).toBe('rate_limited');
    expect(result.message).toBe(
      'HTTP 429: Model is overloaded (the server is at its own concurrency limit, not an account rate limit)',
    );
  });

  it('classifies 401 and 403 as auth and names the provider in the hint', () => {
    const result = classifyHttpStatus(401, {}, openAiError('Incorrect API key provided: sk-***'), {
      providerLabel: 'openai',
    });
    expect(result).toEqual({
      errorClass: 'auth',
      message:
        'HTTP 401: Incorrect API key provided: sk-*** (check the API key and its permissions for openai)',
      persistent: true,
    });
    expect(classifyHttpStatus(403, {}, 'forbidden').errorClass).toBe('auth');
  });

  it('classifies 408 as timeout_total', () => {
    expect(classifyHttpStatus(408, {}, '').errorClass).toBe('timeout_total');
  });

  it('classifies 500, 503 and 529 as server_error and other 4xx as client_error', () => {
    expect(classifyHttpStatus(500, {}, '').errorClass).toBe('server_error');
    expect(classifyHttpStatus(503, {}, '').errorClass).toBe('server_error');
    const overloaded = JSON.stringify({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    expect(classifyHttpStatus(529, {}, overloaded)).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 529: Overloaded',
    });
    expect(classifyHttpStatus(400, {}, openAiError('max_tokens is too large')).message).toBe(
      'HTTP 400: max_tokens is too large',
    );
    expect(classifyHttpStatus(404, {}, '').errorClass).toBe('client_error');
  });

  it('classifies an unfollowed redirect as protocol', () => {
    expect(classifyHttpStatus(302, {}, '').errorClass).toBe('protocol');
  });

  it('uses string errors, top-level message and detail fields of JSON bodies', () => {
    expect(classifyHttpStatus(404, {}, '{"error":"model \\"x\\" not found"}').message).toBe(
      'HTTP 404: model "x" not found',
    );
    expect(classifyHttpStatus(400, {}, '{"object":"error","message":"bad"}').message).toBe(
      'HTTP 400: bad',
    );
    expect(classifyHttpStatus(404, {}, '{"detail":"Not Found"}').message).toBe(
      'HTTP 404: Not Found',
    );
    expect(
      classifyHttpStatus(400, {}, '[{"error":{"code":400,"message":"API key not valid"}}]').message,
    ).toBe('HTTP 400: API key not valid');
  });

  it('falls back to the first 200 characters of a non-JSON body on one line', () => {
    const html = `<html>\n<body>${'x'.repeat(300)}</body></html>`;
    const result = classifyHttpStatus(502, {}, html);
    expect(result.message).toBe(`HTTP 502: ${`<html> <body>${'x'.repeat(300)}`.slice(0, 200)}`);
    expect(classifyHttpStatus(502, {}, '{"truncated": ').message).toBe('HTTP 502: {"truncated":');
    expect(classifyHttpStatus(500, {}, '  ').message).toBe('HTTP 500: empty response body');
  });
});

describe('classifyTransportError', () => {
  const before = { afterHeaders: false };
  const after = { afterHeaders: true };

  it('maps undici timeouts to the matching timeout classes', () => {
    expect(classifyTransportError(codedError('UND_ERR_CONNECT_TIMEOUT'), before).errorClass).toBe(
      'timeout_connect',
    );
    expect(classifyTransportError(codedError('UND_ERR_HEADERS_TIMEOUT'), before).errorClass).toBe(
      'timeout_ttft',
    );
    expect(classifyTransportError(codedError('UND_ERR_BODY_TIMEOUT'), after).errorClass).toBe(
      'timeout_idle',
    );
  });

  it('maps aborts to cancelled and an AbortSignal.timeout expiry to timeout_total', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(classifyTransportError(abort, after).errorClass).toBe('cancelled');
    expect(classifyTransportError(codedError('UND_ERR_ABORTED'), before).errorClass).toBe(
      'cancelled',
    );
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyTransportError(timeout, after).errorClass).toBe('timeout_total');
  });

  it('maps connection failures before headers to network with an actionable message', () => {
    const refused = codedError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9');
    expect(classifyTransportError(refused, before)).toEqual({
      errorClass: 'network',
      message:
        'connection refused (is the server running, and are host and port right?): connect ECONNREFUSED 127.0.0.1:9 (ECONNREFUSED)',
      persistent: true,
    });
    for (const code of ['ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'UND_ERR_SOCKET']) {
      expect(classifyTransportError(codedError(code), before).errorClass).toBe('network');
      // Only what a retry meets again is persistent: a refused port, an unknown host.
      expect(classifyTransportError(codedError(code), before).persistent).toBe(
        code === 'ENOTFOUND' ? true : undefined,
      );
    }
    expect(
      classifyTransportError(codedError('ERR_TLS_CERT_ALTNAME_INVALID'), before).errorClass,
    ).toBe('network');
  });

  it('reads the code of an AggregateError from its first error', () => {
    const aggregate = new AggregateError([codedError('ECONNREFUSED'), codedError('ECONNREFUSED')]);
    expect(classifyTransportError(aggregate, before).errorClass).toBe('network');
    expect(classifyTransportError(aggregate, before).message).toContain('(ECONNREFUSED)');
  });

  it('maps resets and premature closes after headers to stream_interrupted', () => {
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']) {
      expect(classifyTransportError(codedError(code), after).errorClass).toBe('stream_interrupted');
    }
  });

  it('maps a request undici refuses to send to client_error', () => {
    expect(
      classifyTransportError(codedError('UND_ERR_INVALID_ARG', 'invalid x-a header'), before),
    ).toEqual({
      errorClass: 'client_error',
      message: 'invalid request: invalid x-a header (UND_ERR_INVALID_ARG)',
      persistent: true,
    });
  });

  it('maps malformed HTTP to protocol', () => {
    expect(
      classifyTransportError(
        codedError('HPE_INVALID_CHUNK_SIZE', 'Parse Error: Invalid character in chunk size'),
        after,
      ),
    ).toEqual({
      errorClass: 'protocol',
      message:
        'malformed HTTP response: Parse Error: Invalid character in chunk size (HPE_INVALID_CHUNK_SIZE)',
    });
  });

  it('maps undici 7 HTTPParserError (no code) to protocol with its reason, before or after headers', () => {
    const error = parserError('Invalid header token', ' text/plain\r\nContent-Length: 2\r\n\r\nok');
    expect(error.code).toBeUndefined();
    const expected = {
      errorClass: 'protocol',
      message:
        'malformed HTTP response: Invalid header token at " text/plain\\r\\nContent-Length: 2\\r\\n\\r\\nok"',
    };
    expect(classifyTransportError(error, before)).toEqual(expected);
    // A bad chunk size arrives after the headers: still protocol, not stream_interrupted.
    expect(classifyTransportError(error, after)).toEqual(expected);
    // Wrapped, as fetch and interceptors do.
    const wrapped = new TypeError('fetch failed', { cause: error });
    expect(classifyTransportError(wrapped, after)).toEqual(expected);
  });

  it('calls a response that is not HTTP at all protocol, persistent, with a hint', () => {
    const banner = parserError('Expected HTTP/, RTSP/ or ICE/', 'SSH-2.0-OpenSSH_9.6\r\n');
    expect(classifyTransportError(banner, before)).toEqual({
      errorClass: 'protocol',
      message:
        'malformed HTTP response: Expected HTTP/, RTSP/ or ICE/ at "SSH-2.0-OpenSSH_9.6\\r\\n" (is something other than an HTTP/1.1 server listening at this address?)',
      persistent: true,
    });
  });

  it('maps header overflow, response size and unsolicited interim responses to protocol', () => {
    const overflow = classifyTransportError(new undiciErrors.HeadersOverflowError(), before);
    expect(overflow.errorClass).toBe('protocol');
    expect(overflow.message).toMatch(
      /^malformed HTTP response: the response headers were too large \(over \d+ bytes, Node's --max-http-header-size\) \(UND_ERR_HEADERS_OVERFLOW\)$/,
    );
    const tooBig = classifyTransportError(new undiciErrors.ResponseExceededMaxSizeError(), after);
    expect(tooBig.errorClass).toBe('protocol');
    expect(tooBig.message).toContain('(UND_ERR_RES_EXCEEDED_MAX_SIZE)');
    const continued = classifyTransportError(new undiciErrors.SocketError('bad response'), before);
    expect(continued).toEqual({
      errorClass: 'protocol',
      message:
        'malformed HTTP response: the server sent an interim 100 Continue the request did not ask for, which the HTTP client (undici 7) cannot skip (bad response) (UND_ERR_SOCKET)',
    });
    const upgrade = classifyTransportError(new undiciErrors.SocketError('bad upgrade'), before);
    expect(upgrade.errorClass).toBe('protocol');
    expect(upgrade.message).toContain('switched protocols');
    // Any other socket error is still the connection's fault.
    expect(
      classifyTransportError(new undiciErrors.SocketError('other side closed'), before).errorClass,
    ).toBe('network');
  });

  it('reads a Content-Length mismatch before the headers as bad headers, after them as a cut body', () => {
    const mismatch = new undiciErrors.ResponseContentLengthMismatchError();
    expect(classifyTransportError(mismatch, before)).toEqual({
      errorClass: 'protocol',
      message:
        'malformed HTTP response: invalid headers after a Content-Length header, such as duplicate or conflicting Content-Length values (UND_ERR_RES_CONTENT_LENGTH_MISMATCH)',
    });
    expect(classifyTransportError(mismatch, after)).toEqual({
      errorClass: 'stream_interrupted',
      message:
        'stream interrupted, the body ended before its Content-Length: Response body length does not match content-length header (UND_ERR_RES_CONTENT_LENGTH_MISMATCH)',
    });
  });

  it('keeps the class a LensProviderError carries, or derives it from the code', () => {
    const protocolError = new LensProviderError('LENS_PROVIDER_PROTOCOL', 'bad JSON in stream');
    expect(classifyTransportError(protocolError, after)).toEqual({
      errorClass: 'protocol',
      message: 'bad JSON in stream',
    });
    const withClass = new LensProviderError('LENS_PROVIDER_TRANSPORT', 'cut', {
      errorClass: 'stream_interrupted',
    });
    expect(classifyTransportError(withClass, before).errorClass).toBe('stream_interrupted');
  });

  it('counts an unknown error as network before headers and stream_interrupted after', () => {
    expect(classifyTransportError(new Error('boom'), before)).toEqual({
      errorClass: 'network',
      message: 'request failed: boom',
    });
    expect(classifyTransportError('boom', after).errorClass).toBe('stream_interrupted');
  });
});

describe('LensProviderError', () => {
  it('carries a stable code, an optional class and the cause', () => {
    const cause = new Error('inner');
    const error = new LensProviderError('LENS_PROVIDER_AUTH', 'missing key', {
      errorClass: 'auth',
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('LensProviderError');
    expect(error.code).toBe('LENS_PROVIDER_AUTH');
    expect(error.errorClass).toBe('auth');
    expect(error.cause).toBe(cause);
    expect(new LensProviderError('LENS_PROVIDER_CONFIG', 'x').errorClass).toBeUndefined();
  });
});

describe('persistent failures', () => {
  it('marks statuses an identical request gets again, and only those', () => {
    for (const status of [400, 401, 403, 404, 405, 413, 415, 422]) {
      expect(classifyHttpStatus(status, {}, '').persistent).toBe(true);
    }
    for (const status of [408, 409, 429, 500, 502, 503, 529]) {
      expect(classifyHttpStatus(status, {}, '').persistent).toBeUndefined();
    }
  });
});
