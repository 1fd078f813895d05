import {
  asObject,
  asString,
  type JsonObject,
  type StreamErrorPayload,
  type StreamEvent,
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
 * Ollama's error object, `{"error": "<text>"}`, as a stream error; proxies in front of Ollama
 * sometimes nest it as `{"error": {"message": …}}`, read too. Undefined when `payload` has no
 * `error`.
 */
export function readOllamaError(payload: JsonObject): StreamErrorPayload | undefined {
  const error = payload.error;
  if (error === undefined || error === null) return undefined;
  const nested = asObject(error);
  const message =
    asString(error) ||
    asString(nested?.message) ||
    'the server reported an error without a message';
  const result: StreamErrorPayload = { message: truncateErrorMessage(message) };
  const type = asString(nested?.type);
  if (type.length > 0) result.type = truncateErrorMessage(type);
  return result;
}

/**
 * The generated text of a chat `message`: `content` (answer), `thinking` (reasoning) and
 * each `tool_calls[].function.arguments` as JSON (Ollama sends whole calls, arguments as an
 * object; a string is taken as is).
 */
export function readMessage(message: JsonObject | undefined): StreamEvent {
  const event: StreamEvent = {
    text: asString(message?.content),
    reasoningText: asString(message?.thinking),
    toolText: '',
  };
  const calls = message?.tool_calls;
  if (Array.isArray(calls)) {
    for (const call of calls) {
      const args = asObject(asObject(call)?.function)?.arguments;
      if (typeof args === 'string') event.toolText += args;
      else if (args !== undefined && args !== null) event.toolText += JSON.stringify(args);
    }
  }
  return event;
}
