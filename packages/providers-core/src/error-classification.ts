import { maxHeaderSize } from 'node:http';
import type { ErrorClass } from '@llm-lens/core-timing';
import type { ErrorClassification, ResponseHeaders } from './provider.js';
import { LensProviderError } from './provider-error.js';

/** Options of {@link classifyHttpStatus}. */
export interface ClassifyHttpStatusOptions {
  /** Provider label used in the hint of auth errors, e.g. `openai`. Default: none. */
  providerLabel?: string;
  /** Current wall-clock time, epoch ms, for an HTTP-date `Retry-After`. Default: `Date.now()`. */
  nowMs?: number;
}

/** Longest server error text kept in a message, characters. */
const MAX_DETAIL_CHARS = 200;

function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    // Node and undici lower-case names; a hand-built header object may not.
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        value = headers[key];
        break;
      }
    }
  }
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The server-requested wait, in ms: `retry-after-ms` (OpenAI, fractional milliseconds) wins
 * over `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date).
 */
export function parseRetryAfterMs(
  headers: ResponseHeaders,
  nowMs: number = Date.now(),
): number | undefined {
  const ms = headerValue(headers, 'retry-after-ms');
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Number(ms);
  const value = headerValue(headers, 'retry-after');
  if (value === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const dateMs = Date.parse(value);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function messageOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.message === 'string') return record.message;
  }
  return undefined;
}

/**
 * The server's own error text: `error.message` of a JSON body (OpenAI, Anthropic, Gemini),
 * `error` as a string (TGI, Ollama), `message` or `detail` (FastAPI servers such as vLLM);
 * otherwise the start of the raw body.
 */
function serverDetail(body: string): { detail: string; errorType?: string } {
  const trimmed = body.trim();
  if (trimmed.length === 0) return { detail: 'empty response body' };
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      let parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) parsed = parsed[0];
      if (parsed !== null && typeof parsed === 'object') {
        const record = parsed as Record<string, unknown>;
        const message =
          messageOf(record.error) ?? messageOf(record) ?? messageOf({ message: record.detail });
        if (message !== undefined && message.length > 0) {
          const error = record.error as Record<string, unknown> | undefined;
          const errorType =
            (typeof error === 'object' && error !== null && typeof error.type === 'string'
              ? error.type
              : undefined) ??
            (typeof record.error_type === 'string' ? record.error_type : undefined);
          const detail = oneLine(message).slice(0, MAX_DETAIL_CHARS * 5);
          return errorType === undefined ? { detail } : { detail, errorType };
        }
      }
    } catch {
      // Not JSON after all (a truncated body): fall through to the raw text.
    }
  }
  return { detail: oneLine(trimmed.slice(0, MAX_DETAIL_CHARS)) };
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

// Statuses an identical request gets again: bad credentials or permissions, a wrong path,
// method or model, a parameter the server refuses. Every request of a benchmark pair is
// the same request, so one of these means the rest would fail the same way.
const PERSISTENT_STATUSES = new Set([400, 401, 403, 404, 405, 413, 415, 422]);

/**
 * Classifies a non-2xx response. 429 → rate_limited; 401/403 → auth; 408 → timeout_total
 * (a gateway or server gave up on the whole request: retryable like our own total timeout,
 * unlike client_error); 529 and 5xx → server_error; other 4xx → client_error; anything else
 * (an unfollowed 3xx, a 1xx) → protocol. The message says how long to wait whenever the server
 * sent `Retry-After` or `retry-after-ms`, whatever the status (503 often carries it too).
 */
export function classifyHttpStatus(
  status: number,
  headers: ResponseHeaders,
  body: string,
  options: ClassifyHttpStatusOptions = {},
): ErrorClassification {
  const { detail, errorType } = serverDetail(body);
  const retryAfterMs = parseRetryAfterMs(headers, options.nowMs);
  let errorClass: ErrorClass;
  let hint = '';
  if (status === 429) {
    errorClass = 'rate_limited';
    // TGI and other self-hosted servers answer 429 when their own request queue is full.
    if (errorType === 'overloaded' || /overloaded|concurren/i.test(detail)) {
      hint = ' (the server is at its own concurrency limit, not an account rate limit)';
    }
  } else if (status === 401 || status === 403) {
    errorClass = 'auth';
    const target = options.providerLabel === undefined ? '' : ` for ${options.providerLabel}`;
    hint = ` (check the API key and its permissions${target})`;
  } else if (status === 408) {
    errorClass = 'timeout_total';
    hint = ' (the server or a gateway timed out the request)';
  } else if (status >= 500 && status <= 599) {
    errorClass = 'server_error';
  } else if (status >= 400 && status <= 499) {
    errorClass = 'client_error';
  } else {
    errorClass = 'protocol';
    hint = ' (unexpected status for an API call; redirects are not followed)';
  }
  const wait = retryAfterMs === undefined ? '' : `; retry after ${formatSeconds(retryAfterMs)}`;
  const message = `HTTP ${status}: ${detail}${hint}${wait}`;
  return PERSISTENT_STATUSES.has(status)
    ? { errorClass, message, persistent: true }
    : { errorClass, message };
}

/** Options of {@link classifyTransportError}. */
export interface ClassifyTransportErrorOptions {
  /** Whether the response status and headers had arrived when the error happened. */
  afterHeaders: boolean;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

// Failures to reach the server at all that a retry a moment later meets again: nothing
// listens there, the name does not resolve, there is no route, the certificate is refused.
const PERSISTENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the server running, and are host and port right?)',
  ENOTFOUND: 'host name not found (check the base URL)',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ECONNRESET: 'connection reset by the peer',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  ERR_STREAM_PREMATURE_CLOSE: 'the response ended prematurely',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'the body ended before its Content-Length',
};

function codeOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string') return record.code;
  // fetch wraps the cause; Happy Eyeballs connects throw an AggregateError per address.
  if (Array.isArray(record.errors)) {
    const first = codeOf(record.errors[0]);
    if (first !== undefined) return first;
  }
  return record.cause === undefined ? undefined : codeOf(record.cause);
}

function nameOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** The first error of `error`'s chain (itself, its first aggregated error, its causes) that `matches`. */
function findInChain(
  error: unknown,
  matches: (candidate: object) => boolean,
): Record<string, unknown> | undefined {
  let current = error;
  // Bounded: a cause cycle must not hang the classification of a failed request.
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    if (matches(current)) return current as Record<string, unknown>;
    const record = current as { cause?: unknown; errors?: unknown };
    current = Array.isArray(record.errors) ? record.errors[0] : record.cause;
  }
  return undefined;
}

function isParserError(candidate: object): boolean {
  if (nameOf(candidate) === 'HTTPParserError') return true;
  const code = (candidate as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('HPE_');
}

/** Characters of the offending response bytes quoted in a malformed-HTTP message. */
const MALFORMED_SNIPPET_CHARS = 40;

/**
 * A response that broke HTTP/1.1, however undici reported it, or undefined. undici 7 raises
 * `HTTPParserError` (its llhttp reason in the message, the bytes from the failure on in
 * `data`, and no `code`: it looks the code up by number in a table keyed by name), and hides
 * some parser failures behind other errors: see the README's "Malformed HTTP responses".
 */
function malformedResponse(
  error: unknown,
  code: string | undefined,
  afterHeaders: boolean,
): ErrorClassification | undefined {
  const prefix = 'malformed HTTP response: ';
  const suffix = code === undefined ? '' : ` (${code})`;
  const parserError = findInChain(error, isParserError);
  if (parserError !== undefined) {
    const text = typeof parserError.message === 'string' ? parserError.message : String(error);
    // "Response does not match the HTTP/1.1 protocol (Invalid header token)": the reason.
    const reason = /\(([^()]+)\)$/.exec(text)?.[1] ?? text;
    const data = typeof parserError.data === 'string' ? parserError.data : '';
    const at =
      data.length === 0 ? '' : ` at ${JSON.stringify(data.slice(0, MALFORMED_SNIPPET_CHARS))}`;
    // The status line did not even start with "HTTP/": not an HTTP/1.x server (SSH, an
    // HTTP/2-only or TLS port, ...). Every request there fails the same way.
    if (reason.startsWith('Expected HTTP/')) {
      return {
        errorClass: 'protocol',
        message: `${prefix}${reason}${at} (is something other than an HTTP/1.1 server listening at this address?)${suffix}`,
        persistent: true,
      };
    }
    return { errorClass: 'protocol', message: `${prefix}${reason}${at}${suffix}` };
  }
  switch (code) {
    case 'UND_ERR_HEADERS_OVERFLOW':
      return {
        errorClass: 'protocol',
        message: `${prefix}the response headers were too large (over ${maxHeaderSize} bytes, Node's --max-http-header-size)${suffix}`,
      };
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return {
        errorClass: 'protocol',
        message: `${prefix}the response exceeded the client's maximum response size${suffix}`,
      };
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      // undici turns any parser failure that follows a Content-Length header into this error
      // (client-h1.js createError); before the headers were delivered no body was read, so
      // the headers themselves were bad. After them it means a body cut short: not here.
      if (afterHeaders) return undefined;
      return {
        errorClass: 'protocol',
        message: `${prefix}invalid headers after a Content-Length header, such as duplicate or conflicting Content-Length values${suffix}`,
      };
    case 'UND_ERR_SOCKET': {
      const socketError = findInChain(
        error,
        (candidate) => (candidate as { code?: unknown }).code === code,
      );
      const message = socketError?.message;
      // client-h1.js destroys the socket with these two messages when the response holds a
      // status it cannot handle; neither is a connection problem.
      if (message === 'bad response') {
        return {
          errorClass: 'protocol',
          message: `${prefix}the server sent an interim 100 Continue the request did not ask for, which the HTTP client (undici 7) cannot skip (bad response)${suffix}`,
        };
      }
      if (message === 'bad upgrade') {
        return {
          errorClass: 'protocol',
          message: `${prefix}the server switched protocols (101 Upgrade) without being asked (bad upgrade)${suffix}`,
        };
      }
    }
  }
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error && error.message.length > 0) return error.message;
  if (error instanceof AggregateError) {
    const first = (error.errors[0] as Error | undefined)?.message;
    if (first !== undefined) return first;
  }
  return String(error);
}

