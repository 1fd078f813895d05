import {
  classifyHttpStatus,
  type ErrorClass,
  type ErrorClassification,
  ownEntry,
  type ResponseHeaders,
  type StreamErrorPayload,
} from '@llm-lens/providers-core';

/**
 * Classifies a non-2xx Cohere response (https://docs.cohere.com/reference/errors; bodies are
 * `{"message": …}`). On top of `classifyHttpStatus` (429 → rate_limited with the
 * Retry-After wait, 401/403 → auth, 400/404/422 → client_error, 5xx → server_error):
 * 402 Payment Required and 498 (the SDK's InvalidTokenError) → auth, persistent, since the
 * key's account cannot be used until someone fixes it; 499, which Cohere sends for a request
 * cancelled on its side (this client reads no response of a request it cancelled itself) →
 * server_error, retryable.
 */
export function classifyCohereHttpError(
  status: number,
  headers: ResponseHeaders,
  body: string,
  providerLabel: string,
): ErrorClassification {
  const classification = classifyHttpStatus(status, headers, body, { providerLabel });
  if (status === 402) {
    return {
      errorClass: 'auth',
      message: `${classification.message} (the account of this key cannot be billed: add or update its payment method on the Cohere dashboard)`,
      persistent: true,
    };
  }
  if (status === 498) {
    return {
      errorClass: 'auth',
      message: `${classification.message} (check the API key for ${providerLabel})`,
      persistent: true,
    };
  }
  if (status === 499) {
    return {
      errorClass: 'server_error',
      message: `${classification.message} (Cohere cancelled the request on its side)`,
    };
  }
  return classification;
}

// `error_type` values of a failed generation's message-end, by what the user must do.
const STREAM_ERROR_CLASSES: Readonly<Record<string, ErrorClass>> = {
  // "your request resulted in an invalid tool generation. Try updating the messages or tool
  // definitions": the request needs a change.
  INVALID_TOOL_GENERATION: 'client_error',
};

/**
 * Classifies a generation that failed mid-stream (a `message-end` with `finish_reason:
 * "ERROR"`) by its `error_type`: INVALID_TOOL_GENERATION → client_error; none or any other →
 * server_error (Cohere documents the ERROR finish reason as an internal failure).
 */
export function classifyCohereStreamError(error: StreamErrorPayload): ErrorClassification {
  const errorClass =
    (error.type !== undefined ? ownEntry(STREAM_ERROR_CLASSES, error.type) : undefined) ??
    'server_error';
  const suffix = error.type === undefined ? '' : ` (type ${error.type})`;
  return { errorClass, message: `error in stream: ${error.message}${suffix}` };
}
