import { readFileSync } from 'node:fs';
import type { StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { ResponsesJsonDecoder } from './responses-json-decoder.js';

function decode(
  body: Uint8Array,
  chunkSize = body.length,
): { events: StreamEvent[]; sawEndMarker: boolean } {
  const decoder = new ResponsesJsonDecoder();
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent): void => {
    events.push(event);
  };
  for (let i = 0; i < body.length; i += chunkSize) {
    decoder.push(body.subarray(i, i + chunkSize), emit);
  }
  // Nothing is emitted before the body is complete.
  expect(events).toEqual([]);
  decoder.end(emit);
  return { events, sawEndMarker: decoder.sawEndMarker };
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const body = (response: Record<string, unknown>): Uint8Array =>
  encode(JSON.stringify({ object: 'response', status: 'completed', ...response }));

describe('ResponsesJsonDecoder', () => {
  it('emits one event with the message text, reasoning summary and usage', () => {
    const bytes = readFileSync(
      new URL('../test/fixtures/responses-nonstream.json', import.meta.url),
    );
    const expected = {
      text: 'Grüß Gott! 👋',
      reasoningText: 'Greeting in German.',
      toolText: '',
      usage: { inputTokens: 40, outputTokens: 75, reasoningTokens: 64, cachedInputTokens: 32 },
    };
    // Whole and one byte at a time: the emoji and umlauts are split across chunks.
    for (const size of [bytes.length, 1]) {
      const { events, sawEndMarker } = decode(bytes, size);
      expect(events).toEqual([expected]);
      expect(sawEndMarker).toBe(true);
    }
  });

  it('reads function call arguments as tool text and a refusal as answer text', () => {
    const { events } = decode(
      body({
        output: [
          { type: 'function_call', name: 'f', arguments: '{"a":1}' },
          { type: 'custom_tool_call', name: 'g', input: 'x=2' },
          {
            type: 'message',
            role: 'assistant',
            content: [{ type: 'refusal', refusal: "I can't help with that." }],
          },
          { type: 'web_search_call', status: 'completed' },
        ],
        usage: null,
      }),
    );
    expect(events).toEqual([
      { text: "I can't help with that.", reasoningText: '', toolText: '{"a":1}x=2' },
    ]);
  });

  it('is complete at an incomplete response (max_output_tokens), with its usage', () => {
    const { events, sawEndMarker } = decode(
      body({
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
        output: [{ type: 'message', content: [{ type: 'output_text', text: 'Monday, Tues' }] }],
        usage: { input_tokens: 5, output_tokens: 16, total_tokens: 21 },
      }),
    );
    expect(events).toEqual([
      {
        text: 'Monday, Tues',
        reasoningText: '',
        toolText: '',
        usage: { inputTokens: 5, outputTokens: 16 },
      },
    ]);
    expect(sawEndMarker).toBe(true);
  });

  it('reports a failed response as an error, not as a complete answer', () => {
    const { events, sawEndMarker } = decode(
      body({
        status: 'failed',
        error: { code: 'server_error', message: 'The model failed.' },
        output: [],
        usage: { input_tokens: 9, output_tokens: 0 },
      }),
    );
    expect(events).toEqual([
      {
        text: '',
        reasoningText: '',
        toolText: '',
        error: { message: 'The model failed.', code: 'server_error' },
        usage: { inputTokens: 9, outputTokens: 0 },
      },
    ]);
    expect(sawEndMarker).toBe(false);
  });

  it('reports an error body in a 2xx response as an error', () => {
    const { events } = decode(
      encode('{"error":{"message":"boom","type":"server_error","param":null,"code":null}}'),
    );
    expect(events).toEqual([
      {
        text: '',
        reasoningText: '',
        toolText: '',
        error: { message: 'boom', type: 'server_error' },
      },
    ]);
  });

  it('throws a protocol error for a background response that has not finished', () => {
    expect(() => decode(body({ status: 'queued', output: [] }))).toThrow(
      'an OpenAI Responses body has status "queued", not a finished response (was background: true sent?)',
    );
  });

  it('throws a protocol error for a body without an output array', () => {
    expect(() => decode(encode('{"object":"chat.completion","choices":[]}'))).toThrow(
      'an OpenAI Responses body has no "output" array: "{\\"object\\":\\"chat.completion\\",\\"choices\\":[]}"',
    );
  });

  it('throws a protocol error for malformed JSON and for a JSON value that is no object', () => {
    expect(() => decode(encode('{"output": ['))).toThrow(
      'malformed JSON in an OpenAI Responses body (12 characters): "{\\"output\\": ["',
    );
    expect(() => decode(encode('[]'))).toThrow(
      'an OpenAI Responses body is not a JSON object: "[]"',
    );
  });

  it('throws before buffering a body over maxEventBytes', () => {
    const decoder = new ResponsesJsonDecoder({ maxEventBytes: 10 });
    expect(() => decoder.push(encode('{"output":[1,2,3]}'), () => {})).toThrow(
      'an OpenAI Responses body exceeded the maximum event size of 10 bytes',
    );
  });
});
