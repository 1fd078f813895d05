import {
  BodyBuffer,
  type DecoderOptions,
  LensProviderError,
  type ResponseDecoder,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { parsePayload, readError } from './openai-payload.js';
import { readFailedResponse, readOutputItems } from './responses-payload.js';
import { toResponsesUsage } from './responses-usage.js';

/** Characters of a malformed body quoted in the error message. */
const SNIPPET_CHARS = 120;

/**
 * Decodes a non-streaming OpenAI Responses API body (a response object): buffers it and, at
 * the end, emits one event with the text of its `output` items and its usage. A body over
 * `maxEventBytes` throws a protocol error before it is buffered.
 */
export class ResponsesJsonDecoder implements ResponseDecoder {
  readonly expectedContentType = 'application/json';
  readonly #body: BodyBuffer;
  #isComplete = false;

  constructor(options: DecoderOptions = {}) {
    this.#body = new BodyBuffer('an OpenAI Responses body', options.maxEventBytes);
  }

  /** The body parsed as JSON and held an `output` array. */
  get sawEndMarker(): boolean {
    return this.#isComplete;
  }

  /** Buffers body bytes; nothing is emitted before `end()`. */
  push(chunk: Uint8Array, _emit?: (event: StreamEvent) => void): void {
    this.#body.push(chunk);
  }

  end(emit: (event: StreamEvent) => void): void {
    const body = this.#body.take();
    const quoted = JSON.stringify(body.slice(0, SNIPPET_CHARS));
    let payload: Record<string, unknown> | undefined;
    try {
      payload = parsePayload(body);
    } catch (cause) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `malformed JSON in an OpenAI Responses body (${body.length} characters): ${quoted}`,
        { errorClass: 'protocol', cause },
      );
    }
    if (payload === undefined) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `an OpenAI Responses body is not a JSON object: ${quoted}`,
        { errorClass: 'protocol' },
      );
    }
    const usage = toResponsesUsage(payload.usage);
    const error = payload.status === 'failed' ? readFailedResponse(payload) : readError(payload);
    if (error !== undefined) {
      const event: StreamEvent = { text: '', reasoningText: '', toolText: '', error };
      if (usage !== undefined) event.usage = usage;
      emit(event);
      return;
    }
    if (payload.status === 'queued' || payload.status === 'in_progress') {
      // A background response (`background: true`) answers before generating: nothing to time.
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `an OpenAI Responses body has status "${payload.status}", not a finished response (was background: true sent?): ${quoted}`,
        { errorClass: 'protocol' },
      );
    }
    if (!Array.isArray(payload.output)) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `an OpenAI Responses body has no "output" array: ${quoted}`,
        { errorClass: 'protocol' },
      );
    }
    this.#isComplete = true;
    const event: StreamEvent = { ...readOutputItems(payload.output) };
    if (usage !== undefined) event.usage = usage;
    emit(event);
  }
}
