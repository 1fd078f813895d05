import type { ErrorClass, ErrorClassification, StreamErrorPayload } from '@llm-lens/providers-core';

const RATE_LIMITED = new Set([
  'rate_limit_exceeded',
  'rate_limit_error',
  'requests',
  'tokens',
  'insufficient_quota',
]);
const AUTH = new Set(['authentication_error', 'permission_error', 'invalid_api_key']);
const CLIENT = new Set([
  'invalid_request_error',
  'context_length_exceeded',
  'BadRequestError',
  'NotFoundError',
]);

function classOf(error: StreamErrorPayload): ErrorClass {
  const code = error.code;
  const numeric =
    typeof code === 'number'
      ? code
      : typeof code === 'string' && /^\d{3}$/.test(code)
        ? Number(code)
        : undefined;
  const names = [error.type, typeof code === 'string' ? code : undefined];
  if (numeric === 429 || names.some((name) => name !== undefined && RATE_LIMITED.has(name))) {
    return 'rate_limited';
  }
  if (
    numeric === 401 ||
    numeric === 403 ||
    names.some((name) => name !== undefined && AUTH.has(name))
  ) {
    return 'auth';
  }
  if (
    (numeric !== undefined && numeric >= 400 && numeric <= 499) ||
    names.some((name) => name !== undefined && CLIENT.has(name))
  ) {
    return 'client_error';
  }
  // server_error, overloaded / overloaded_error, 5xx, and anything unrecognised: the server
  // said it failed while generating. That is a server failure, not a wire-format problem,
  // so unknown types count as server_error rather than protocol.
  return 'server_error';
}

/**
 * Classifies an error object that arrived inside a 2xx OpenAI stream. Rate-limit types and
 * 429 → rate_limited; auth types and 401/403 → auth; invalid-request types and other 4xx →
 * client_error; server_error, overloaded, 5xx and unknown types → server_error.
 */
export function classifyOpenAIStreamError(error: StreamErrorPayload): ErrorClassification {
  const details: string[] = [];
  if (error.type !== undefined) details.push(`type ${error.type}`);
  if (error.code !== undefined) details.push(`code ${error.code}`);
  const suffix = details.length === 0 ? '' : ` (${details.join(', ')})`;
  return { errorClass: classOf(error), message: `error in stream: ${error.message}${suffix}` };
}
