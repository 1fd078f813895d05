import { crc32 } from 'node:zlib';
import {
  checkMaxEventBytes,
  DEFAULT_MAX_EVENT_BYTES,
  eventSizeError,
  type LensProviderError,
  type StreamErrorPayload,
  truncateErrorMessage,
} from '@llm-lens/providers-core';
import { asObject, asString, protocolError, utf8 } from './bedrock-payload.js';

// Framing: https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html#streaming-event-stream
// (the same application/vnd.amazon.eventstream every AWS streaming API uses). A frame is a
// 12-byte prelude (total length, headers length, CRC32 of those 8 bytes), the headers, the
// payload and a CRC32 of everything before it. Each header is a 1-byte name length, the
// name, a 1-byte type tag and a value whose size the tag fixes (or a 2-byte length prefixes).
//
// Decoded here rather than by @smithy/eventstream-codec: every frame is decoded on the thread
// that stamps arrival times, and this is several times cheaper per frame (bench/, README).

/** The media type of an AWS event stream. */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

const PRELUDE_BYTES = 12;
const CRC_BYTES = 4;
/** Prelude and message checksum: a frame with no headers and no payload. */
const MIN_FRAME_BYTES = PRELUDE_BYTES + CRC_BYTES;

/** A header's value, by the type tag it was written with. */
export type EventStreamHeaderValue =
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'byte' | 'short' | 'integer'; readonly value: number }
  | { readonly type: 'long'; readonly value: bigint }
  | { readonly type: 'binary'; readonly value: Uint8Array }
  | { readonly type: 'string'; readonly value: string }
  /** Milliseconds since the epoch, as the spec has it. */
  | { readonly type: 'timestamp'; readonly value: Date }
  /** Lower-case hex in 8-4-4-4-12 groups. */
  | { readonly type: 'uuid'; readonly value: string };

/** A decoded frame: its headers by name (the last wins when a name repeats) and its payload. */
export interface EventStreamFrame {
  readonly headers: ReadonlyMap<string, EventStreamHeaderValue>;
  /** A view into the bytes the reader was given, not a copy: only sure to hold during `onFrame`. */
  readonly payload: Uint8Array;
}

const TRUE: EventStreamHeaderValue = Object.freeze({ type: 'boolean', value: true });
const FALSE: EventStreamHeaderValue = Object.freeze({ type: 'boolean', value: false });

/** The value of a string header of a frame, or undefined. */
export function stringHeader(frame: EventStreamFrame, name: string): string | undefined {
  const header = frame.headers.get(name);
  return header?.type === 'string' ? header.value : undefined;
}

function corrupt(reason: string): LensProviderError {
  return protocolError(`a corrupt AWS event-stream frame: ${reason}`);
}

// CRC-32 (the zlib polynomial) in JS for the 8-byte prelude only: a call into zlib.crc32
// costs several times what 8 table lookups do. Whole frames go through zlib.crc32.
const CRC_TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c;
}

function preludeCrc(bytes: Uint8Array, at: number): number {
  let c = -1;
  for (let i = at; i < at + 8; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function uint32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  );
}

function int32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

function int64(bytes: Uint8Array, at: number): bigint {
  return (BigInt(int32(bytes, at)) << 32n) | BigInt(uint32(bytes, at + 4));
}

// Every frame repeats the same few header names and values (":event-type",
// "contentBlockDelta", …). Comparing a short byte run with the one seen last in its slot is
// far cheaper than decoding it into a new string, which was the largest cost per frame.
const INTERNED_MAX_BYTES = 64;
const INTERN_SLOTS = 128;
const internedBytes: (Uint8Array | undefined)[] = new Array(INTERN_SLOTS).fill(undefined);
const internedText: string[] = new Array(INTERN_SLOTS).fill('');

/** The UTF-8 text of `bytes[start, end)`. */
function text(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length === 0 || length > INTERNED_MAX_BYTES) return utf8(bytes.subarray(start, end));
  const slot =
    (length * 31 + bytes[start]! * 7 + bytes[start + (length >> 1)]! * 3 + bytes[end - 1]!) &
    (INTERN_SLOTS - 1);
  const known = internedBytes[slot];
  if (known !== undefined && known.length === length) {
    let i = 0;
    while (i < length && known[i] === bytes[start + i]) i++;
    if (i === length) return internedText[slot]!;
  }
  const copy = bytes.slice(start, end);
  const decoded = utf8(copy);
  internedBytes[slot] = copy;
  internedText[slot] = decoded;
  return decoded;
}

