import {
  LensProviderError,
  type ResponseDecoder,
  type SseEvent,
  SseParser,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { type OpenAIApi, parsePayload, readError, readGenerated } from './openai-payload.js';
import { toUsage } from './usage.js';

/** Characters of a malformed payload quoted in the error message. */
const SNIPPET_CHARS = 120;

/**
 * Decodes an OpenAI (or compatible) `text/event-stream` body: one StreamEvent per `data:`
 * JSON chunk, `[DONE]` as the end marker.
 */
export class OpenAIStreamDecoder implements ResponseDecoder {
  readonly #api: OpenAIApi;
  readonly #parser = new SseParser();
  #emit: (event: StreamEvent) => void = () => {};
  #sawDone = false;
  #hasSeenUsage = false;
  /** completion_tokens as of the last token-bearing event (vLLM continuous usage). */
  #tokensAtLastEvent = 0;
  // Bound once: the parser calls it for every event.
  readonly #onSse = (sse: SseEvent): void => this.#handle(sse);

  constructor(api: OpenAIApi) {
    this.#api = api;
  }

  get sawEndMarker(): boolean {
    return this.#sawDone;
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
    const data = sse.data;
    if (data === '[DONE]') {
      this.#sawDone = true;
      return;
    }
    // Anything after [DONE] is not part of the response.
    if (this.#sawDone) return;
    let payload: Record<string, unknown> | undefined;
    try {
      payload = parsePayload(data);
    } catch (cause) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `malformed JSON in an OpenAI stream chunk: ${JSON.stringify(data.slice(0, SNIPPET_CHARS))}`,
        { errorClass: 'protocol', cause },
      );
    }
    if (payload === undefined) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `an OpenAI stream chunk is not a JSON object: ${JSON.stringify(data.slice(0, SNIPPET_CHARS))}`,
        { errorClass: 'protocol' },
      );
    }
    const error = readError(payload);
    if (error !== undefined || sse.event === 'error') {
      this.#emit({
        text: '',
        reasoningText: '',
        toolText: '',
        error: error ?? { message: data.slice(0, SNIPPET_CHARS) },
      });
      return;
    }
    const event: StreamEvent = readGenerated(payload, this.#api, 'delta');
    const usage = toUsage(payload.usage);
    if (usage !== undefined) {
      event.usage = usage;
      const completionTokens = usage.outputTokens;
      const isTokenBearing =
        event.text.length > 0 || event.reasoningText.length > 0 || event.toolText.length > 0;
      if (completionTokens !== undefined && isTokenBearing) {
        // Usage on chunks before this one means the server streams cumulative usage on
        // every chunk (vLLM continuous_usage_stats): the increase is what this event
        // carried, including tokens of earlier chunks that produced no text. Usage seen
        // first on a token event is a final report, not a per-event count.
        if (this.#hasSeenUsage && completionTokens >= this.#tokensAtLastEvent) {
          event.serverTokens = completionTokens - this.#tokensAtLastEvent;
        }
        this.#tokensAtLastEvent = completionTokens;
      }
      this.#hasSeenUsage = true;
    }
    this.#emit(event);
  }
}