/**
 * Classifies a transport failure (undici or Node error, abort, decoder error). The same
 * reset means `network` before the response headers and `stream_interrupted` after them.
 * An abort is `cancelled`, except an `AbortSignal.timeout()` expiry (`TimeoutError`), which
 * is `timeout_total`.
 */
export function classifyTransportError(
  error: unknown,
  options: ClassifyTransportErrorOptions,
): ErrorClassification {
  const code = codeOf(error);
  const name = nameOf(error);
  const text = describe(error);
  const suffix = code === undefined ? '' : ` (${code})`;
  if (error instanceof LensProviderError) {
    const persistent = error.code === 'LENS_PROVIDER_AUTH' || error.code === 'LENS_PROVIDER_CONFIG';
    return {
      errorClass: error.errorClass ?? lensCodeClass(error),
      message: error.message,
      ...(persistent ? { persistent } : {}),
    };
  }
  if (name === 'TimeoutError') {
    return { errorClass: 'timeout_total', message: `request exceeded its total timeout: ${text}` };
  }
  if (name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') {
    return { errorClass: 'cancelled', message: `request cancelled: ${text}` };
  }
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return {
        errorClass: 'timeout_connect',
        message: `no connection within the connect timeout: ${text}${suffix}`,
      };
    case 'UND_ERR_HEADERS_TIMEOUT':
      return {
        errorClass: 'timeout_ttft',
        message: `no response headers within the headers timeout; raise it for slow models${suffix}`,
      };
    case 'UND_ERR_BODY_TIMEOUT':
      return {
        errorClass: 'timeout_idle',
        message: `the response body went idle longer than the body timeout${suffix}`,
      };
  }
  if (code === 'UND_ERR_INVALID_ARG') {
    // undici refused to send it (a header value with a newline, a bad method): our side.
    return {
      errorClass: 'client_error',
      message: `invalid request: ${text}${suffix}`,
      persistent: true,
    };
  }
  // Before the afterHeaders branch: a body that breaks HTTP framing is not an interruption.
  const malformed = malformedResponse(error, code, options.afterHeaders);
  if (malformed !== undefined) return malformed;
  const hint = code === undefined ? undefined : NETWORK_HINTS[code];
  const detail = hint === undefined ? text : `${hint}: ${text}`;
  if (options.afterHeaders) {
    return { errorClass: 'stream_interrupted', message: `stream interrupted, ${detail}${suffix}` };
  }
  if (code !== undefined && (NETWORK_CODES.has(code) || /CERT|SSL|TLS/.test(code))) {
    return PERSISTENT_NETWORK_CODES.has(code) || /CERT|SSL|TLS/.test(code)
      ? { errorClass: 'network', message: `${detail}${suffix}`, persistent: true }
      : { errorClass: 'network', message: `${detail}${suffix}` };
  }
  // An error without a known code before any response: still a failed exchange with the
  // server, counted as network so it is visible rather than dropped.
  return { errorClass: 'network', message: `request failed: ${detail}${suffix}` };
}

function lensCodeClass(error: LensProviderError): ErrorClass {
  switch (error.code) {
    case 'LENS_PROVIDER_AUTH':
      return 'auth';
    case 'LENS_PROVIDER_CONFIG':
      return 'client_error';
    case 'LENS_PROVIDER_HTTP':
      return 'server_error';
    case 'LENS_PROVIDER_TRANSPORT':
      return 'network';
    case 'LENS_PROVIDER_PROTOCOL':
      return 'protocol';
  }
}
