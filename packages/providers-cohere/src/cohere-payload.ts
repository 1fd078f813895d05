import {
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

/** The finish reason Cohere reports when generation failed after the response had started. */
export const FAILED_FINISH_REASON = 'ERROR';

/**
 * The failure a finished generation reports, as a stream error: Cohere ends a failed stream
 * with a normal `message-end` whose delta says `finish_reason: "ERROR"`, with the reason in
 * `error` and a category in `error_type` (e.g. `INVALID_TOOL_GENERATION`); a non-streaming
 * body says the same at its top level. Undefined when the generation did not fail.
 */
export function readGenerationError(
  holder: JsonObject | undefined,
): StreamErrorPayload | undefined {
  if (holder === undefined) return undefined;
  const message = asString(holder.error);
  if (holder.finish_reason !== FAILED_FINISH_REASON && message.length === 0) return undefined;
  const result: StreamErrorPayload = {
    message: truncateErrorMessage(
      message || 'the generation failed (finish_reason ERROR) without a message',
    ),
  };
  const type = asString(holder.error_type);
  if (type.length > 0) result.type = truncateErrorMessage(type);
  return result;
}
