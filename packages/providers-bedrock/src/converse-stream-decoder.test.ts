import type { StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { concatFrames, eventFrame, exceptionFrame, frame, splits } from '../test/frames.js';
import { classifyBedrockStreamError } from './bedrock-errors.js';
import { ConverseStreamDecoder } from './converse-stream-decoder.js';

// A ConverseStream of a reasoning model that writes text, then calls a tool, written from
// the documented event shapes (ConverseStreamOutput), `p` padding included.
const reasoningThenTool = concatFrames([
  eventFrame('messageStart', { p: 'abcdefgh', role: 'assistant' }),
  eventFrame('contentBlockDelta', {
    contentBlockIndex: 0,
    delta: { reasoningContent: { text: 'Think' } },
    p: 'ab',
  }),
  eventFrame('contentBlockDelta', {
    contentBlockIndex: 0,
    delta: { reasoningContent: { text: 'ing…' } },
    p: 'abcd',
  }),
  eventFrame('contentBlockDelta', {
    contentBlockIndex: 0,
    delta: { reasoningContent: { signature: 'c2lnbmVk' } },
    p: 'a',
  }),
  eventFrame('contentBlockStop', { contentBlockIndex: 0, p: 'abc' }),
  eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { text: '' }, p: 'abcdef' }),
  eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { text: 'A naïve' }, p: 'a' }),
  eventFrame('contentBlockDelta', {
    contentBlockIndex: 1,
    delta: { text: ' keeper 灯台' },
    p: 'ab',
  }),
  eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { text: ' 🌊.' }, p: 'abc' }),
  eventFrame('contentBlockStop', { contentBlockIndex: 1, p: 'abcd' }),
  eventFrame('contentBlockStart', {
    contentBlockIndex: 2,
    start: { toolUse: { name: 'get_tide', toolUseId: 'tooluse_1' } },
    p: 'abcde',
  }),
  eventFrame('contentBlockDelta', {
    contentBlockIndex: 2,
    delta: { toolUse: { input: '' } },
    p: 'a',
  }),
  eventFrame('contentBlockDelta', {
    contentBlockIndex: 2,
    delta: { toolUse: { input: '{"port":' } },
    p: 'ab',
  }),
  eventFrame('contentBlockDelta', {
    contentBlockIndex: 2,
    delta: { toolUse: { input: '"Brest"}' } },
    p: 'abc',
  }),
  eventFrame('contentBlockStop', { contentBlockIndex: 2, p: 'ab' }),
  eventFrame('messageStop', { p: 'abcdefg', stopReason: 'tool_use' }),
  // Metadata follows messageStop: usage and the server's own latency.
  eventFrame('metadata', {
    metrics: { latencyMs: 812 },
    p: 'abcdefghij',
    usage: {
      inputTokens: 20,
      outputTokens: 31,
      cacheReadInputTokens: 5,
      cacheWriteInputTokens: 3,
      totalTokens: 59,
    },
  }),
]);

const event = (fields: Partial<StreamEvent>): StreamEvent => ({
  text: '',
  reasoningText: '',
  toolText: '',
  ...fields,
});

const expectedEvents: StreamEvent[] = [
  event({ reasoningText: 'Think' }),
  event({ reasoningText: 'ing…' }),
  event({ text: 'A naïve' }),
  event({ text: ' keeper 灯台' }),
  event({ text: ' 🌊.' }),
  event({ toolText: '{"port":' }),
  event({ toolText: '"Brest"}' }),
  event({
    usage: { inputTokens: 28, cachedInputTokens: 5, outputTokens: 31 },
    serverTimings: { latency_ms: 812 },
  }),
];

function decode(pieces: readonly Uint8Array[]): { events: StreamEvent[]; sawEndMarker: boolean } {
  const decoder = new ConverseStreamDecoder();
  const events: StreamEvent[] = [];
  for (const piece of pieces) decoder.push(piece, (e) => events.push(e));
  decoder.end((e) => events.push(e));
  return { events, sawEndMarker: decoder.sawEndMarker };
}

