import {
  DEFAULT_MAX_EVENT_BYTES,
  type DecoderOptions,
  type ResponseDecoder,
  type SseEvent,
  SseParser,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { asObject, asString, parseObject, readGenerationError } from './cohere-payload.js';
import { toCohereUsage } from './cohere-usage.js';

/** Written after `message-end` by the API; not JSON, and not needed to know the stream ended. */
const DONE_DATA = '[DONE]';

/**
 * Decodes a Cohere Chat v2 `text/event-stream` body. Every event is JSON with a `type`
 * (also sent as the SSE `event:` name). Token events: `content-delta` with
 * `delta.message.content.text` (answer) or `.thinking` (reasoning), `tool-plan-delta`
 * (`delta.message.tool_plan`, the plan the model writes before calling tools: reasoning, not
 * answer) and `tool-call-start` / `tool-call-delta` (`delta.message.tool_calls.function
 * .arguments`: tool text); text in a `content-start` (normally empty) counts like a delta.
 * `message-start`, `content-end`, `tool-call-end`, `citation-start`, `citation-end` and
 * `debug` are not tokens. `message-end` is the end
 * marker; it carries the usage and, when generation failed, the error.
 */
export class CohereStreamDecoder implements ResponseDecoder {
  readonly expectedContentType = 'text/event-stream';
  readonly #parser: SseParser;
  #emit: (event: StreamEvent) => void = () => {};
  #sawMessageEnd = false;
  // Bound once: the parser calls it for every event.
  readonly #onSse = (sse: SseEvent): void => this.#handle(sse);

  constructor(options: DecoderOptions = {}) {
    this.#parser = new SseParser({
      maxEventChars: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    });
  }

  get sawEndMarker(): boolean {
    return this.#sawMessageEnd;
  }

  push(chunk: Uint8Array, emit: (event: StreamEvent) => void): void {
    this.#emit = emit;
    this.#parser.push(chunk, this.#onSse);
  }

  end(emit: (event: StreamEvent) => void): void {
    this.#emit = emit;
    this.#parser.end(this.#onSse);
  }

  #handle(sse: SseEvent): void {
    // Nothing after message-end belongs to the response (the API sends `data: [DONE]`). A
    // [DONE] without message-end does not complete it either.
    if (this.#sawMessageEnd || sse.data === DONE_DATA) return;
    const payload = parseObject(sse.data, 'a Cohere stream event');
    const type = asString(payload.type) || sse.event;
    switch (type) {
      case 'content-delta':
      case 'content-start': {
        // content-start opens a block with empty text; read it anyway, so a server that puts
        // the first token there still has it counted.
        const content = asObject(asObject(asObject(payload.delta)?.message)?.content);
        const text = asString(content?.text);
        const reasoningText = asString(content?.thinking);
        if (text.length > 0 || reasoningText.length > 0) {
          this.#emit({ text, reasoningText, toolText: '' });
        }
        return;
      }
      case 'tool-plan-delta': {
        const plan = asString(asObject(asObject(payload.delta)?.message)?.tool_plan);
        if (plan.length > 0) this.#emit({ text: '', reasoningText: plan, toolText: '' });
        return;
      }
      case 'tool-call-start':
      case 'tool-call-delta': {
        const call = asObject(asObject(asObject(payload.delta)?.message)?.tool_calls);
        const toolText = asString(asObject(call?.function)?.arguments);
        if (toolText.length > 0) this.#emit({ text: '', reasoningText: '', toolText });
        return;
      }
      case 'message-end': {
        this.#sawMessageEnd = true;
        const delta = asObject(payload.delta);
        const event: StreamEvent = { text: '', reasoningText: '', toolText: '' };
        const usage = toCohereUsage(delta?.usage);
        if (usage !== undefined) event.usage = usage;
        const error = readGenerationError(delta);
        if (error !== undefined) event.error = error;
        if (usage !== undefined || error !== undefined) this.#emit(event);
        return;
      }
      default:
        // message-start, content-end, tool-call-end, citation-start/-end, debug, and types
        // added later.
        return;
    }
  }
}
