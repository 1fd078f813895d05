import {
  BodyBuffer,
  type DecoderOptions,
  LensProviderError,
  type ResponseDecoder,
  type StreamEvent,
} from '@llm-lens/providers-core';
import {
  asObject,
  parseObject,
  readMessage,
  readOllamaError,
  SNIPPET_CHARS,
} from './ollama-payload.js';
import { toOllamaServerTimings, toOllamaUsage } from './ollama-usage.js';

/**
 * Decodes a non-streaming Ollama `/api/chat` body (`"stream": false`): at the end, one event
 * with the message's content, thinking and tool calls, the usage and Ollama's durations. A
 * body of `{"error": …}` is a server-reported error; a body without a `message` object is
 * `protocol`.
 */
export class OllamaJsonDecoder implements ResponseDecoder {
  readonly expectedContentType = 'application/json';
  readonly #body: BodyBuffer;
  #isComplete = false;

  constructor(options: DecoderOptions = {}) {
    this.#body = new BodyBuffer('an Ollama response body', options.maxEventBytes);
  }

  /** The body parsed as a chat response with a `message`. */
  get sawEndMarker(): boolean {
    return this.#isComplete;
  }

  push(chunk: Uint8Array, _emit?: (event: StreamEvent) => void): void {
    this.#body.push(chunk);
  }

  end(emit: (event: StreamEvent) => void): void {
    const body = this.#body.take();
    const payload = parseObject(body, 'an Ollama response body');
    const error = readOllamaError(payload);
    if (error !== undefined) {
      emit({ text: '', reasoningText: '', toolText: '', error });
      return;
    }
    const message = asObject(payload.message);
    if (message === undefined) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `an Ollama response body has no "message" object (is this /api/chat?): ${JSON.stringify(body.slice(0, SNIPPET_CHARS))}`,
        { errorClass: 'protocol' },
      );
    }
    this.#isComplete = true;
    const event = readMessage(message);
    const usage = toOllamaUsage(payload);
    if (usage !== undefined) event.usage = usage;
    const serverTimings = toOllamaServerTimings(payload);
    if (serverTimings !== undefined) event.serverTimings = serverTimings;
    emit(event);
  }
}
