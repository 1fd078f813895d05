import {
  asObject,
  DEFAULT_MAX_EVENT_BYTES,
  type DecoderOptions,
  LensProviderError,
  type ResponseDecoder,
  type SseEvent,
  SseParser,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { parsePayload } from './openai-payload.js';
import {
  GENERATED_DELTA_EVENTS,
  readErrorEvent,
  readFailedResponse,
  TERMINAL_EVENTS,
} from './responses-payload.js';
import { toResponsesUsage } from './responses-usage.js';

/** Characters of a malformed payload quoted in the error message. */
const SNIPPET_CHARS = 120;

/**
 * Decodes an OpenAI Responses API `text/event-stream` body: one StreamEvent per SSE event.
 * Text, reasoning and tool-input deltas are tokens; `response.completed`,
 * `response.incomplete` and `response.failed` end the stream (there is no `[DONE]`) and
 * carry the usage; `error` events become `event.error`. A line or event over
 * `maxEventBytes` throws a protocol error before it is buffered.
 */
export class ResponsesStreamDecoder implements ResponseDecoder {
  readonly expectedContentType = 'text/event-stream';
  readonly #parser: SseParser;
  #emit: (event: StreamEvent) => void = () => {};
  #sawTerminalEvent = false;
  #sawErrorEvent = false;
  // Bound once: the parser calls it for every event.
  readonly #onSse = (sse: SseEvent): void => this.#handle(sse);
  // A terminal event that the body ends on without its closing blank line still ends the
  // response when its JSON is whole: the server finished, only the framing was cut. A cut
  // JSON (or any other cut event) is discarded and the stream stays incomplete.
  readonly #onUnterminated = (sse: SseEvent): void => {
    if (this.#sawTerminalEvent) return;
    let payload: Record<string, unknown> | undefined;
    try {
      payload = parsePayload(sse.data);
    } catch {
      return;
    }
    if (payload === undefined) return;
    const type = eventType(payload, sse);
    if (TERMINAL_EVENTS.has(type)) this.#handlePayload(payload, type);
  };

  constructor(options: DecoderOptions = {}) {
    this.#parser = new SseParser({
      maxEventChars: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    });
  }

  /** Whether `response.completed`, `response.incomplete` or `response.failed` arrived. */
  get sawEndMarker(): boolean {
    return this.#sawTerminalEvent;
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
    // Anything after the terminal event is not part of the response.
    if (this.#sawTerminalEvent) return;
    const data = sse.data;
    // Chat's end marker, which some proxies append to Responses streams too: not the end of
    // a response (only its terminal event is), and not malformed either.
    if (data === '[DONE]') return;
    let payload: Record<string, unknown> | undefined;
    try {
      payload = parsePayload(data);
    } catch (cause) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `malformed JSON in an OpenAI Responses stream event: ${JSON.stringify(data.slice(0, SNIPPET_CHARS))}`,
        { errorClass: 'protocol', cause },
      );
    }
    if (payload === undefined) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `an OpenAI Responses stream event is not a JSON object: ${JSON.stringify(data.slice(0, SNIPPET_CHARS))}`,
        { errorClass: 'protocol' },
      );
    }
    this.#handlePayload(payload, eventType(payload, sse));
  }

  #handlePayload(payload: Record<string, unknown>, type: string): void {
    const event: StreamEvent = { text: '', reasoningText: '', toolText: '' };
    const kind = GENERATED_DELTA_EVENTS.get(type);
    if (kind !== undefined) {
      const delta = payload.delta;
      if (typeof delta === 'string') event[kind] = delta;
    } else if (TERMINAL_EVENTS.has(type)) {
      this.#sawTerminalEvent = true;
      const response = asObject(payload.response);
      const usage = toResponsesUsage(response?.usage);
      if (usage !== undefined) event.usage = usage;
      // OpenAI sends an `error` event and then `response.failed` for one failure: report it once.
      if (type === 'response.failed' && !this.#sawErrorEvent) {
        event.error = readFailedResponse(response);
      }
    } else if (type === 'error' || (type === '' && payload.error != null)) {
      // The second case: a proxy's `data: {"error": {...}}` with neither a type nor an event name.
      this.#sawErrorEvent = true;
      event.error = readErrorEvent(payload);
    }
    this.#emit(event);
  }
}

/** The event's JSON `type`, else its SSE `event:` name ('' when it has neither). */
function eventType(payload: Record<string, unknown>, sse: SseEvent): string {
  return typeof payload.type === 'string' ? payload.type : sse.event;
}
