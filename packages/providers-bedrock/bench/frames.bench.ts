// Per-frame cost of the event-stream reader on ConverseStream token frames, as they arrive:
// `vitest bench --run` in this package. The numbers are recorded in the README
// ("Performance"). The codec-based reader this package used before is the baseline.

import type { Message } from '@smithy/eventstream-codec';
import { bench, describe } from 'vitest';
import { ConverseStreamDecoder } from '../src/converse-stream-decoder.js';
import {
  type EventStreamFrame,
  EventStreamFrameReader,
  stringHeader,
} from '../src/event-stream-reader.js';
import { eventFrame } from '../test/frames.js';
import { CodecFrameReader, codecStringHeader } from './codec-frame-reader.js';

const FRAMES = 20;
const words = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'a', 'lazy', 'dog', 'again'];
const padding = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

// contentBlockDelta frames of two or three words, with `p` padding of varying length as
// Bedrock writes it: 174 to 210 bytes each.
const frames: Buffer[] = Array.from({ length: FRAMES }, (_, i) => {
  const text = ` ${words[i % 10]} ${words[(i + 3) % 10]}${i % 2 === 0 ? ` ${words[(i + 7) % 10]}` : ''}`;
  const payload = {
    contentBlockIndex: 0,
    delta: { text },
    p: padding.slice(0, 8 + ((i * 7) % 40)),
  };
  return Buffer.from(eventFrame('contentBlockDelta', payload));
});
const oneChunk = Buffer.concat(frames);

let sink = 0;

// What every consumer reads of a frame: its message type, event type and payload.
function onFrame(frame: EventStreamFrame): void {
  sink += (stringHeader(frame, ':message-type')?.length ?? 0) + frame.payload.byteLength;
  sink += stringHeader(frame, ':event-type')?.length ?? 0;
}
function onCodecFrame(message: Message): void {
  sink += (codecStringHeader(message, ':message-type')?.length ?? 0) + message.body.byteLength;
  sink += codecStringHeader(message, ':event-type')?.length ?? 0;
}

const reader = new EventStreamFrameReader();
const codecReader = new CodecFrameReader();
const decoder = new ConverseStreamDecoder();
const emit = (): void => {
  sink += 1;
};

// Each sample decodes REPEAT × FRAMES = 200 frames, so that tinybench's per-sample overhead
// is small next to what is measured: µs per frame = mean ms × 1000 / 200.
const REPEAT = 10;

/** Long runs: the machine is shared. */
const options = { time: 1500, warmupTime: 300 };

/**
 * tinybench runs one task to the end before the next, so each path runs in several short
 * rounds, alternating: load from other processes falls on both.
 */
const ROUNDS = 3;

describe('one frame per chunk', () => {
  for (let round = 1; round <= ROUNDS; round++) {
    bench(
      `codec reader, round ${round}`,
      () => {
        for (let r = 0; r < REPEAT; r++) for (const f of frames) codecReader.push(f, onCodecFrame);
      },
      options,
    );
    bench(
      `hand-written reader, round ${round}`,
      () => {
        for (let r = 0; r < REPEAT; r++) for (const f of frames) reader.push(f, onFrame);
      },
      options,
    );
  }
});

describe('20 frames per chunk', () => {
  for (let round = 1; round <= ROUNDS; round++) {
    bench(
      `codec reader, round ${round}`,
      () => {
        for (let r = 0; r < REPEAT; r++) codecReader.push(oneChunk, onCodecFrame);
      },
      options,
    );
    bench(
      `hand-written reader, round ${round}`,
      () => {
        for (let r = 0; r < REPEAT; r++) reader.push(oneChunk, onFrame);
      },
      options,
    );
  }
});

describe('for scale: the whole ConverseStreamDecoder (reader, JSON.parse, token event)', () => {
  bench(
    'one frame per chunk',
    () => {
      for (let r = 0; r < REPEAT; r++) for (const f of frames) decoder.push(f, emit);
    },
    options,
  );
});

export { sink };
