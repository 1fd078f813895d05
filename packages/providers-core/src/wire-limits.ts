import { LensProviderError } from './provider-error.js';

/**
 * Default cap on one event of a response body (an SSE line or event, a whole non-streaming
 * JSON body), bytes. Real chunks are a few hundred bytes and whole completions rarely reach
 * 1 MiB; without a cap, one endless `data:` line grew the client to 1.9 GB.
 */
export const DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;

/**
 * Largest token count a server may report, inclusive. No context window comes near it, and
 * a billion tokens per request keeps sums over millions of requests far below 2^53, so
 * totals stay exact.
 */
export const MAX_TOKEN_COUNT = 1_000_000_000;

/** Longest server error message kept (in a StreamErrorPayload, a record, a summary), characters. */
export const MAX_ERROR_MESSAGE_CHARS = 1000;

/** Characters of a rejected value quoted in a message. */
const QUOTED_CHARS = 20;

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > QUOTED_CHARS ? `${value.slice(0, QUOTED_CHARS)}…` : value;
    return `${JSON.stringify(shown)} (a string)`;
  }
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * Why `value` of the usage field `field` is not a token count, or undefined when it is one
 * or is absent (`undefined` or `null`: not reported). A token count is a whole number from 0
 * to {@link MAX_TOKEN_COUNT}; strings such as `"12"` are not.
 */
export function tokenCountProblem(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    if (value >= 0 && value <= MAX_TOKEN_COUNT) return undefined;
  }
  return `${field} ${describeValue(value)} is not a token count (expected a whole number from 0 to ${MAX_TOKEN_COUNT})`;
}

/**
 * `message` cut to at most {@link MAX_ERROR_MESSAGE_CHARS} characters, ending in '…' when
 * cut, so a server's megabyte-long error text is not copied into every record.
 */
export function truncateErrorMessage(message: string): string {
  if (message.length <= MAX_ERROR_MESSAGE_CHARS) return message;
  let end = MAX_ERROR_MESSAGE_CHARS - 1;
  // Never split a surrogate pair: half an emoji would be an invalid string in JSON output.
  const last = message.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${message.slice(0, end)}…`;
}

/**
 * The protocol error for a response piece (`what`: "an event-stream line or event", "an
 * OpenAI response body") over the `maxEventBytes` limit.
 */
export function eventSizeError(what: string, maxEventBytes: number): LensProviderError {
  return new LensProviderError(
    'LENS_PROVIDER_PROTOCOL',
    `${what} exceeded the maximum event size of ${maxEventBytes} bytes (raise it with --max-event-bytes / max_event_bytes if the server really sends events this large)`,
    { errorClass: 'protocol' },
  );
}

/** `maxEventBytes` checked once, when a decoder is built: a whole number above 0. */
export function checkMaxEventBytes(maxEventBytes: number): number {
  if (!Number.isSafeInteger(maxEventBytes) || maxEventBytes <= 0) {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `the maximum event size must be a whole number of bytes above 0 (--max-event-bytes / max_event_bytes), got ${maxEventBytes}`,
      { errorClass: 'client_error' },
    );
  }
  return maxEventBytes;
}
