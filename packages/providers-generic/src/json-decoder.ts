import {
  BodyBuffer,
  type DecoderOptions,
  type ResponseDecoder,
  type StreamEvent,
} from '@llm-lens/providers-core';
import type { UsageConvention } from './generic-settings.js';
import { type CompiledSelectors, PayloadReader, parsePayload } from './payload-reader.js';

/**
 * Decodes a non-streaming body: at the end, one event with what the selectors find in the
 * whole JSON document. The response is complete when the body parses, reports no error and,
 * with a `done` selector, that selector is truthy.
 */
export class GenericJsonDecoder implements ResponseDecoder {
  readonly expectedContentType = 'application/json';
  readonly #body: BodyBuffer;
  readonly #reader: PayloadReader;
  readonly #hasEndMarker: boolean;
  #isComplete = false;

  constructor(
    selectors: CompiledSelectors,
    usageConvention: UsageConvention,
    options: DecoderOptions = {},
  ) {
    this.#body = new BodyBuffer('a response body', options.maxEventBytes);
    this.#reader = new PayloadReader(selectors, usageConvention);
    this.#hasEndMarker = selectors.done !== undefined;
  }

  get sawEndMarker(): boolean {
    return this.#isComplete;
  }

  push(chunk: Uint8Array, _emit?: (event: StreamEvent) => void): void {
    this.#body.push(chunk);
  }

  end(emit: (event: StreamEvent) => void): void {
    const payload = parsePayload(this.#body.take(), 'a response body');
    const event = this.#reader.read(payload);
    if (event !== undefined) emit(event);
    this.#isComplete = event?.error === undefined && (!this.#hasEndMarker || this.#reader.sawDone);
  }
}
