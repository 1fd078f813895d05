import {
  DEFAULT_MAX_EVENT_BYTES,
  type DecoderOptions,
  type ResponseDecoder,
  type SseEvent,
  SseParser,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { asObject, asString, parseObject, readError } from './anthropic-payload.js';
import { toAnthropicUsage } from './anthropic-usage.js';

/**
 * Decodes an Anthropic Messages `text/event-stream` body. Token events: `text_delta`
 * (answer), `thinking_delta` (reasoning) and `input_json_delta` (tool input);
 * `signature_delta`, `ping`, block starts and stops are not tokens. Usage comes from
 * `message_start` (input and cache counts) and `message_delta` (cumulative output);
 * `message_stop` is the end marker; an `error` event is a server-reported error.
 */
export class AnthropicStreamDecoder implements ResponseDecoder {
  readonly expectedContentType = 'text/event-stream';
  readonly #parser: SseParser;
  #emit: (event: StreamEvent) => void = () => {};
  #sawStop = false;
  // Bound once: the parser calls it for every event.
  readonly #onSse = (sse: SseEvent): void => this.#handle(sse);

  constructor(options: DecoderOptions = {}) {
    this.#parser = new SseParser({
      maxEventChars: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    });
  }

  get sawEndMarker(): boolean {
    return this.#sawStop;
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
    // Nothing after message_stop belongs to the response.
    if (this.#sawStop) return;
    const payload = parseObject(sse.data, 'an Anthropic stream event');
    // The event name and the payload's `type` say the same; the payload's is what SDKs read.
    const type = asString(payload.type) || sse.event;
    switch (type) {
      case 'content_block_delta': {
        const delta = asObject(payload.delta);
        const kind = asString(delta?.type);
        const text = kind === 'text_delta' ? asString(delta?.text) : '';
        const reasoningText = kind === 'thinking_delta' ? asString(delta?.thinking) : '';
        const toolText = kind === 'input_json_delta' ? asString(delta?.partial_json) : '';
        if (text.length > 0 || reasoningText.length > 0 || toolText.length > 0) {
          this.#emit({ text, reasoningText, toolText });
        }
        return;
      }
      case 'message_start':
      case 'message_delta': {
        const source = type === 'message_start' ? asObject(payload.message) : payload;
        const usage = toAnthropicUsage(source?.usage);
        if (usage !== undefined) this.#emit({ text: '', reasoningText: '', toolText: '', usage });
        return;
      }
      case 'message_stop':
        this.#sawStop = true;
        return;
      case 'error': {
        const error = readError(payload) ?? { message: sse.data.slice(0, 1000) };
        this.#emit({ text: '', reasoningText: '', toolText: '', error });
        return;
      }
      default:
        // ping, content_block_start, content_block_stop and event types added later.
        return;
    }
  }
}
