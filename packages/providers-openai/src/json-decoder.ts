import {
  BodyBuffer,
  type DecoderOptions,
  LensProviderError,
  type ResponseDecoder,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { type OpenAIApi, parsePayload, readError, readGenerated } from './openai-payload.js';
import { toUsage } from './usage.js';

/** Characters of a malformed body quoted in the error message. */
const SNIPPET_CHARS = 120;

/**
 * Decodes a non-streaming OpenAI JSON body: buffers it and, at the end, emits one event with
 * the whole message (content, reasoning, tool arguments or completion text) and usage. A
 * body over `maxEventBytes` throws a protocol error before it is buffered.
 */
export class OpenAIJsonDecoder implements ResponseDecoder {
  readonly expectedContentType = 'application/json';
  readonly #api: OpenAIApi;
  readonly #body: BodyBuffer;
  #isComplete = false;

  constructor(api: OpenAIApi, options: DecoderOptions = {}) {
    this.#api = api;
    this.#body = new BodyBuffer('an OpenAI response body', options.maxEventBytes);
  }

  /** The body parsed as JSON and held `choices`. */
  get sawEndMarker(): boolean {
    return this.#isComplete;
  }

  /** Buffers body bytes; nothing is emitted before `end()`. */
  push(chunk: Uint8Array, _emit?: (event: StreamEvent) => void): void {
    this.#body.push(chunk);
  }

  end(emit: (event: StreamEvent) => void): void {
    const body = this.#body.take();
    let payload: Record<string, unknown> | undefined;
    try {
      payload = parsePayload(body);
    } catch (cause) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `malformed JSON in an OpenAI response body (${body.length} characters): ${JSON.stringify(body.slice(0, SNIPPET_CHARS))}`,
        { errorClass: 'protocol', cause },
      );
    }
    if (payload === undefined) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `an OpenAI response body is not a JSON object: ${JSON.stringify(body.slice(0, SNIPPET_CHARS))}`,
        { errorClass: 'protocol' },
      );
    }
    const error = readError(payload);
    if (error !== undefined) {
      const event: StreamEvent = { text: '', reasoningText: '', toolText: '', error };
      const usage = toUsage(payload.usage);
      if (usage !== undefined) event.usage = usage;
      emit(event);
      return;
    }
    if (!Array.isArray(payload.choices)) {
      // Without choices there is no answer to time; calling it an interrupted stream would
      // send the user looking for a [DONE] that a JSON body never has.
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `an OpenAI response body has no "choices" array: ${JSON.stringify(body.slice(0, SNIPPET_CHARS))}`,
        { errorClass: 'protocol' },
      );
    }
    this.#isComplete = true;
    const event: StreamEvent = readGenerated(payload, this.#api, 'message');
    const usage = toUsage(payload.usage);
    if (usage !== undefined) event.usage = usage;
    emit(event);
  }
}
