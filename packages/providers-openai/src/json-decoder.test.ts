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

  it('throws a protocol error for a JSON body without a choices array', () => {
    for (const body of ['{"id":"x"}', '{"id":"x","choices":null}', '{"choices":{"0":{}}}']) {
      const decoder = new OpenAIJsonDecoder('chat');
      decoder.push(encode(body), () => {});
      let thrown: unknown;
      try {
        decoder.end(() => {});
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(LensProviderError);
      expect((thrown as LensProviderError).code).toBe('LENS_PROVIDER_PROTOCOL');
      expect((thrown as LensProviderError).errorClass).toBe('protocol');
      expect((thrown as LensProviderError).message).toBe(
        `an OpenAI response body has no "choices" array: ${JSON.stringify(body)}`,
      );
      expect(decoder.sawEndMarker).toBe(false);
    }
    const long = JSON.stringify({ id: 'x'.repeat(500) });
    const decoder = new OpenAIJsonDecoder('chat');
    decoder.push(encode(long), () => {});
    expect(() => decoder.end(() => {})).toThrow(
      `an OpenAI response body has no "choices" array: ${JSON.stringify(long.slice(0, 120))}`,
    );
  });

  it('completes with empty choices: a reply with no text is still a reply', () => {
    const { events, sawEndMarker } = decode(encode('{"choices":[]}'));
    expect(sawEndMarker).toBe(true);
    expect(events).toEqual([{ text: '', reasoningText: '', toolText: '' }]);
  });

  it('refuses to buffer a body beyond maxEventBytes, failing at the chunk that crosses it', () => {
    const body = encode(JSON.stringify({ choices: [{ message: { content: 'y'.repeat(200) } }] }));
    const exact = new OpenAIJsonDecoder('chat', { maxEventBytes: body.length });
    for (let i = 0; i < body.length; i += 10) exact.push(body.subarray(i, i + 10), () => {});
    exact.end(() => {});
    expect(exact.sawEndMarker).toBe(true);

    const limit = body.length - 1;
    const decoder = new OpenAIJsonDecoder('chat', { maxEventBytes: limit });
    let pushed = 0;
    let thrown: unknown;
    try {
      for (let i = 0; i < body.length; i += 10) {
        decoder.push(body.subarray(i, i + 10), () => {});
        pushed += 10;
      }
    } catch (error) {
      thrown = error;
    }
    // Every chunk but the last fitted.
    expect(pushed).toBe(Math.floor((body.length - 1) / 10) * 10);
    expect(thrown).toBeInstanceOf(LensProviderError);
    expect((thrown as LensProviderError).errorClass).toBe('protocol');
    expect((thrown as LensProviderError).message).toBe(
      `an OpenAI response body exceeded the maximum event size of ${limit} bytes (raise it with --max-event-bytes / max_event_bytes if the server really sends events this large)`,
    );
  });

  it('counts bytes, not characters, against maxEventBytes', () => {
    // 3 characters, 12 bytes of UTF-8.
    const decoder = new OpenAIJsonDecoder('chat', { maxEventBytes: 11 });
    expect(() => decoder.push(encode('😀😀😀'), () => {})).toThrow('maximum event size of 11');
  });

  it('says it expects application/json', () => {
    expect(new OpenAIJsonDecoder('chat').expectedContentType).toBe('application/json');
  });

  it('drops a usage report with a count that is not a token count, keeping the reason', () => {
    const { events, sawEndMarker } = decode(
      encode(
        JSON.stringify({
          choices: [{ message: { content: 'hi' } }],
          usage: { prompt_tokens: 1e308, completion_tokens: 3 },
        }),
      ),
    );
    expect(sawEndMarker).toBe(true);
    expect(events[0]?.usage).toEqual({
      ignoredReason:
        'usage ignored: prompt_tokens 1e+308 is not a token count (expected a whole number from 0 to 1000000000)',
    });
  });

  it('cuts a huge error message to 1000 characters', () => {
    const message = 'overloaded '.repeat(200_000);
    const { events } = decode(encode(JSON.stringify({ error: { message, type: 'server_error' } })));
    expect(events[0]?.error?.message).toHaveLength(1000);
    expect(events[0]?.error?.message.endsWith('…')).toBe(true);
    expect(events[0]?.error?.type).toBe('server_error');
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

  it('reads a message whose content is a list of thinking and text parts', () => {
    const body = JSON.stringify({
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: [{ type: 'text', text: 'Let me think.' }] },
              { type: 'text', text: 'Forty-two.' },
            ],
          },
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
    });
    const { events, sawEndMarker } = decode(encode(body));
    expect(sawEndMarker).toBe(true);
    expect(events[0]).toMatchObject({ text: 'Forty-two.', reasoningText: 'Let me think.' });
  });
});
