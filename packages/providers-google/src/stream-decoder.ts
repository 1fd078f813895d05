import {
  DEFAULT_MAX_EVENT_BYTES,
  type DecoderOptions,
  type ResponseDecoder,
  type SseEvent,
  SseParser,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { parseObject } from './gemini-payload.js';
import { readGenerateContentResponse, stoppedWithoutOutput } from './gemini-response.js';

/**
 * Decodes a `streamGenerateContent?alt=sse` body: every `data:` event is a whole
 * `GenerateContentResponse` (Google separates them with `\r\n\r\n`). Each event with text,
 * usage or an error becomes one StreamEvent; `usageMetadata` is repeated and cumulative on
 * every chunk, so the last one wins.
 *
 * The end: Gemini sends no terminal event (no `[DONE]`, no `message_stop`); the chunk whose
 * first candidate carries a `finishReason` is the last one it sends, and the body ends after
 * it. So `sawEndMarker` is "a finishReason was seen" (or a `promptFeedback.blockReason`,
 * which ends a refused prompt's stream): a body that ends without one was cut. An `error`
 * object inside the stream is reported as the event's error and is no end marker.
 */
export class GeminiStreamDecoder implements ResponseDecoder {
  readonly expectedContentType = 'text/event-stream';
  readonly #parser: SseParser;
  #emit: (event: StreamEvent) => void = () => {};
  #isFinished = false;
  /** Some text, reasoning or tool text arrived. */
  #hasOutput = false;
  // Bound once: the parser calls it for every event.
  readonly #onSse = (sse: SseEvent): void => this.#handle(sse);

  constructor(options: DecoderOptions = {}) {
    this.#parser = new SseParser({
      maxEventChars: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    });
  }

  /** A chunk with a `finishReason` (or a blocked prompt's `promptFeedback`) was seen. */
  get sawEndMarker(): boolean {
    return this.#isFinished;
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
    // Gemini sends nothing after the chunk with finishReason; whatever follows is not the response's.
    if (this.#isFinished) return;
    const content = readGenerateContentResponse(parseObject(sse.data, 'a Gemini stream event'));
    const event = content.event;
    const hasTokens =
      event.text.length > 0 || event.reasoningText.length > 0 || event.toolText.length > 0;
    if (hasTokens) this.#hasOutput = true;
    if (content.finishReason !== '' || content.blockReason !== '') {
      this.#isFinished = true;
      if (!this.#hasOutput && event.error === undefined) {
        const stopped = stoppedWithoutOutput(content);
        if (stopped !== undefined) event.error = stopped;
      }
    }
    if (hasTokens || event.usage !== undefined || event.error !== undefined) this.#emit(event);
  }
}
