import {
  DEFAULT_MAX_EVENT_BYTES,
  type DecoderOptions,
  NdjsonParser,
  type ResponseDecoder,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { asObject, parseObject, readMessage, readOllamaError } from './ollama-payload.js';
import { toOllamaServerTimings, toOllamaUsage } from './ollama-usage.js';

/** The media type of Ollama's streamed responses. */
export const OLLAMA_STREAM_CONTENT_TYPE = 'application/x-ndjson';

/**
 * Decodes an Ollama `/api/chat` NDJSON stream. Every `done: false` line is one event:
 * `message.content` answer text, `message.thinking` reasoning, `message.tool_calls` tool
 * text. The `done: true` line is the end marker and carries the usage (`prompt_eval_count`,
 * `eval_count`) and Ollama's own durations as server timings in ms. An `{"error": …}` line
 * is a server-reported error. Lines after the done line are ignored.
 */
export class OllamaStreamDecoder implements ResponseDecoder {
  readonly expectedContentType = OLLAMA_STREAM_CONTENT_TYPE;
  readonly #parser: NdjsonParser;
  #emit: (event: StreamEvent) => void = () => {};
  #sawDone = false;
  // Bound once: the parser calls it for every line.
  readonly #onLine = (line: string): void => this.#handle(line);

  constructor(options: DecoderOptions = {}) {
    this.#parser = new NdjsonParser({
      maxLineChars: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    });
  }

  get sawEndMarker(): boolean {
    return this.#sawDone;
  }

  push(chunk: Uint8Array, emit: (event: StreamEvent) => void): void {
    this.#emit = emit;
    this.#parser.push(chunk, this.#onLine);
  }

  end(emit: (event: StreamEvent) => void): void {
    this.#emit = emit;
    // A line cut by the end of the body is dropped by the parser; without the done line the
    // stream counts as interrupted, which is what a cut stream is.
    this.#parser.end(this.#onLine);
  }

  #handle(line: string): void {
    if (this.#sawDone) return;
    const payload = parseObject(line, 'an Ollama stream line');
    const error = readOllamaError(payload);
    if (error !== undefined) {
      this.#emit({ text: '', reasoningText: '', toolText: '', error });
      return;
    }
    const event = readMessage(asObject(payload.message));
    if (payload.done === true) {
      this.#sawDone = true;
      const usage = toOllamaUsage(payload);
      if (usage !== undefined) event.usage = usage;
      const serverTimings = toOllamaServerTimings(payload);
      if (serverTimings !== undefined) event.serverTimings = serverTimings;
      this.#emit(event);
      return;
    }
    if (event.text.length > 0 || event.reasoningText.length > 0 || event.toolText.length > 0) {
      this.#emit(event);
    }
  }
}