describe('ConverseStreamDecoder', () => {
  it('reads reasoning, text and tool-input deltas, then usage and latency from metadata', () => {
    expect(decode([reasoningThenTool])).toEqual({ events: expectedEvents, sawEndMarker: true });
  });

  it('gives the same events however the body is cut, inside multi-byte characters too', () => {
    for (const pieces of splits(reasoningThenTool)) {
      expect(decode(pieces)).toEqual({ events: expectedEvents, sawEndMarker: true });
    }
  });

  it('reports an exception frame mid-stream as a classified stream error, without the end marker', () => {
    const body = concatFrames([
      eventFrame('messageStart', { role: 'assistant' }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' } }),
      exceptionFrame('throttlingException', 'Too many tokens, please wait before trying again.'),
    ]);
    const result = decode([body]);
    expect(result.sawEndMarker).toBe(false);
    expect(result.events).toEqual([
      event({ text: 'Hel' }),
      event({
        error: {
          message: 'Too many tokens, please wait before trying again.',
          type: 'throttlingException',
        },
      }),
    ]);
    expect(classifyBedrockStreamError(result.events[1]!.error!)).toEqual({
      errorClass: 'rate_limited',
      message:
        'error in stream: Too many tokens, please wait before trying again. (throttlingException)',
    });
  });

  it('has no end marker when the body stops before messageStop', () => {
    const cut = reasoningThenTool.subarray(0, reasoningThenTool.byteLength - 300);
    const result = decode([cut]);
    expect(result.sawEndMarker).toBe(false);
    expect(result.events.slice(0, 3)).toEqual(expectedEvents.slice(0, 3));
  });

  it('drops a usage report whose counts are not token counts, saying why', () => {
    const result = decode([
      concatFrames([
        eventFrame('messageStop', { stopReason: 'end_turn' }),
        eventFrame('metadata', { usage: { inputTokens: 3, outputTokens: -1 } }),
      ]),
    ]);
    expect(result.events).toEqual([
      event({
        usage: {
          ignoredReason:
            'usage ignored: outputTokens -1 is not a token count (expected a whole number from 0 to 1000000000)',
        },
      }),
    ]);
  });

  it('fails as protocol on a delta whose payload is not JSON', () => {
    const truncatedJson = frame(
      {
        ':event-type': 'contentBlockDelta',
        ':content-type': 'application/json',
        ':message-type': 'event',
      },
      '{"delta":{"text":"a"',
    );
    expect(() => decode([truncatedJson])).toThrowError(
      'malformed JSON in a ConverseStream contentBlockDelta event: "{\\"delta\\":{\\"text\\":\\"a\\""',
    );
  });
});

describe('after messageStop', () => {
  const body = [
    eventFrame('messageStart', { role: 'assistant' }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }),
    eventFrame('messageStop', { stopReason: 'end_turn' }),
  ];
  const metadata = eventFrame('metadata', {
    usage: { inputTokens: 5, outputTokens: 1, totalTokens: 6 },
    metrics: { latencyMs: 42 },
  });

  it('awaits the metadata trailer in a later read, then reads nothing more', () => {
    const decoder = new ConverseStreamDecoder();
    const events: StreamEvent[] = [];
    decoder.push(concatFrames(body), (e) => events.push(e));
    expect(decoder.sawEndMarker).toBe(true);
    expect(decoder.awaitsTrailer).toBe(true);
    decoder.push(metadata, (e) => events.push(e));
    expect(decoder.awaitsTrailer).toBe(false);
    decoder.push(
      concatFrames([
        eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'late' } }),
        exceptionFrame('throttlingException', 'late'),
      ]),
      (e) => events.push(e),
    );
    expect(events.map((e) => e.text).join('')).toBe('Hi');
    expect(events.at(-1)?.usage?.outputTokens).toBe(1);
    expect(events.at(-1)?.serverTimings).toEqual({ latency_ms: 42 });
    expect(events.some((e) => e.error !== undefined)).toBe(false);
  });

  it('ignores deltas, exceptions and broken frames before the trailer, in the same read too', () => {
    const broken = Buffer.from(metadata);
    broken[broken.length - 1] = (broken[broken.length - 1] ?? 0) ^ 0xff;
    const decoder = new ConverseStreamDecoder();
    const events: StreamEvent[] = [];
    expect(() =>
      decoder.push(
        concatFrames([
          ...body,
          eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'late' } }),
          exceptionFrame('internalServerException', 'late'),
          broken,
        ]),
        (e) => events.push(e),
      ),
    ).not.toThrow();
    expect(events.map((e) => e.text).join('')).toBe('Hi');
    expect(events.some((e) => e.error !== undefined)).toBe(false);
    expect(decoder.awaitsTrailer).toBe(false);
  });
});
