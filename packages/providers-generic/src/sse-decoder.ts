import {
  DEFAULT_MAX_EVENT_BYTES,
  type DecoderOptions,
  type ResponseDecoder,
  type SseEvent,
  SseParser,
  type StreamEvent,
} from '@llm-lens/providers-core';
import type { UsageConvention } from './generic-settings.js';
import { type CompiledSelectors, PayloadReader, parsePayload } from './payload-reader.js';

/** What ends a generic event stream, and which events are read. */
export interface SseMarkers {
  /** A `data:` payload that ends the stream, such as `[DONE]`. */
  doneData?: string;
  /** An `event:` name that ends the stream, such as `message_stop`. */
  doneEvent?: string;
  /** Only events with these `event:` names are read (an event without one is `message`). */
  eventFilter?: readonly string[];
}

/** What a payload is called in protocol errors. */
const WHAT = 'an event-stream event';

/** The event type of an event without an `event:` field, per the SSE spec. */
const DEFAULT_EVENT_TYPE = 'message';

/**
 * Decodes a `text/event-stream` body with an entry's selectors: each event's `data` is one
 * JSON payload. The stream ends at `done_data`, `done_event` or a truthy `done` selector;
 * with none of them configured, a body that ends between events is complete.
 */
export class GenericSseDecoder implements ResponseDecoder {
  readonly expectedContentType = 'text/event-stream';
  readonly #parser: SseParser;
  readonly #reader: PayloadReader;
  readonly #doneData: string | undefined;
  readonly #doneEvent: string | undefined;
  readonly #eventFilter: ReadonlySet<string> | undefined;
  readonly #hasEndMarker: boolean;
  #emit: (event: StreamEvent) => void = () => {};
  #sawEnd = false;
  // Bound once: the parser calls them for every event.
  readonly #onSse = (sse: SseEvent): void => this.#handle(sse);
  // A body may end right after its end marker without the blank line that dispatches it;
  // the marker still ends the stream, as OpenAI's SDKs take a final `data: [DONE]`.
  readonly #onUnterminated = (sse: SseEvent): void => {
    if (this.#isEndMarker(sse)) this.#sawEnd = true;
  };

  constructor(
    selectors: CompiledSelectors,
    usageConvention: UsageConvention,
    markers: SseMarkers = {},
    options: DecoderOptions = {},
  ) {
    this.#parser = new SseParser({
      maxEventChars: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    });
    this.#reader = new PayloadReader(selectors, usageConvention);
    this.#doneData = markers.doneData;
    this.#doneEvent = markers.doneEvent;
    this.#eventFilter =
      markers.eventFilter === undefined ? undefined : new Set(markers.eventFilter);
    this.#hasEndMarker =
      markers.doneData !== undefined ||
      markers.doneEvent !== undefined ||
      selectors.done !== undefined;
  }

  get sawEndMarker(): boolean {
    return this.#sawEnd;
  }

  push(chunk: Uint8Array, emit: (event: StreamEvent) => void): void {
    this.#emit = emit;
    this.#parser.push(chunk, this.#onSse);
  }

  end(emit: (event: StreamEvent) => void): void {
    this.#emit = emit;
    this.#parser.end(this.#onSse, this.#onUnterminated);
    if (!this.#hasEndMarker && !this.#parser.hasPendingData) this.#sawEnd = true;
  }

  #isEndMarker(sse: SseEvent): boolean {
    return (
      (this.#doneData !== undefined && sse.data === this.#doneData) ||
      (this.#doneEvent !== undefined && (sse.event || DEFAULT_EVENT_TYPE) === this.#doneEvent)
    );
  }

  #handle(sse: SseEvent): void {
    // Nothing after the end marker belongs to the response.
    if (this.#sawEnd) return;
    if (this.#doneData !== undefined && sse.data === this.#doneData) {
      this.#sawEnd = true;
      return;
    }
    const type = sse.event || DEFAULT_EVENT_TYPE;
    const isDoneEvent = type === this.#doneEvent;
    if (this.#eventFilter === undefined || this.#eventFilter.has(type)) {
      // An empty data line is a keep-alive some servers send; there is nothing to read.
      if (sse.data !== '') {
        const payload = isDoneEvent ? endEventPayload(sse.data) : parsePayload(sse.data, WHAT);
        if (payload !== NOT_JSON) {
          const event = this.#reader.read(payload);
          if (event !== undefined) this.#emit(event);
          if (this.#reader.sawDone) this.#sawEnd = true;
        }
      }
    }
    // The end event is read first: it often carries the final usage (Cohere's message-end).
    if (isDoneEvent) this.#sawEnd = true;
  }
}

const NOT_JSON = Symbol('not JSON');

/**
 * The end event's payload: its data need not be JSON (`event: done` with `data: [DONE]`)
 * and then only ends the stream; when it is JSON, it is read like any other event.
 */
function endEventPayload(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return NOT_JSON;
  }
}
