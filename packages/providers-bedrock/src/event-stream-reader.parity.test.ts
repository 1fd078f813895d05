// The hand-written frame decoder against @smithy/eventstream-codec, the codec the AWS SDKs
// use: random frames with headers of every type, decoded by both, must agree exactly.
import { crc32 } from 'node:zlib';
import { LensProviderError } from '@llm-lens/providers-core';
import {
  EventStreamCodec,
  Int64,
  type Message,
  type MessageHeaders,
  type MessageHeaderValue,
} from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import {
  type EventStreamFrame,
  EventStreamFrameReader,
  type EventStreamHeaderValue,
} from './event-stream-reader.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** A seeded PRNG (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(0x5eed);
const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
const bytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => int(0, 255));

// Code points from ASCII to the astral planes, never a lone surrogate.
const CODE_POINT_RANGES: readonly [number, number][] = [
  [0x20, 0x7e],
  [0x00, 0x1f],
  [0xa0, 0x7ff],
  [0x800, 0xd7ff],
  [0xe000, 0xfffd],
  [0x10000, 0x10ffff],
];

function randomText(maxChars: number): string {
  let text = '';
  const length = int(0, maxChars);
  for (let i = 0; i < length; i++) {
    const [low, high] = CODE_POINT_RANGES[next() < 0.7 ? 0 : int(1, 5)]!;
    text += String.fromCodePoint(int(low, high));
  }
  return text;
}

// Names and values that repeat, as real streams repeat theirs; the pairs of the same length
// and the same first, middle and last bytes share a slot of the decoder's string cache.
const POOL = [
  ':event-type',
  ':content-type',
  ':message-type',
  'contentBlockDelta',
  'application/json',
  'event',
  'abcde',
  'axcye',
  'abzde',
  'x'.repeat(64),
  'y'.repeat(65),
];

function randomString(maxChars: number, maxBytes: number): string {
  for (;;) {
    const text = next() < 0.4 ? POOL[int(0, POOL.length - 1)]! : randomText(maxChars);
    if (fromUtf8(text).byteLength <= maxBytes) return text;
  }
}

function randomHeaderValue(): MessageHeaderValue {
  switch (int(0, 8)) {
    case 0:
      return { type: 'boolean', value: next() < 0.5 };
    case 1:
      return { type: 'byte', value: int(-128, 127) };
    case 2:
      return { type: 'short', value: int(-32768, 32767) };
    case 3:
      return { type: 'integer', value: int(-2147483648, 2147483647) };
    case 4:
      return { type: 'long', value: new Int64(bytes(8)) };
    case 5:
      return { type: 'binary', value: bytes(next() < 0.8 ? int(0, 40) : int(41, 600)) };
    case 6:
      return { type: 'string', value: randomString(next() < 0.8 ? 30 : 400, 32767) };
    case 7:
      // Milliseconds across the whole range a Date holds, before and after 1970.
      return { type: 'timestamp', value: new Date(int(-8.64e15, 8.64e15)) };
    default: {
      const hex = Buffer.from(bytes(16)).toString('hex');
      const value = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      return { type: 'uuid', value };
    }
  }
}

function randomMessage(): Message {
  const headers: MessageHeaders = {};
  const count = int(0, 8);
  for (let i = 0; i < count; i++) headers[randomString(12, 255)] = randomHeaderValue();
  const body = next() < 0.5 ? fromUtf8(randomText(200)) : bytes(int(0, 3000));
  return { headers, body };
}

/**
 * Rewrites the type tag of binary headers to string, with fresh checksums: string headers
 * whose bytes are not valid UTF-8, which no encoder of strings would write.
 */
function binaryAsString(frame: Uint8Array): Uint8Array {
  const out = Buffer.from(frame);
  const headersEnd = 12 + out.readUInt32BE(4);
  let at = 12;
  while (at < headersEnd) {
    at += 1 + out[at]!;
    const tag = out[at]!;
    const sizes = [0, 0, 1, 2, 4, 8, -1, -1, 8, 16];
    if (tag === 6) out[at] = 7;
    at += 1;
    const size = sizes[tag]!;
    at += size >= 0 ? size : 2 + out.readUInt16BE(at);
  }
  out.writeUInt32BE(crc32(out.subarray(0, out.byteLength - 4)), out.byteLength - 4);
  return out;
}

type Comparable = [string, string, string | number | boolean][];

function hex(value: Uint8Array): string {
  return Buffer.from(value).toString('hex');
}

function fromCodec(headers: MessageHeaders): Comparable {
  return Object.entries(headers).map(([name, header]): Comparable[number] => {
    switch (header.type) {
      case 'long':
        return [name, header.type, hex(header.value.bytes)];
      case 'binary':
        return [name, header.type, hex(header.value)];
      case 'timestamp':
        return [name, header.type, header.value.getTime()];
      default:
        return [name, header.type, header.value];
    }
  });
}

function int64Hex(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16).padStart(16, '0');
}

function fromReader(headers: ReadonlyMap<string, EventStreamHeaderValue>): Comparable {
  return [...headers].map(([name, header]): Comparable[number] => {
    switch (header.type) {
      case 'long':
        return [name, header.type, int64Hex(header.value)];
      case 'binary':
        return [name, header.type, hex(header.value)];
      case 'timestamp':
        return [name, header.type, header.value.getTime()];
      default:
        return [name, header.type, header.value];
    }
  });
}

