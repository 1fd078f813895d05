import type { StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { ConverseJsonDecoder } from './converse-json-decoder.js';
import { InvokeJsonDecoder } from './invoke-json-decoder.js';

function decode(
  decoder: ConverseJsonDecoder | InvokeJsonDecoder,
  body: string,
  pieceBytes = 7,
): { events: StreamEvent[]; sawEndMarker: boolean } {
  const bytes = Buffer.from(body);
  const events: StreamEvent[] = [];
  for (let at = 0; at < bytes.byteLength; at += pieceBytes) {
    decoder.push(bytes.subarray(at, at + pieceBytes), (e) => events.push(e));
  }
  decoder.end((e) => events.push(e));
  return { events, sawEndMarker: decoder.sawEndMarker };
}

describe('ConverseJsonDecoder', () => {
  it('joins the text, reasoning and tool input of every block, with usage and latency', () => {
    const body = JSON.stringify({
      metrics: { latencyMs: 431 },
      output: {
        message: {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'Low tide at 6.', signature: 'c2ln' } } },
            { text: 'Tide 🌊 at six.' },
            { toolUse: { toolUseId: 't1', name: 'get_tide', input: { port: 'Brest' } } },
          ],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 40, outputTokens: 17, totalTokens: 57, cacheReadInputTokens: 8 },
    });
    expect(decode(new ConverseJsonDecoder(), body)).toEqual({
      events: [
        {
          text: 'Tide 🌊 at six.',
          reasoningText: 'Low tide at 6.',
          toolText: '{"port":"Brest"}',
          usage: { inputTokens: 48, cachedInputTokens: 8, outputTokens: 17 },
          serverTimings: { latency_ms: 431 },
        },
      ],
      sawEndMarker: true,
    });
  });

  it('fails as protocol on a body without output.message.content', () => {
    expect(() => decode(new ConverseJsonDecoder(), '{"output":{}}')).toThrowError(
      'a Bedrock Converse response body has no "output.message.content" list: "{\\"output\\":{}}"',
    );
  });

  it('refuses a body over the size limit', () => {
    const decoder = new ConverseJsonDecoder({ maxEventBytes: 10 });
    expect(() => decoder.push(Buffer.from('{"output": 12345}'), () => {})).toThrowError(
      /^a Bedrock Converse response body exceeded the maximum event size of 10 bytes/,
    );
  });
});

describe('InvokeJsonDecoder', () => {
  it('reads an Anthropic message: text, thinking, tool input and usage', () => {
    const body = JSON.stringify({
      id: 'msg_bdrk_1',
      type: 'message',
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Short answer.', signature: 'c2ln' },
        { type: 'text', text: 'Forty-two.' },
      ],
      stop_reason: 'end_turn',
      usage: { input_tokens: 9, output_tokens: 12 },
    });
    expect(decode(new InvokeJsonDecoder(), body)).toEqual({
      events: [
        {
          text: 'Forty-two.',
          reasoningText: 'Short answer.',
          toolText: '',
          usage: { inputTokens: 9, outputTokens: 12 },
        },
      ],
      sawEndMarker: true,
    });
  });

  it('fails as protocol on a body that is not an Anthropic message', () => {
    expect(() => decode(new InvokeJsonDecoder(), '{"generation":"hi"}')).toThrowError(
      /^a Bedrock InvokeModel response body has no "content" list \(is the model an Anthropic one\?/,
    );
    expect(() => decode(new InvokeJsonDecoder(), '{"content":')).toThrowError(
      /^malformed JSON in a Bedrock InvokeModel response body/,
    );
  });
});
