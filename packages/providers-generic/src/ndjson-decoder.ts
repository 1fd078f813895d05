import {
  DEFAULT_MAX_EVENT_BYTES,
  type DecoderOptions,
  NdjsonParser,
  type ResponseDecoder,
  type StreamEvent,
} from '@llm-lens/providers-core';
import type { UsageConvention } from './generic-settings.js';
import { type CompiledSelectors, PayloadReader, parsePayload } from './payload-reader.js';

/**
 * Decodes a newline-delimited JSON body with an entry's selectors: one payload per line. The
 * stream ends at a line whose `done` selector is truthy; without a `done` selector, a body
 * whose last line is complete is complete.
 */
export class GenericNdjsonDecoder implements ResponseDecoder {
  readonly expectedContentType = 'application/x-ndjson';
  readonly #parser: NdjsonParser;
  readonly #reader: PayloadReader;
  readonly #hasEndMarker: boolean;
  #emit: (event: StreamEvent) => void = () => {};
  #sawEnd = false;
  // Bound once: the parser calls it for every line.
  readonly #onLine = (line: string): void => this.#handle(line);

  constructor(
    selectors: CompiledSelectors,
    usageConvention: UsageConvention,
    options: DecoderOptions = {},
  ) {
    this.#parser = new NdjsonParser({
      maxLineChars: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    });
    this.#reader = new PayloadReader(selectors, usageConvention);
    this.#hasEndMarker = selectors.done !== undefined;
  }

  get sawEndMarker(): boolean {
    return this.#sawEnd;
  }

  push(chunk: Uint8Array, emit: (event: StreamEvent) => void): void {
    this.#emit = emit;
    this.#parser.push(chunk, this.#onLine);
  }

  end(emit: (event: StreamEvent) => void): void {
    this.#emit = emit;
    this.#parser.end(this.#onLine);
    if (!this.#hasEndMarker && !this.#parser.hasPendingData) this.#sawEnd = true;
  }

  #handle(line: string): void {
    // Nothing after the end marker belongs to the response.
    if (this.#sawEnd) return;
    const event = this.#reader.read(parsePayload(line, 'an NDJSON line'));
    if (event !== undefined) this.#emit(event);
    if (this.#reader.sawDone) this.#sawEnd = true;
  }
}
