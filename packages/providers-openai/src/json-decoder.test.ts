import { readFileSync } from 'node:fs';
import type { StreamEvent } from '@llm-lens/providers-core';
import { LensProviderError } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { OpenAIJsonDecoder } from './json-decoder.js';

function decode(
  body: Uint8Array,
  chunkSize = body.length,
  api: 'chat' | 'completions' = 'chat',
): { events: StreamEvent[]; sawEndMarker: boolean } {
  const decoder = new OpenAIJsonDecoder(api);
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent): void => {
    events.push(event);
  };
  for (let i = 0; i < body.length; i += chunkSize)
    decoder.push(body.subarray(i, i + chunkSize), emit);
  // Nothing is emitted before the body is complete.
  expect(events).toEqual([]);
  decoder.end(emit);
  return { events, sawEndMarker: decoder.sawEndMarker };
}

const fixture = (name: string): Uint8Array =>
  readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('OpenAIJsonDecoder', () => {
  it('emits one event with the whole message and usage of a chat completion', () => {
    const { events, sawEndMarker } = decode(fixture('chat-completion.json'), 7);
    expect(events).toEqual([
      {
        text: 'Hello! How can I help?',
        reasoningText: '',
        toolText: '',
        usage: { inputTokens: 12, outputTokens: 7, reasoningTokens: 0, cachedInputTokens: 0 },
      },
    ]);
    expect(sawEndMarker).toBe(true);
  });

  it('reads vLLM reasoning once and multi-byte content split across chunks', () => {
    const { events } = decode(fixture('vllm-reasoning.json'), 1);
    expect(events).toEqual([
      {
        text: 'Hi! 😊',
        reasoningText: 'Okay, the user greets.',
        toolText: '',
        usage: { inputTokens: 10, outputTokens: 12 },
      },
    ]);
  });

  it('ignores a leading byte order mark, split or not', () => {
    const body = encode('\uFEFF{"choices":[{"message":{"role":"assistant","content":"ok"}}]}');
    for (const size of [1, 2, 3, body.length]) {
      const { events, sawEndMarker } = decode(body, size);
      expect(sawEndMarker).toBe(true);
      expect(events[0]!.text).toBe('ok');
    }
  });

  it('reads tool-call arguments and completions text', () => {
    const tool = decode(
      encode(
        JSON.stringify({
          choices: [
            {
              message: {
                content: null,
                tool_calls: [
                  { function: { name: 'a', arguments: '{"x":1}' } },
                  { function: { name: 'b', arguments: '{"y":2}' } },
                ],
              },
            },
          ],
        }),
      ),
    );
    expect(tool.events[0]?.toolText).toBe('{"x":1}{"y":2}');
    const completion = decode(
      encode('{"choices":[{"text":" Paris","index":0}]}'),
      3,
      'completions',
    );
    expect(completion.events[0]?.text).toBe(' Paris');
  });

  it('emits an error event for an error body and reports no end marker', () => {
    const { events, sawEndMarker } = decode(
      encode('{"error":{"message":"overloaded","type":"server_error","code":"overloaded"}}'),
    );
    expect(events).toEqual([
      {
        text: '',
        reasoningText: '',
        toolText: '',
        error: { message: 'overloaded', type: 'server_error', code: 'overloaded' },
      },
    ]);
    expect(sawEndMarker).toBe(false);
  });

  it('reports no end marker for JSON without choices', () => {
    expect(decode(encode('{"id":"x"}')).sawEndMarker).toBe(false);
  });

  it('throws a protocol error for a truncated body', () => {
    const decoder = new OpenAIJsonDecoder('chat');
    decoder.push(encode('{"choices":[{"mess'), () => {});
    let thrown: unknown;
    try {
      decoder.end(() => {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LensProviderError);
    expect((thrown as LensProviderError).code).toBe('LENS_PROVIDER_PROTOCOL');
    expect((thrown as LensProviderError).message).toBe(
      'malformed JSON in an OpenAI response body (18 characters): "{\\"choices\\":[{\\"mess"',
    );
    expect(decoder.sawEndMarker).toBe(false);
  });
});
