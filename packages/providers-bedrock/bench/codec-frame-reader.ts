// The reader as it was before the hand-written decoder (the same buffering, each frame
// decoded by @smithy/eventstream-codec), kept verbatim as the benchmark's baseline.
import { crc32 } from 'node:zlib';
import {
  checkMaxEventBytes,
  DEFAULT_MAX_EVENT_BYTES,
  eventSizeError,
} from '@llm-lens/providers-core';
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { protocolError } from '../src/bedrock-payload.js';

const PRELUDE_BYTES = 12;
/** Prelude and message checksum: a frame with no headers and no payload. */
const MIN_FRAME_BYTES = 16;

// Stateless for `decode` (only `feed` buffers), so one instance serves every reader.
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** The value of a string header of a frame, or undefined. */
export function codecStringHeader(message: Message, name: string): string | undefined {
  const header = message.headers[name];
  return header?.type === 'string' ? header.value : undefined;
}

function decodeFrame(frame: Uint8Array): Message {
  try {
    return codec.decode(frame);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw protocolError(`a corrupt AWS event-stream frame: ${reason}`, cause);
  }
}

/**
 * Cuts an `application/vnd.amazon.eventstream` body into frames, whatever the chunking: a
 * frame split across chunks is buffered until its prelude's total length has arrived, and
 * a chunk holding several frames yields them all. Each frame is checked (prelude CRC as soon
 * as its 12 bytes are in, so a corrupt length never makes the reader wait for bytes that
 * will not come; then the message CRC) and decoded with @smithy/eventstream-codec. A bad
 * checksum or impossible lengths throw a `LENS_PROVIDER_PROTOCOL` error; a frame longer than
 * `maxFrameBytes` throws the event-size error.
 */
export class CodecFrameReader {
  readonly #maxFrameBytes: number;
  /** Bytes of the unfinished frame, in arrival order. */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Total length of the unfinished frame once its prelude is read; 0 before. */
  #frameBytes = 0;

  /** @param maxFrameBytes largest frame accepted; default `DEFAULT_MAX_EVENT_BYTES` (8 MiB) */
  constructor(maxFrameBytes: number = DEFAULT_MAX_EVENT_BYTES) {
    this.#maxFrameBytes = checkMaxEventBytes(maxFrameBytes);
  }

  /** Whether bytes of an unfinished frame are held (the body ended mid-frame if it ends now). */
  get hasPartialFrame(): boolean {
    return this.#pendingBytes > 0;
  }

  /** Feeds body bytes; calls `onFrame` for every frame they complete, in order. */
  push(chunk: Uint8Array, onFrame: (message: Message) => void): void {
    let data: Uint8Array;
    if (this.#pendingBytes === 0) {
      data = chunk;
    } else {
      // Kept as a copy: the transport's contract does not promise a chunk's bytes outlive
      // the call that hands them over.
      this.#pending.push(chunk.slice());
      this.#pendingBytes += chunk.byteLength;
      const needed = this.#frameBytes === 0 ? PRELUDE_BYTES : this.#frameBytes;
      // Joined once, when the frame is complete: a large frame in many small chunks is not
      // re-concatenated on every chunk.
      if (this.#pendingBytes < needed) return;
      data = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    let offset = 0;
    while (data.byteLength - offset >= PRELUDE_BYTES) {
      if (this.#frameBytes === 0) this.#frameBytes = this.#readPrelude(data, offset);
      const frameBytes = this.#frameBytes;
      if (data.byteLength - offset < frameBytes) break;
      this.#frameBytes = 0;
      const frame = decodeFrame(data.subarray(offset, offset + frameBytes));
      offset += frameBytes;
      onFrame(frame);
    }
    if (offset < data.byteLength) {
      this.#pending = [data.slice(offset)];
      this.#pendingBytes = data.byteLength - offset;
    }
  }

  /** The frame's total length, after checking the prelude's checksum and lengths. */
  #readPrelude(data: Uint8Array, offset: number): number {
    const view = new DataView(data.buffer, data.byteOffset + offset, PRELUDE_BYTES);
    const totalBytes = view.getUint32(0);
    const headersBytes = view.getUint32(4);
    const expectedCrc = view.getUint32(8);
    const actualCrc = crc32(data.subarray(offset, offset + 8));
    if (actualCrc !== expectedCrc) {
      throw protocolError(
        `a corrupt AWS event-stream frame: the prelude checksum is ${expectedCrc} but the prelude's CRC32 is ${actualCrc}`,
      );
    }
    if (totalBytes < MIN_FRAME_BYTES || headersBytes > totalBytes - MIN_FRAME_BYTES) {
      throw protocolError(
        `a corrupt AWS event-stream frame: it declares ${totalBytes} bytes in all with ${headersBytes} bytes of headers (a frame has at least ${MIN_FRAME_BYTES} bytes besides its headers)`,
      );
    }
    if (totalBytes > this.#maxFrameBytes) {
      throw eventSizeError('an AWS event-stream frame', this.#maxFrameBytes);
    }
    return totalBytes;
  }
}