const HEX = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));

function uuid(bytes: Uint8Array, at: number): string {
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[bytes[at + i]!];
  }
  return out;
}

/** Throws unless `size` bytes of the value of header `name` at `at` lie before `end`. */
function checkFits(at: number, size: number, end: number, name: string): void {
  if (at + size > end) {
    throw corrupt(
      `the value of the header ${JSON.stringify(name.slice(0, 40))} runs past the end of the headers`,
    );
  }
}

/** The headers in `bytes[start, end)`, which must hold whole headers and nothing else. */
function readHeaders(
  bytes: Uint8Array,
  start: number,
  end: number,
): Map<string, EventStreamHeaderValue> {
  const headers = new Map<string, EventStreamHeaderValue>();
  let at = start;
  while (at < end) {
    const nameEnd = at + 1 + bytes[at]!;
    // The name and the type tag after it.
    if (nameEnd + 1 > end) throw corrupt('a header name runs past the end of the headers');
    const name = text(bytes, at + 1, nameEnd);
    const tag = bytes[nameEnd]!;
    at = nameEnd + 1;
    let value: EventStreamHeaderValue;
    switch (tag) {
      case 0:
        value = TRUE;
        break;
      case 1:
        value = FALSE;
        break;
      case 2:
        checkFits(at, 1, end, name);
        value = { type: 'byte', value: (bytes[at]! << 24) >> 24 };
        at += 1;
        break;
      case 3:
        checkFits(at, 2, end, name);
        value = { type: 'short', value: ((bytes[at]! << 24) >> 16) | bytes[at + 1]! };
        at += 2;
        break;
      case 4:
        checkFits(at, 4, end, name);
        value = { type: 'integer', value: int32(bytes, at) };
        at += 4;
        break;
      case 5:
        checkFits(at, 8, end, name);
        value = { type: 'long', value: int64(bytes, at) };
        at += 8;
        break;
      case 6:
      case 7: {
        checkFits(at, 2, end, name);
        const valueEnd = at + 2 + ((bytes[at]! << 8) | bytes[at + 1]!);
        checkFits(at, valueEnd - at, end, name);
        value =
          tag === 6
            ? { type: 'binary', value: bytes.subarray(at + 2, valueEnd) }
            : { type: 'string', value: text(bytes, at + 2, valueEnd) };
        at = valueEnd;
        break;
      }
      case 8:
        checkFits(at, 8, end, name);
        value = { type: 'timestamp', value: new Date(Number(int64(bytes, at))) };
        at += 8;
        break;
      case 9:
        checkFits(at, 16, end, name);
        value = { type: 'uuid', value: uuid(bytes, at) };
        at += 16;
        break;
      default:
        throw corrupt(
          `the header ${JSON.stringify(name.slice(0, 40))} has the unknown value type ${tag} (0 to 9 are defined)`,
        );
    }
    headers.set(name, value);
  }
  return headers;
}

/** The frame in `bytes[start, end)`, whose prelude `#readPrelude` has checked. */
function decodeFrame(bytes: Uint8Array, start: number, end: number): EventStreamFrame {
  const crcAt = end - CRC_BYTES;
  const expectedCrc = uint32(bytes, crcAt);
  // The message CRC runs on from the prelude's, which the prelude itself holds (checked).
  const actualCrc = crc32(bytes.subarray(start + 8, crcAt), uint32(bytes, start + 8));
  if (actualCrc !== expectedCrc) {
    throw corrupt(`the message checksum is ${expectedCrc} but the frame's CRC32 is ${actualCrc}`);
  }
  const headersEnd = start + PRELUDE_BYTES + uint32(bytes, start + 4);
  return {
    headers: readHeaders(bytes, start + PRELUDE_BYTES, headersEnd),
    payload: bytes.subarray(headersEnd, crcAt),
  };
}

/**
 * Cuts an `application/vnd.amazon.eventstream` body into frames, whatever the chunking: a
 * frame split across chunks is buffered until its prelude's total length has arrived, and
 * a chunk holding several frames yields them all. Each frame is checked (prelude CRC as soon
 * as its 12 bytes are in, so a corrupt length never makes the reader wait for bytes that
 * will not come; then the message CRC; then that the headers fill their section exactly,
 * with known value types) and decoded without copying its payload. A bad checksum,
 * impossible lengths or malformed headers throw a `LENS_PROVIDER_PROTOCOL` error; a frame
 * longer than `maxFrameBytes` throws the event-size error.
 */
