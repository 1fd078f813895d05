import { type StreamErrorPayload, truncateErrorMessage } from '@llm-lens/providers-core';

/** Which OpenAI endpoint a response came from. */
export type OpenAIApi = 'chat' | 'completions';

/** The generated text of one choice, split by kind. */
export interface GeneratedText {
  text: string;
  reasoningText: string;
  toolText: string;
}

type JsonObject = Record<string, unknown>;

function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function toolArguments(toolCalls: unknown): string {
  if (!Array.isArray(toolCalls)) return '';
  let text = '';
  for (const call of toolCalls) {
    text += asString(asObject(asObject(call)?.function)?.arguments);
  }
  return text;
}

/** The text of a part's `text`, or of a list of such parts. */
function partsText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  let text = '';
  for (const part of value) text += asString(asObject(part)?.text);
  return text;
}

/**
 * `content` as a string, or as a list of typed parts (Mistral's Magistral models stream
 * `[{"type": "thinking", "thinking": [{"type": "text", "text": …}]}, {"type": "text", "text": …}]`):
 * `text` parts are answer text, `thinking` parts reasoning; `reference` and other parts
 * carry no generated text.
 */
function readContent(content: unknown): { text: string; reasoning: string } {
  if (typeof content === 'string') return { text: content, reasoning: '' };
  if (!Array.isArray(content)) return { text: '', reasoning: '' };
  let text = '';
  let reasoning = '';
  for (const raw of content) {
    const part = asObject(raw);
    if (part === undefined) continue;
    if (part.type === 'text') text += asString(part.text);
    else if (part.type === 'thinking') reasoning += partsText(part.thinking);
  }
  return { text, reasoning };
}

/**
 * Reads a chat `delta` (streaming) or `message` (non-streaming). Reasoning comes from
 * `reasoning` or, failing that, `reasoning_content`: current vLLM sends both with the same
 * text, so reading both would count every reasoning token twice; and from the `thinking`
 * parts of a content list. `refusal` text is generated like content and counts as answer
 * text.
 */
function readMessage(message: JsonObject | undefined): GeneratedText {
  if (message === undefined) return { text: '', reasoningText: '', toolText: '' };
  const content = readContent(message.content);
  const reasoning = asString(message.reasoning);
  return {
    text: content.text + asString(message.refusal),
    reasoningText:
      (reasoning.length > 0 ? reasoning : asString(message.reasoning_content)) + content.reasoning,
    toolText: toolArguments(message.tool_calls),
  };
}

/**
 * The generated text of `choices[0]` of a chunk or response. Chunks with empty `choices`
 * (the usage chunk, Azure's prompt_filter_results) or a choice without `delta` (Azure
 * content-filter annotations) carry none.
 */
export function readGenerated(
  payload: JsonObject,
  api: OpenAIApi,
  field: 'delta' | 'message',
): GeneratedText {
  const choices = payload.choices;
  const choice = Array.isArray(choices) ? asObject(choices[0]) : undefined;
  if (choice === undefined) return { text: '', reasoningText: '', toolText: '' };
  if (api === 'completions')
    return { text: asString(choice.text), reasoningText: '', toolText: '' };
  return readMessage(asObject(choice[field]));
}

/**
 * The error a 2xx body reports: `{"error": {...}}` (OpenAI), `{"error": "..."}` (TGI), or
 * `{"object": "error", "message": ...}` (older vLLM). Its strings are cut to
 * MAX_ERROR_MESSAGE_CHARS: the message lands in every record of a failed request, and a
 * server can send megabytes of it.
 */
export function readError(payload: JsonObject): StreamErrorPayload | undefined {
  const raw = payload.error;
  if (typeof raw === 'string') {
    const type = asString(payload.error_type);
    const message = truncateErrorMessage(raw);
    return type.length > 0 ? { message, type: truncateErrorMessage(type) } : { message };
  }
  const error = asObject(raw) ?? (payload.object === 'error' ? payload : undefined);
  if (error === undefined) return undefined;
  const result: StreamErrorPayload = {
    message:
      truncateErrorMessage(asString(error.message)) ||
      'the server reported an error without a message',
  };
  if (typeof error.type === 'string') result.type = truncateErrorMessage(error.type);
  if (typeof error.code === 'string') result.code = truncateErrorMessage(error.code);
  else if (typeof error.code === 'number') result.code = error.code;
  return result;
}

/** Parses one JSON document of a response, as an object. */
export function parsePayload(text: string): JsonObject | undefined {
  return asObject(JSON.parse(text));
}