const byName = (a: Comparable[number], b: Comparable[number]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/** Cuts `body` at random places, one to a few hundred bytes apart. */
function randomCuts(body: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < body.byteLength; ) {
    const size = next() < 0.3 ? int(1, 16) : int(17, 4000);
    pieces.push(body.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

/** A frame of raw header bytes, with correct lengths and checksums. */
function rawFrame(headers: readonly number[], payload = '{}'): Uint8Array {
  const body = Buffer.from(payload);
  const frame = Buffer.alloc(16 + headers.length + body.byteLength);
  frame.writeUInt32BE(frame.byteLength, 0);
  frame.writeUInt32BE(headers.length, 4);
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8);
  frame.set(headers, 12);
  frame.set(body, 12 + headers.length);
  frame.writeUInt32BE(crc32(frame.subarray(0, frame.byteLength - 4)), frame.byteLength - 4);
  return frame;
}

function readerError(frame: Uint8Array): LensProviderError {
  try {
    new EventStreamFrameReader().push(frame, () => {});
  } catch (error) {
    expect(error).toBeInstanceOf(LensProviderError);
    const lensError = error as LensProviderError;
    expect(lensError.code).toBe('LENS_PROVIDER_PROTOCOL');
    expect(lensError.errorClass).toBe('protocol');
    return lensError;
  }
  throw new Error('expected a protocol error');
}

const ascii = (text: string): number[] => [...Buffer.from(text)];

describe('EventStreamFrameReader against @smithy/eventstream-codec', () => {
  it('decodes 3000 random frames, headers of every type, exactly as the codec does', () => {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 3000; i++) {
      const encoded = codec.encode(randomMessage());
      frames.push(next() < 0.1 ? binaryAsString(encoded) : encoded);
    }
    const expected = frames.map((frame) => codec.decode(frame));
    const types = new Set(expected.flatMap((m) => Object.values(m.headers).map((h) => h.type)));
    expect([...types].sort()).toEqual([
      'binary',
      'boolean',
      'byte',
      'integer',
      'long',
      'short',
      'string',
      'timestamp',
      'uuid',
    ]);

    const decoded: EventStreamFrame[] = [];
    const reader = new EventStreamFrameReader();
    // Payloads are views into the bytes pushed: compared while they are valid.
    const payloads: string[] = [];
    for (const piece of randomCuts(Buffer.concat(frames))) {
      reader.push(piece, (frame) => {
        decoded.push(frame);
        payloads.push(hex(frame.payload));
      });
    }
    expect(reader.hasPartialFrame).toBe(false);
    expect(decoded).toHaveLength(expected.length);
    for (let i = 0; i < expected.length; i++) {
      const want = expected[i]!;
      expect(fromReader(decoded[i]!.headers).sort(byName)).toEqual(
        fromCodec(want.headers).sort(byName),
      );
      expect(payloads[i]).toBe(hex(want.body));
    }
  });

  it('fails as protocol on headers that overrun their section, which the codec reads past', () => {
    // ":a" as a string whose declared length runs into the payload.
    const overrun = rawFrame([2, ...ascii(':a'), 7, 0, 5, ...ascii('abc')], 'de!!');
    expect(codec.decode(overrun).headers[':a']).toEqual({ type: 'string', value: 'abcde' });
    expect(readerError(overrun).message).toBe(
      'a corrupt AWS event-stream frame: the value of the header ":a" runs past the end of the headers',
    );
    for (const [tag, size] of [
      [2, 1],
      [3, 2],
      [4, 4],
      [5, 8],
      [6, 2],
      [8, 8],
      [9, 16],
    ] as const) {
      const cut = rawFrame([1, ...ascii('n'), tag, ...new Array<number>(size - 1).fill(0)]);
      expect(readerError(cut).message).toContain('the header "n" runs past the end of the headers');
    }
    expect(readerError(rawFrame([9, ...ascii('short')])).message).toBe(
      'a corrupt AWS event-stream frame: a header name runs past the end of the headers',
    );
    // A name with no type tag after it.
    expect(readerError(rawFrame([1, ...ascii('n')])).message).toContain('a header name runs');
  });

  it('fails as protocol on an unknown header value type', () => {
    for (const tag of [10, 99, 255]) {
      expect(readerError(rawFrame([1, ...ascii('n'), tag, 0, 0])).message).toBe(
        `a corrupt AWS event-stream frame: the header "n" has the unknown value type ${tag} (0 to 9 are defined)`,
      );
    }
  });

  it('keeps the last of repeated header names, as the codec does', () => {
    const repeated = rawFrame([
      ...[2, ...ascii(':e'), 7, 0, 1, ...ascii('a')],
      ...[2, ...ascii(':e'), 7, 0, 1, ...ascii('b')],
    ]);
    const frames: EventStreamFrame[] = [];
    new EventStreamFrameReader().push(repeated, (frame) => frames.push(frame));
    expect(frames[0]!.headers.get(':e')).toEqual({ type: 'string', value: 'b' });
    expect(codec.decode(repeated).headers[':e']).toEqual({ type: 'string', value: 'b' });
  });

  it('reads a header named __proto__ as any other', () => {
    const frames: EventStreamFrame[] = [];
    const named = rawFrame([9, ...ascii('__proto__'), 7, 0, 1, ...ascii('x')]);
    new EventStreamFrameReader().push(named, (frame) => frames.push(frame));
    expect([...frames[0]!.headers]).toEqual([['__proto__', { type: 'string', value: 'x' }]]);
  });
});
