import type { ErrorClass, ErrorClassification, StreamErrorPayload } from '@llm-lens/providers-core';

// An API we have never heard of names its errors its own way; these patterns catch the
// usual spellings (rate_limit_exceeded, RateLimitError, too_many_requests, overloaded...).
const RATE_LIMITED = /rate.?limit|too.?many.?requests|quota|throttl/i;
const AUTH = /auth|permission|forbidden|api.?key|credential/i;
const CLIENT = /invalid.?request|bad.?request|not.?found|context.?length|validation/i;

function statusOf(code: StreamErrorPayload['code']): number | undefined {
  if (typeof code === 'number') return code;
  return typeof code === 'string' && /^\d{3}$/.test(code) ? Number(code) : undefined;
}

function classOf(error: StreamErrorPayload): ErrorClass {
  const status = statusOf(error.code);
  const names = [error.type, typeof error.code === 'string' ? error.code : undefined].filter(
    (name): name is string => name !== undefined,
  );
  if (status === 429 || names.some((name) => RATE_LIMITED.test(name))) return 'rate_limited';
  if (status === 401 || status === 403 || names.some((name) => AUTH.test(name))) return 'auth';
  if (
    (status !== undefined && status >= 400 && status <= 499) ||
    names.some((name) => CLIENT.test(name))
  ) {
    return 'client_error';
  }
  // The server said generation failed after it had started answering: a server failure,
  // whatever it calls it, not a wire-format problem.
  return 'server_error';
}

/**
 * Classifies an error the `error` selector found inside a 2xx response, from its `type` and
 * `code`: 429 and rate-limit names → rate_limited; 401/403 and auth names → auth; other 4xx
 * and invalid-request names → client_error; anything else → server_error.
 */
export function classifyGenericStreamError(error: StreamErrorPayload): ErrorClassification {
  const details: string[] = [];
  if (error.type !== undefined) details.push(`type ${error.type}`);
  if (error.code !== undefined) details.push(`code ${error.code}`);
  const suffix = details.length === 0 ? '' : ` (${details.join(', ')})`;
  return { errorClass: classOf(error), message: `error in stream: ${error.message}${suffix}` };
}
