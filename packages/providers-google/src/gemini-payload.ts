import {
  asObject,
  asString,
  type JsonObject,
  type StreamErrorPayload,
  truncateErrorMessage,
} from '@llm-lens/providers-core';

// The JSON helpers every adapter shares; re-exported so this package's modules import one place.
export {
  asObject,
  asString,
  type JsonObject,
  parseJsonObject as parseObject,
  SNIPPET_CHARS,
} from '@llm-lens/providers-core';

/**
 * Google's error object, `{"error": {"code": 500, "message": …, "status": "INTERNAL"}}`
 * (https://ai.google.dev/gemini-api/docs/troubleshooting, google.rpc.Status), as a stream
 * error: `type` is the status name, `code` the HTTP-like number. Undefined when `payload`
 * holds no `error` object.
 */
export function readGoogleError(payload: JsonObject): StreamErrorPayload | undefined {
  const error = asObject(payload.error);
  if (error === undefined) return undefined;
  const message = asString(error.message) || 'the server reported an error without a message';
  const result: StreamErrorPayload = { message: truncateErrorMessage(message) };
  const status = asString(error.status);
  if (status.length > 0) result.type = truncateErrorMessage(status);
  if (typeof error.code === 'number' && Number.isSafeInteger(error.code)) result.code = error.code;
  return result;
}
