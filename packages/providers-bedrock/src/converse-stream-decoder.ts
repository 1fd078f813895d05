import type { DecoderOptions, ResponseDecoder, StreamEvent } from '@llm-lens/providers-core';
import { asObject, asString, type JsonObject, parseObject, utf8 } from './bedrock-payload.js';
import { serverTimings, toConverseUsage } from './bedrock-usage.js';
import {
  EVENT_STREAM_CONTENT_TYPE,
  type EventStreamFrame,
  EventStreamFrameReader,
  readFrame,
} from './event-stream-reader.js';

// Events: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
// (ConverseStreamOutput). Each event's JSON may carry a `p` field of random length: padding
// against length side channels, never content.

/**
 * Decodes a ConverseStream body (`application/vnd.amazon.eventstream`). Token events are
 * `contentBlockDelta`s: `delta.text` (answer), `delta.reasoningContent.text` (reasoning; its
 * `signature` and `redactedContent` are not tokens) and `delta.toolUse.input` (tool input);
 * an empty string is no token. `messageStop` is the end marker; the `metadata` event that
 * follows it carries the usage and the server's `metrics.latencyMs` (as the server timing
 * `latency_ms`): the decoder awaits that trailer after the marker and reads nothing else
 * there (deltas, exceptions, a second metadata, broken frames change nothing). Exception and
 * error frames before the marker are server-reported errors.
 */
export class ConverseStreamDecoder implements ResponseDecoder {
  readonly expectedContentType = EVENT_STREAM_CONTENT_TYPE;
  readonly #reader: EventStreamFrameReader;
  #emit: (event: StreamEvent) => void = () => {};
  #sawStop = false;
  /** After messageStop: the metadata trailer arrived, or something that ends the wait for it. */
  #isTrailerSettled = false;
  // Bound once: the reader calls it for every frame.
  readonly #onFrame = (frame: EventStreamFrame): void => this.#handle(frame);

  constructor(options: DecoderOptions = {}) {
    this.#reader = new EventStreamFrameReader(options.maxEventBytes);
  }

  get sawEndMarker(): boolean {
    return this.#sawStop;
  }

  get awaitsTrailer(): boolean {
    return this.#sawStop && !this.#isTrailerSettled;
  }

  push(chunk: Uint8Array, emit: (event: StreamEvent) => void): void {
    this.#emit = emit;
    if (this.#sawStop && this.#isTrailerSettled) return;
    try {
      this.#reader.push(chunk, this.#onFrame);
    } catch (error) {
      // A broken frame after the marker cannot undo a complete response.
      if (!this.#sawStop) throw error;
      this.#isTrailerSettled = true;
    }
  }

  end(_emit: (event: StreamEvent) => void): void {
    // A body that ends inside a frame lacks what the frame held; without messageStop it is
    // reported as interrupted, so there is nothing to flush.
  }

  #handle(received: EventStreamFrame): void {
    if (this.#sawStop) {
      this.#handleTrailer(received);
      return;
    }
    const frame = readFrame(received);
    if (frame.kind === 'error') {
      this.#emit({ text: '', reasoningText: '', toolText: '', error: frame.error });
      return;
    }
    switch (frame.eventType) {
      case 'contentBlockDelta': {
        const payload = parseObject(
          utf8(frame.payload),
          'a ConverseStream contentBlockDelta event',
        );
        const delta = asObject(payload.delta);
        if (delta === undefined) return;
        const text = asString(delta.text);
        const reasoningText = asString(asObject(delta.reasoningContent)?.text);
        const toolText = asString(asObject(delta.toolUse)?.input);
        if (text.length > 0 || reasoningText.length > 0 || toolText.length > 0) {
          this.#emit({ text, reasoningText, toolText });
        }
        return;
      }
      case 'messageStop':
        this.#sawStop = true;
        return;
      case 'metadata':
        this.#emitMetadata(parseObject(utf8(frame.payload), 'a ConverseStream metadata event'));
        return;
      default:
        // messageStart, contentBlockStart (a tool's name and id are not tokens),
        // contentBlockStop and event types added later.
        return;
    }
  }

  /** After messageStop: the first metadata event, whole and sound, is read; nothing else. */
  #handleTrailer(received: EventStreamFrame): void {
    if (this.#isTrailerSettled) return;
    let frame: ReturnType<typeof readFrame>;
    try {
      frame = readFrame(received);
    } catch {
      this.#isTrailerSettled = true;
      return;
    }
    if (frame.kind !== 'event' || frame.eventType !== 'metadata') return;
    this.#isTrailerSettled = true;
    let payload: JsonObject;
    try {
      payload = parseObject(utf8(frame.payload), 'a ConverseStream metadata event');
    } catch {
      return;
    }
    this.#emitMetadata(payload);
  }

  #emitMetadata(payload: JsonObject): void {
    const event: StreamEvent = { text: '', reasoningText: '', toolText: '' };
    const usage = toConverseUsage(payload.usage);
    if (usage !== undefined) event.usage = usage;
    const metrics = asObject(payload.metrics);
    const timings = metrics && serverTimings(metrics, { latencyMs: 'latency_ms' });
    if (timings !== undefined) event.serverTimings = timings;
    if (event.usage !== undefined || event.serverTimings !== undefined) this.#emit(event);
  }
}
