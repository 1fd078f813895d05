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

/** `{"type": "error", "error": {"type": …, "message": …}}`, as a stream error. */
export function readError(payload: JsonObject): StreamErrorPayload | undefined {
  const error = asObject(payload.error);
  if (payload.type !== 'error' && error === undefined) return undefined;
  const message = asString(error?.message) || 'the server reported an error without a message';
  const result: StreamErrorPayload = { message: truncateErrorMessage(message) };
  const type = asString(error?.type);
  if (type.length > 0) result.type = truncateErrorMessage(type);
  return result;
}
