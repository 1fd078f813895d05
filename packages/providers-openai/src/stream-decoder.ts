import {
  DEFAULT_MAX_EVENT_BYTES,
  type DecoderOptions,
  LensProviderError,
  type ResponseDecoder,
  type SseEvent,
  SseParser,
  type StreamErrorPayload,
  type StreamEvent,
  truncateErrorMessage,
} from '@llm-lens/providers-core';
import { type OpenAIApi, parsePayload, readError, readGenerated } from './openai-payload.js';
import { toUsage } from './usage.js';

/** Characters of a malformed payload quoted in the error message. */
const SNIPPET_CHARS = 120;

/**
 * Decodes an OpenAI (or compatible) `text/event-stream` body: one StreamEvent per `data:`
 * JSON chunk, `[DONE]` as the end marker. A line or event over `maxEventBytes` throws a
 * protocol error before it is buffered.
 */
export class OpenAIStreamDecoder implements ResponseDecoder {
  readonly expectedContentType = 'text/event-stream';
  readonly #api: OpenAIApi;
  readonly #parser: SseParser;
  #emit: (event: StreamEvent) => void = () => {};
  #sawDone = false;
  #hasSeenUsage = false;
  /** completion_tokens as of the last token-bearing event (vLLM continuous usage). */
  #tokensAtLastEvent = 0;
  // Bound once: the parser calls it for every event.
  readonly #onSse = (sse: SseEvent): void => this.#handle(sse);
  // The openai-python and openai-node SDKs end a stream at `data: [DONE]` even when the body
  // ends right after it, without the blank line SSE needs to dispatch it; so do we. Any
  // other cut-off event stays discarded and the stream incomplete.
  readonly #onUnterminated = (sse: SseEvent): void => {
    if (sse.data === '[DONE]') this.#sawDone = true;
  };

  constructor(api: OpenAIApi, options: DecoderOptions = {}) {
    this.#api = api;
    this.#parser = new SseParser({
      maxEventChars: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    });
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
    this.#parser.end(this.#onSse, this.#onUnterminated);
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
    const error =
      readError(payload) ?? (sse.event === 'error' ? errorEvent(payload, data) : undefined);
    if (error !== undefined) {
      const event: StreamEvent = { text: '', reasoningText: '', toolText: '', error };
      // OpenRouter bills the tokens of a failed generation in the same chunk as its error.
      const usage = toUsage(payload.usage);
      if (usage !== undefined) event.usage = usage;
      this.#emit(event);
      return;
    }
    const event: StreamEvent = readGenerated(payload, this.#api, 'delta');
    const usage = toUsage(payload.usage);
    if (usage !== undefined) {
      event.usage = usage;
      // An ignored report is passed on for its reason but never feeds per-event counts.
      if (usage.ignoredReason === undefined) this.#countServerTokens(event, usage.outputTokens);
    }
    this.#emit(event);
  }

  #countServerTokens(event: StreamEvent, completionTokens: number | undefined): void {
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
}

/**
 * An `event: error` whose data has no `error` member: some servers put the error's fields at
 * the top level (`{"type":"rate_limit_error","message":"slow"}`), so its type and code still
 * classify it; the data itself is the message when it has none.
 */
function errorEvent(payload: Record<string, unknown>, data: string): StreamErrorPayload {
  const message = typeof payload.message === 'string' ? payload.message : data;
  const error: StreamErrorPayload = { message: truncateErrorMessage(message) };
  if (typeof payload.type === 'string') error.type = truncateErrorMessage(payload.type);
  if (typeof payload.code === 'string') error.code = truncateErrorMessage(payload.code);
  else if (typeof payload.code === 'number') error.code = payload.code;
  return error;
}
