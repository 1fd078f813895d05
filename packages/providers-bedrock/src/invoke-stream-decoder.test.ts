import type { StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { chunkFrame, concatFrames, eventFrame, exceptionFrame, splits } from '../test/frames.js';
import { classifyBedrockStreamError } from './bedrock-errors.js';
import { InvokeStreamDecoder } from './invoke-stream-decoder.js';

// An InvokeModelWithResponseStream of Claude with thinking: Anthropic's stream events, each
// base64 in a chunk frame, the last one with Bedrock's invocation metrics.
const thinkingStream = concatFrames([
  chunkFrame({
    type: 'message_start',
    message: {
      id: 'msg_bdrk_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      usage: {
        input_tokens: 12,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 0,
        output_tokens: 1,
      },
    },
  }),
  chunkFrame({
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'thinking', thinking: '' },
  }),
  chunkFrame({
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'thinking_delta', thinking: 'Hmm, 灯' },
  }),
  chunkFrame({
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'signature_delta', signature: 'c2ln' },
  }),
  chunkFrame({ type: 'content_block_stop', index: 0 }),
  chunkFrame({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
  chunkFrame({
    type: 'content_block_delta',
    index: 1,
    delta: { type: 'text_delta', text: 'Tide 🌊' },
  }),
  chunkFrame({
    type: 'content_block_delta',
    index: 1,
    delta: { type: 'text_delta', text: ' is high.' },
  }),
  chunkFrame({ type: 'content_block_stop', index: 1 }),
  chunkFrame({
    type: 'message_delta',
    delta: { stop_reason: 'end_turn' },
    usage: { output_tokens: 9 },
  }),
  chunkFrame({
    type: 'message_stop',
    'amazon-bedrock-invocationMetrics': {
      inputTokenCount: 12,
      outputTokenCount: 9,
      invocationLatency: 1540,
      firstByteLatency: 610,
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
  event({ usage: { inputTokens: 112, cachedInputTokens: 100, outputTokens: 1 } }),
  event({ reasoningText: 'Hmm, 灯' }),
  event({ text: 'Tide 🌊' }),
  event({ text: ' is high.' }),
  event({ usage: { outputTokens: 9 } }),
  // Bedrock's metrics leave cached tokens out; message_start's cache count stands in.
  event({
    usage: { inputTokens: 112, cachedInputTokens: 100, outputTokens: 9 },
    serverTimings: { invocation_latency_ms: 1540, first_byte_latency_ms: 610 },
  }),
];

function decode(pieces: readonly Uint8Array[]): { events: StreamEvent[]; sawEndMarker: boolean } {
  const decoder = new InvokeStreamDecoder();
  const events: StreamEvent[] = [];
  for (const piece of pieces) decoder.push(piece, (e) => events.push(e));
  decoder.end((e) => events.push(e));
  return { events, sawEndMarker: decoder.sawEndMarker };
}

describe('InvokeStreamDecoder', () => {
  it('reads the Anthropic events inside chunk frames, and usage and timings from the invocation metrics', () => {
    expect(decode([thinkingStream])).toEqual({ events: expectedEvents, sawEndMarker: true });
  });

  it('gives the same events however the body is cut', () => {
    for (const pieces of splits(thinkingStream)) {
      expect(decode(pieces)).toEqual({ events: expectedEvents, sawEndMarker: true });
    }
  });

  it('takes the cache counts of the invocation metrics when they have them', () => {
    const result = decode([
      chunkFrame({
        type: 'message_stop',
        'amazon-bedrock-invocationMetrics': {
          inputTokenCount: 3,
          outputTokenCount: 13,
          invocationLatency: 3037,
          firstByteLatency: 2635,
          cacheReadInputTokenCount: 0,
          cacheWriteInputTokenCount: 25037,
        },
      }),
    ]);
    expect(result.events).toEqual([
      event({
        usage: { inputTokens: 25040, cachedInputTokens: 0, outputTokens: 13 },
        serverTimings: { invocation_latency_ms: 3037, first_byte_latency_ms: 2635 },
      }),
    ]);
  });

  it('reports a modelStreamErrorException frame as a server_error in the stream', () => {
    const result = decode([
      concatFrames([
        chunkFrame({
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: 'Hi' },
        }),
        exceptionFrame('modelStreamErrorException', 'The model stopped generating.'),
      ]),
    ]);
    expect(result.sawEndMarker).toBe(false);
    expect(result.events[1]).toEqual(
      event({
        error: { message: 'The model stopped generating.', type: 'modelStreamErrorException' },
      }),
    );
    expect(classifyBedrockStreamError(result.events[1]!.error!).errorClass).toBe('server_error');
  });

  it("reports Anthropic's own error event as a stream error of its type", () => {
    const result = decode([
      chunkFrame({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
    ]);
    expect(result.events).toEqual([
      event({ error: { message: 'Overloaded', type: 'overloaded_error' } }),
    ]);
    expect(classifyBedrockStreamError(result.events[0]!.error!)).toEqual({
      errorClass: 'server_error',
      message: 'error in stream: Overloaded (overloaded_error)',
    });
  });

  it('fails as protocol on a chunk without base64 bytes', () => {
    expect(() => decode([eventFrame('chunk', { bytes: 'not base64!' })])).toThrowError(
      'an InvokeModelWithResponseStream chunk has no base64 "bytes": "{\\"bytes\\":\\"not base64!\\"}"',
    );
  });
});
