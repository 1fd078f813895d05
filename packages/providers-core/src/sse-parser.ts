/** One dispatched Server-Sent Event. */
export interface SseEvent {
  /** The `event:` field; '' when the event had none (the spec's default type "message"). */
  event: string;
  /** The `data:` lines joined with '\n'. */
  data: string;
  /** The last event ID seen so far in the stream (it persists across events, per spec). */
  id?: string;
}

import { StringDecoder } from 'node:string_decoder';
import { checkMaxEventBytes, DEFAULT_MAX_EVENT_BYTES, eventSizeError } from './wire-limits.js';

/** Options of {@link SseParser}. */
export interface SseParserOptions {
  /**
   * Longest line, and longest `data` of one event, in UTF-16 code units (what JavaScript
   * string lengths count; never more than the UTF-8 bytes they came from). A longer one
   * makes `push` throw a `LENS_PROVIDER_PROTOCOL` error before it is buffered. Default
   * `DEFAULT_MAX_EVENT_BYTES` (8 MiB).
   */
  maxEventChars?: number;
}

const LF = 10;
const SPACE = 32;
const BOM = 0xfeff;

/**
 * Incremental Server-Sent Events framing, per the WHATWG HTML spec
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 * Feed it network chunks as they arrive; it calls back once per complete event. It never
 * concatenates per byte: each chunk is decoded once and scanned for line ends with indexOf.
 * What it buffers is bounded by `maxEventChars`, so a server that never ends a line or an
 * event cannot exhaust memory; once it has thrown, the parser is spent.
 */
export class SseParser {
  readonly #maxEventChars: number;
  // Node's StringDecoder keeps a multi-byte character split across chunks and replaces
  // invalid bytes exactly as TextDecoder does, at about a third of TextDecoder's cost per
  // chunk (one chunk per token event makes that count). It does not strip the BOM: #decode
  // does, once, as TextDecoder's default ignoreBOM: false would.
  readonly #decoder = new StringDecoder('utf8');
  #isAtStart = true;
  /** Text of a line whose end has not arrived yet. */
  #partialLine = '';
  /** The previous chunk ended in '\r': a '\n' opening the next chunk belongs to that line end. */
  #afterCr = false;
  #data = '';
  #dataLines = 0;
  #eventType = '';
  #lastEventId: string | undefined;
  #ended = false;
  #discardedAtEnd = false;

  constructor(options: SseParserOptions = {}) {
    this.#maxEventChars = checkMaxEventBytes(options.maxEventChars ?? DEFAULT_MAX_EVENT_BYTES);
  }

