import { crc32 } from 'node:zlib';
import { LensProviderError } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { concatFrames, eventFrame, exceptionFrame, frame, splits } from '../test/frames.js';
import {
  type EventStreamFrame,
  EventStreamFrameReader,
  readFrame,
  stringHeader,
} from './event-stream-reader.js';

function readAll(pieces: readonly Uint8Array[], maxFrameBytes?: number): EventStreamFrame[] {
  const reader = new EventStreamFrameReader(maxFrameBytes);
  const messages: EventStreamFrame[] = [];
  for (const piece of pieces) reader.push(piece, (message) => messages.push(message));
  return messages;
}

function summary(messages: readonly EventStreamFrame[]): string[] {
  return messages.map(
    (m) => `${stringHeader(m, ':event-type')}:${Buffer.from(m.payload).toString('utf8')}`,
  );
}

function protocolErrorOf(action: () => unknown): LensProviderError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(LensProviderError);
    const lensError = error as LensProviderError;
    expect(lensError.code).toBe('LENS_PROVIDER_PROTOCOL');
    expect(lensError.errorClass).toBe('protocol');
    return lensError;
  }
  throw new Error('expected a protocol error');
}

/** A 12-byte prelude with a correct checksum, for lengths no encoder would write. */
function prelude(totalBytes: number, headersBytes: number): Uint8Array {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(totalBytes, 0);
  bytes.writeUInt32BE(headersBytes, 4);
  bytes.writeUInt32BE(crc32(bytes.subarray(0, 8)), 8);
  return bytes;
}

const body = concatFrames([
  eventFrame('messageStart', { role: 'assistant', p: 'abc' }),
  eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'naïve 灯台 🌊' } }),
  eventFrame('messageStop', { stopReason: 'end_turn' }),
]);
const expected = [
  'messageStart:{"role":"assistant","p":"abc"}',
  'contentBlockDelta:{"contentBlockIndex":0,"delta":{"text":"naïve 灯台 🌊"}}',
  'messageStop:{"stopReason":"end_turn"}',
];

describe('EventStreamFrameReader', () => {
  it('yields every frame of a chunk that holds several', () => {
    expect(summary(readAll([body]))).toEqual(expected);
  });

  it('yields the same frames however the body is cut, one byte at a time included', () => {
    for (const pieces of splits(body)) expect(summary(readAll(pieces))).toEqual(expected);
  });

  it('holds a partial frame until the rest arrives', () => {
    const reader = new EventStreamFrameReader();
    const messages: EventStreamFrame[] = [];
    reader.push(body.subarray(0, 20), (m) => messages.push(m));
    expect(messages).toEqual([]);
    expect(reader.hasPartialFrame).toBe(true);
    reader.push(body.subarray(20), (m) => messages.push(m));
    expect(summary(messages)).toEqual(expected);
    expect(reader.hasPartialFrame).toBe(false);
  });

  it('hands over the payload as a view into the pushed bytes, not a copy', () => {
    const chunk = new Uint8Array(body);
    const frames: EventStreamFrame[] = [];
    new EventStreamFrameReader().push(chunk, (frame) => frames.push(frame));
    expect(frames).toHaveLength(3);
    for (const frame of frames) expect(frame.payload.buffer).toBe(chunk.buffer);
  });

  it('fails as protocol on a corrupt prelude checksum before the frame has arrived', () => {
    const corrupt = Buffer.from(body);
    corrupt[9] = corrupt[9]! ^ 0xff;
    const error = protocolErrorOf(() => readAll([corrupt.subarray(0, 12)]));
    expect(error.message).toMatch(
      /^a corrupt AWS event-stream frame: the prelude checksum is \d+ but the prelude's CRC32 is \d+$/,
    );
  });

  it('fails as protocol on a corrupt message checksum or payload', () => {
    const corrupt = Buffer.from(body);
    // A byte of the first frame's payload: only the message CRC can notice.
    corrupt[corrupt.readUInt32BE(0) - 6] = 0x21;
    const error = protocolErrorOf(() => readAll([corrupt]));
    expect(error.message).toMatch(
      /^a corrupt AWS event-stream frame: the message checksum is \d+ but the frame's CRC32 is \d+$/,
    );
  });

  it('fails as protocol on lengths no frame can have', () => {
    expect(protocolErrorOf(() => readAll([prelude(8, 0)])).message).toBe(
      'a corrupt AWS event-stream frame: it declares 8 bytes in all with 0 bytes of headers (a frame has at least 16 bytes besides its headers)',
    );
    expect(protocolErrorOf(() => readAll([prelude(40, 30)])).message).toContain(
      'declares 40 bytes in all with 30 bytes of headers',
    );
  });

  it('refuses a frame over the size limit as soon as its prelude says so', () => {
    const error = protocolErrorOf(() => readAll([prelude(0xffffffff, 0)]));
    expect(error.message).toBe(
      'an AWS event-stream frame exceeded the maximum event size of 8388608 bytes (raise it with --max-event-bytes / max_event_bytes if the server really sends events this large)',
    );
    const small = eventFrame('metadata', { usage: { inputTokens: 1 }, p: 'x'.repeat(200) });
    expect(protocolErrorOf(() => readAll([small], 100)).message).toContain(
      'maximum event size of 100 bytes',
    );
    expect(readAll([small], small.byteLength)).toHaveLength(1);
  });
});

describe('readFrame', () => {
  it('reads an event with its type and payload', () => {
    const [message] = readAll([eventFrame('metadata', { usage: {} })]);
    const content = readFrame(message!);
    expect(content.kind).toBe('event');
    if (content.kind === 'event') {
      expect(content.eventType).toBe('metadata');
      expect(Buffer.from(content.payload).toString()).toBe('{"usage":{}}');
    }
  });

  it('reads an exception frame as an error with its type and message', () => {
    const [message] = readAll([
      exceptionFrame('throttlingException', 'Too many tokens, please wait.'),
    ]);
    expect(readFrame(message!)).toEqual({
      kind: 'error',
      error: { message: 'Too many tokens, please wait.', type: 'throttlingException' },
    });
  });

  it('reads an error frame from its :error-code and :error-message headers', () => {
    const [message] = readAll([
      frame(
        { ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'boom' },
        '',
      ),
    ]);
    expect(readFrame(message!)).toEqual({
      kind: 'error',
      error: { message: 'boom', type: 'InternalFailure' },
    });
  });

  it('fails as protocol on an unknown :message-type', () => {
    const [message] = readAll([frame({ ':message-type': 'gossip' }, '{}')]);
    expect(protocolErrorOf(() => readFrame(message!)).message).toBe(
      'an AWS event-stream frame has the unknown :message-type "gossip" (expected event, exception or error)',
    );
  });
});
