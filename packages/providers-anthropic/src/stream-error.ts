import type { ErrorClass, ErrorClassification, StreamErrorPayload } from '@llm-lens/providers-core';

// Anthropic's error types (https://docs.anthropic.com/en/api/errors).
const CLASSES: Readonly<Record<string, ErrorClass>> = {
  invalid_request_error: 'client_error',
  not_found_error: 'client_error',
  request_too_large: 'client_error',
  authentication_error: 'auth',
  permission_error: 'auth',
  billing_error: 'auth',
  rate_limit_error: 'rate_limited',
  overloaded_error: 'server_error',
  api_error: 'server_error',
  timeout_error: 'timeout_total',
};

/**
 * Classifies an `error` event inside a 200 Anthropic stream by its `error.type`:
 * rate_limit_error → rate_limited; authentication, permission and billing errors → auth;
 * invalid-request, not-found and too-large → client_error; timeout_error → timeout_total;
 * overloaded_error, api_error and unknown types → server_error (the server failed while
 * generating).
 */
export function classifyAnthropicStreamError(error: StreamErrorPayload): ErrorClassification {
  // Own keys only: a type named like an Object.prototype member ("constructor") is unknown.
  const errorClass =
    (error.type !== undefined && Object.hasOwn(CLASSES, error.type)
      ? CLASSES[error.type]
      : undefined) ?? 'server_error';
  const suffix = error.type === undefined ? '' : ` (type ${error.type})`;
  return { errorClass, message: `error in stream: ${error.message}${suffix}` };
}
