import {
  BodyBuffer,
  type DecoderOptions,
  LensProviderError,
  type ResponseDecoder,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { parseObject, SNIPPET_CHARS } from './gemini-payload.js';
import { readGenerateContentResponse, stoppedWithoutOutput } from './gemini-response.js';

/**
 * Decodes a `generateContent` body (one `GenerateContentResponse`): at the end, one event
 * with the text, thoughts and tool text of the first candidate, and the usage.
 */
export class GeminiJsonDecoder implements ResponseDecoder {
  readonly expectedContentType = 'application/json';
  readonly #body: BodyBuffer;
  #isComplete = false;

  constructor(options: DecoderOptions = {}) {
    this.#body = new BodyBuffer('a Gemini response body', options.maxEventBytes);
  }

  /** The body parsed as a response with `candidates` (or a blocked prompt's `promptFeedback`). */
  get sawEndMarker(): boolean {
    return this.#isComplete;
  }

  push(chunk: Uint8Array, _emit?: (event: StreamEvent) => void): void {
    this.#body.push(chunk);
  }

  end(emit: (event: StreamEvent) => void): void {
    const body = this.#body.take();
    const payload = parseObject(body, 'a Gemini response body');
    const content = readGenerateContentResponse(payload);
    const event = content.event;
    if (event.error !== undefined) {
      emit(event);
      return;
    }
    if (!Array.isArray(payload.candidates) && payload.promptFeedback === undefined) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `a Gemini response body has no "candidates" list: ${JSON.stringify(body.slice(0, SNIPPET_CHARS))}`,
        { errorClass: 'protocol' },
      );
    }
    this.#isComplete = true;
    const hasOutput =
      event.text.length > 0 || event.reasoningText.length > 0 || event.toolText.length > 0;
    if (!hasOutput) {
      const stopped = stoppedWithoutOutput(content);
      if (stopped !== undefined) event.error = stopped;
    }
    emit(event);
  }
}