  /**
   * Whether bytes of an unfinished event are buffered (a partial line, or data lines not yet
   * closed by a blank line). After `end()`, whether such bytes were discarded: a stream cut
   * mid-event.
   */
  get hasPendingData(): boolean {
    if (this.#ended) return this.#discardedAtEnd;
    return this.#partialLine.length > 0 || this.#dataLines > 0;
  }

  /**
   * Feeds one chunk of the body; calls `onEvent` for every event the chunk completes. Throws
   * a `LENS_PROVIDER_PROTOCOL` LensProviderError when a line or event exceeds `maxEventChars`.
   */
  push(chunk: Uint8Array, onEvent: (event: SseEvent) => void): void {
    const text = this.#decode(this.#decoder.write(chunk));
    if (text.length > 0) this.#feed(text, onEvent);
  }

  /**
   * The body ended. Flushes the decoder; an event not closed by a blank line is discarded,
   * as the spec requires (check `hasPendingData` to tell a truncated stream). A caller that
   * must know what was cut off passes `onUnterminatedEvent`: it hears that event (its last
   * line read as if its line end had arrived) as a blank line would have dispatched it,
   * without it counting as an event. OpenAI's SDKs, for one, take a final `data: [DONE]`
   * without the blank line as the end of the stream.
   */
  end(onEvent: (event: SseEvent) => void, onUnterminatedEvent?: (event: SseEvent) => void): void {
    const rest = this.#decode(this.#decoder.end());
    if (rest.length > 0) this.#feed(rest, onEvent);
    this.#discardedAtEnd = this.#partialLine.length > 0 || this.#dataLines > 0;
    if (this.#discardedAtEnd && onUnterminatedEvent !== undefined) {
      if (this.#partialLine.length > 0) {
        const line = this.#partialLine;
        this.#partialLine = '';
        // A non-empty line never dispatches, so onEvent cannot hear the cut event.
        this.#processLine(line, onEvent);
      }
      if (this.#dataLines > 0) onUnterminatedEvent(this.#takeEvent());
    }
    this.#ended = true;
    this.#partialLine = '';
    this.#data = '';
    this.#dataLines = 0;
    this.#eventType = '';
  }

  /** Strips the one byte order mark the spec allows, at the very start of the stream. */
  #decode(text: string): string {
    if (!this.#isAtStart || text.length === 0) return text;
    this.#isAtStart = false;
    return text.charCodeAt(0) === BOM ? text.slice(1) : text;
  }

  #feed(text: string, onEvent: (event: SseEvent) => void): void {
    const length = text.length;
    let lineStart = 0;
    if (this.#afterCr) {
      this.#afterCr = false;
      if (text.charCodeAt(0) === LF) lineStart = 1;
    }
    // Positions of the next '\n' and '\r', searched natively and reused until passed.
    let nextLf = text.indexOf('\n', lineStart);
    let nextCr = text.indexOf('\r', lineStart);
    const maxChars = this.#maxEventChars;
    while (nextLf !== -1 || nextCr !== -1) {
      const lineEnd = nextCr === -1 || (nextLf !== -1 && nextLf < nextCr) ? nextLf : nextCr;
      if (this.#partialLine.length + (lineEnd - lineStart) > maxChars) this.#tooLarge();
      let line = text.slice(lineStart, lineEnd);
      if (this.#partialLine.length > 0) {
        line = this.#partialLine + line;
        this.#partialLine = '';
      }
      this.#processLine(line, onEvent);
      lineStart = lineEnd + 1;
      if (lineEnd === nextCr) {
        if (lineStart === length) {
          this.#afterCr = true;
        } else if (text.charCodeAt(lineStart) === LF) {
          lineStart += 1;
        }
      }
      if (nextLf !== -1 && nextLf < lineStart) nextLf = text.indexOf('\n', lineStart);
      if (nextCr !== -1 && nextCr < lineStart) nextCr = text.indexOf('\r', lineStart);
    }
    if (lineStart < length) {
      // Checked before concatenating: an endless line must fail at the limit, not at OOM.
      if (this.#partialLine.length + (length - lineStart) > maxChars) this.#tooLarge();
      this.#partialLine =
        this.#partialLine.length > 0
          ? this.#partialLine + text.slice(lineStart)
          : text.slice(lineStart);
    }
  }

  #processLine(line: string, onEvent: (event: SseEvent) => void): void {
    const length = line.length;
    if (length === 0) {
      this.#dispatch(onEvent);
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) return; // comment (keep-alive)
    let valueStart = colon === -1 ? length : colon + 1;
    if (valueStart < length && line.charCodeAt(valueStart) === SPACE) valueStart += 1;
    const fieldEnd = colon === -1 ? length : colon;
    // Field names are compared in place so a data line allocates only its value.
    if (fieldEnd === 4 && line.startsWith('data')) {
      // Each line fits the limit; many short data lines of one event must fit it together.
      if (
        this.#dataLines > 0 &&
        this.#data.length + 1 + (length - valueStart) > this.#maxEventChars
      ) {
        this.#tooLarge();
      }
      const value = line.slice(valueStart);
      this.#data = this.#dataLines === 0 ? value : this.#data + '\n' + value;
      this.#dataLines += 1;
    } else if (fieldEnd === 5 && line.startsWith('event')) {
      this.#eventType = line.slice(valueStart);
    } else if (fieldEnd === 2 && line.startsWith('id')) {
      const value = line.slice(valueStart);
      if (!value.includes('\0')) this.#lastEventId = value;
    }
    // `retry` and unknown fields are ignored: reconnection is not this parser's job.
  }

  #dispatch(onEvent: (event: SseEvent) => void): void {
    if (this.#dataLines === 0) {
      // The spec resets the type even when nothing is dispatched.
      this.#eventType = '';
      return;
    }
    onEvent(this.#takeEvent());
  }

  /** The buffered event, leaving the buffers empty for the next one. */
  #takeEvent(): SseEvent {
    const event: SseEvent =
      this.#lastEventId === undefined
        ? { event: this.#eventType, data: this.#data }
        : { event: this.#eventType, data: this.#data, id: this.#lastEventId };
    this.#data = '';
    this.#dataLines = 0;
    this.#eventType = '';
    return event;
  }

  /** Drops what is buffered (its memory goes at once) and throws the size error. */
  #tooLarge(): never {
    this.#partialLine = '';
    this.#data = '';
    this.#dataLines = 0;
    throw eventSizeError('an event-stream line or event', this.#maxEventChars);
  }
}
