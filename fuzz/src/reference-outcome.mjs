/**
 * The parts of a reference decoder that every protocol shares: the contract's count bounds,
 * the HTTP checks made before a body is read as a stream, the check of one usage report's
 * counts, and the `ok` outcome built from the text and usage a stream carried. A protocol
 * module keeps only what its wire format decides (events, end markers, error payloads).
 */
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { headerValue, readHttpResponse } from './http-reference.mjs';

/** Largest token count a usage report may carry (the contract's bound), inclusive. */
export const MAX_TOKEN_COUNT = 1e9;
/** Longest run of non-whitespace characters whose token count the product must get exact. */
export const MAX_EXACT_WORD_CHARS = 256;

/** The error class of an HTTP status that is not 2xx. */
export function classOfStatus(status) {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout_total';
  if (status >= 500 && status <= 599) return 'server_error';
  if (status >= 400 && status <= 499) return 'client_error';
  // 3xx (redirects are not followed) and anything outside 100–599.
  return 'protocol';
}

export const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
export const stringOr = (value) => (typeof value === 'string' ? value : '');
/** The first 60 characters of `text`, quoted for a reason. */
export const snippet = (text) => JSON.stringify(text.slice(0, 60));

/** cl100k_base tokens of `text`, special-token text counted as plain text. */
export const countText = (text) =>
  text.length === 0 ? 0 : countTokens(text, { disallowedSpecial: new Set() });

/**
 * Why a usage report must be ignored, or undefined when it can be used: the first of
 * `counts` (`{ field: value }`, in the order they are checked) that is present (not
 * undefined or null) and not a whole number from 0 to MAX_TOKEN_COUNT.
 */
export function countsProblem(counts) {
  for (const [field, value] of Object.entries(counts)) {
    if (value === undefined || value === null) continue;
    if (
      typeof value !== 'number' ||
      !Number.isSafeInteger(value) ||
      value < 0 ||
      value > MAX_TOKEN_COUNT
    ) {
      return `${field} ${JSON.stringify(value)}`;
    }
  }
  return undefined;
}

/**
 * Reads the HTTP response in `bytes` and gives the outcome it decides before its body is
 * read: a response that is not valid HTTP, or a status outside 2xx, classed by
 * `classOfHttpStatus(status, http)`. Otherwise the response and its media type.
 * @returns {{ outcome: import('./protocols/openai-chat.mjs').Outcome } | { http: object, mediaType: string }}
 */
export function readStreamingResponse(bytes, ending, classOfHttpStatus = classOfStatus) {
  const http = readHttpResponse(bytes, ending);
  if (http.kind === 'failed') {
    return { outcome: { errorClass: http.errorClass, reason: http.reason } };
  }
  if (http.status < 200 || http.status > 299) {
    return {
      outcome: { errorClass: classOfHttpStatus(http.status, http), reason: `HTTP ${http.status}` },
    };
  }
  return { http, mediaType: mediaTypeOf(http) };
}

/** Whether the response's body is delimited by the end of the connection. */
export function isCloseDelimited(http) {
  const encoding = headerValue(http, 'transfer-encoding');
  if (encoding !== undefined) return !/(^|,)\s*chunked\s*$/i.test(encoding);
  return headerValue(http, 'content-length') === undefined;
}

/** The `protocol` outcome of a Content-Encoding the client did not ask for, or undefined. */
export function unrequestedEncoding(http) {
  const encoding = headerValue(http, 'content-encoding');
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    return { errorClass: 'protocol', reason: `an unrequested Content-Encoding ${encoding}` };
  }
  return undefined;
}

/** The response's media type, lower case and without parameters ('' when there is none). */
export function mediaTypeOf(http) {
  return (headerValue(http, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * The `ok` outcome of a stream that reached its end marker. Output tokens: the last valid
 * reported count; else none (`null`) when no token event came; else the tokenizer's count of
 * each text alone, summed, unless a text holds a word long enough that the product may
 * estimate it (then undefined: not compared).
 * @param {{ reason: string, tokenEvents: number, outputTokens: number | undefined,
 *   usageIgnored: string | undefined, texts: string[] }} stream
 * @returns {import('./protocols/openai-chat.mjs').Outcome}
 */
export function okOutcome({ reason, tokenEvents, outputTokens, usageIgnored, texts }) {
  const longWord = new RegExp(`\\S{${MAX_EXACT_WORD_CHARS + 1},}`);
  const mayEstimate = texts.some((text) => longWord.test(text));
  const outcome = {
    errorClass: 'ok',
    reason,
    tokenEvents,
    outputTokens: undefined,
    outputTokensSource: 'estimate',
    usageIgnored,
  };
  if (typeof outputTokens === 'number') {
    outcome.outputTokens = outputTokens;
    outcome.outputTokensSource = 'usage';
  } else if (tokenEvents === 0) {
    // Nothing was generated and nothing reported: no count at all, not a count of 0.
    outcome.outputTokens = null;
    outcome.outputTokensSource = 'none';
  } else if (!mayEstimate) {
    let total = 0;
    for (const text of texts) total += countText(text);
    outcome.outputTokens = total;
    outcome.outputTokensSource = 'tokenizer';
  }
  return outcome;
}