export class EventStreamFrameReader {
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
  push(chunk: Uint8Array, onFrame: (frame: EventStreamFrame) => void): void {
    let joined: Uint8Array;
    if (this.#pendingBytes === 0) {
      joined = chunk;
    } else {
      // Kept as a copy: the transport's contract does not promise a chunk's bytes outlive
      // the call that hands them over.
      this.#pending.push(chunk.slice());
      this.#pendingBytes += chunk.byteLength;
      const needed = this.#frameBytes === 0 ? PRELUDE_BYTES : this.#frameBytes;
      // Joined once, when the frame is complete: a large frame in many small chunks is not
      // re-concatenated on every chunk.
      if (this.#pendingBytes < needed) return;
      joined = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    // A plain view: Buffer's subarray goes through a JS constructor, several per frame.
    const data =
      joined.constructor === Uint8Array
        ? joined
        : new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
    let offset = 0;
    while (data.byteLength - offset >= PRELUDE_BYTES) {
      if (this.#frameBytes === 0) this.#frameBytes = this.#readPrelude(data, offset);
      const frameBytes = this.#frameBytes;
      if (data.byteLength - offset < frameBytes) break;
      this.#frameBytes = 0;
      const frame = decodeFrame(data, offset, offset + frameBytes);
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
    const totalBytes = uint32(data, offset);
    const headersBytes = uint32(data, offset + 4);
    const expectedCrc = uint32(data, offset + 8);
    const actualCrc = preludeCrc(data, offset);
    if (actualCrc !== expectedCrc) {
      throw corrupt(
        `the prelude checksum is ${expectedCrc} but the prelude's CRC32 is ${actualCrc}`,
      );
    }
    if (totalBytes < MIN_FRAME_BYTES || headersBytes > totalBytes - MIN_FRAME_BYTES) {
      throw corrupt(
        `it declares ${totalBytes} bytes in all with ${headersBytes} bytes of headers (a frame has at least ${MIN_FRAME_BYTES} bytes besides its headers)`,
      );
    }
    if (totalBytes > this.#maxFrameBytes) {
      throw eventSizeError('an AWS event-stream frame', this.#maxFrameBytes);
    }
    return totalBytes;
  }
}

/** A frame, by its `:message-type`: an event with its type and payload, or an error. */
export type FrameContent =
  | { kind: 'event'; eventType: string; payload: Uint8Array }
  | { kind: 'error'; error: StreamErrorPayload };

function exceptionMessage(payload: Uint8Array): string {
  const text = utf8(payload);
  try {
    const body = asObject(JSON.parse(text));
    // Bedrock writes `message`; some AWS services capitalise it.
    const message = asString(body?.message) || asString(body?.Message);
    if (message.length > 0) return message;
  } catch {
    // Not JSON: the raw text is the best description there is.
  }
  return text.trim() || 'the server reported an exception without a message';
}

/**
 * Reads a frame's `:message-type`: `event` (with `:event-type`), `exception` (a modelled
 * error such as `throttlingException`, its text in the JSON payload's `message`) or
 * `error` (`:error-code` and `:error-message` headers). Anything else is a protocol error.
 */
export function readFrame(frame: EventStreamFrame): FrameContent {
  const messageType = stringHeader(frame, ':message-type') ?? 'event';
  switch (messageType) {
    case 'event':
      return {
        kind: 'event',
        eventType: stringHeader(frame, ':event-type') ?? '',
        payload: frame.payload,
      };
    case 'exception': {
      const error: StreamErrorPayload = {
        message: truncateErrorMessage(exceptionMessage(frame.payload)),
      };
      const type = stringHeader(frame, ':exception-type');
      if (type !== undefined && type.length > 0) error.type = truncateErrorMessage(type);
      return { kind: 'error', error };
    }
    case 'error': {
      const code = stringHeader(frame, ':error-code');
      const text = stringHeader(frame, ':error-message') ?? '';
      const error: StreamErrorPayload = {
        message: truncateErrorMessage(text || 'the server reported an error without a message'),
      };
      if (code !== undefined && code.length > 0) error.type = truncateErrorMessage(code);
      return { kind: 'error', error };
    }
    default:
      throw protocolError(
        `an AWS event-stream frame has the unknown :message-type ${JSON.stringify(messageType.slice(0, 40))} (expected event, exception or error)`,
      );
  }
}
