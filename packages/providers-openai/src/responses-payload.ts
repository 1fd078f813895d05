import {
  asObject,
  asString,
  type JsonObject,
  type StreamErrorPayload,
  truncateErrorMessage,
} from '@llm-lens/providers-core';
import { type GeneratedText, readError } from './openai-payload.js';

// Wire format: https://platform.openai.com/docs/api-reference/responses-streaming and
// https://platform.openai.com/docs/api-reference/responses/object.

/** Which field of a StreamEvent the `delta` of a Responses stream event is. */
export type GeneratedKind = keyof GeneratedText;

/**
 * The stream events whose `delta` is text the model generated. Refusals are answer text,
 * as in chat; reasoning summaries and raw reasoning text are reasoning; the input the model
 * writes for a tool (function arguments, a custom tool's input, an MCP call's arguments,
 * code for the code interpreter) is tool text. Every other event carries no token.
 */
export const GENERATED_DELTA_EVENTS: ReadonlyMap<string, GeneratedKind> = new Map([
  ['response.output_text.delta', 'text'],
  ['response.refusal.delta', 'text'],
  ['response.reasoning_summary_text.delta', 'reasoningText'],
  ['response.reasoning_text.delta', 'reasoningText'],
  ['response.function_call_arguments.delta', 'toolText'],
  ['response.custom_tool_call_input.delta', 'toolText'],
  ['response.mcp_call_arguments.delta', 'toolText'],
  ['response.code_interpreter_call_code.delta', 'toolText'],
]);

/** The events that end a response stream; each carries the final response and its usage. */
export const TERMINAL_EVENTS: ReadonlySet<string> = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

/** The `text` of each part of a list (`output_text` content, `summary_text` summaries). */
function partsText(parts: unknown, field: 'text' | 'refusal'): string {
  if (!Array.isArray(parts)) return '';
  let text = '';
  for (const part of parts) text += asString(asObject(part)?.[field]);
  return text;
}

/**
 * The generated text of a response's `output` items: a `message`'s `output_text` and
 * `refusal` parts are answer text; a `reasoning` item's summary and raw reasoning text are
 * reasoning; a `function_call`'s arguments (and the input of custom, MCP and code
 * interpreter calls) are tool text. Other items (web search calls, images) carry none.
 */
export function readOutputItems(output: readonly unknown[]): GeneratedText {
  let text = '';
  let reasoningText = '';
  let toolText = '';
  for (const raw of output) {
    const item = asObject(raw);
    if (item === undefined) continue;
    switch (item.type) {
      case 'message':
        if (Array.isArray(item.content)) {
          for (const part of item.content) {
            const content = asObject(part);
            if (content?.type === 'output_text') text += asString(content.text);
            else if (content?.type === 'refusal') text += asString(content.refusal);
          }
        }
        break;
      case 'reasoning':
        reasoningText += partsText(item.summary, 'text') + partsText(item.content, 'text');
        break;
      case 'function_call':
      case 'mcp_call':
        toolText += asString(item.arguments);
        break;
      case 'custom_tool_call':
        toolText += asString(item.input);
        break;
      case 'code_interpreter_call':
        toolText += asString(item.code);
        break;
    }
  }
  return { text, reasoningText, toolText };
}

/**
 * The error of an `error` stream event. OpenAI's reference puts `code`, `message` and
 * `param` at the top level of the event; recorded streams also nest them in an `error`
 * object with a `type` (`{"type":"error","error":{"type":"insufficient_quota",...}}`).
 * Both are read; the event's own `type` (always `error`) says nothing and is left out.
 */
export function readErrorEvent(payload: JsonObject): StreamErrorPayload {
  const nested =
    payload.error === undefined || payload.error === null ? undefined : readError(payload);
  if (nested !== undefined) return nested;
  const error: StreamErrorPayload = {
    message:
      truncateErrorMessage(asString(payload.message)) ||
      'the server reported an error event without a message',
  };
  if (typeof payload.code === 'string') error.code = truncateErrorMessage(payload.code);
  else if (typeof payload.code === 'number') error.code = payload.code;
  return error;
}

/** The error of a `response.failed` event or a failed response: its `response.error`. */
export function readFailedResponse(response: JsonObject | undefined): StreamErrorPayload {
  const error = response === undefined ? undefined : readError(response);
  return error ?? { message: 'the response failed (status "failed") without an error object' };
}
