import { readFileSync } from 'node:fs';
import type { StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { AnthropicJsonDecoder } from './json-decoder.js';

function decode(text: string | Buffer): { events: StreamEvent[]; sawEndMarker: boolean } {
  const decoder = new AnthropicJsonDecoder();
  const events: StreamEvent[] = [];
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < body.length; i += 5) decoder.push(body.subarray(i, i + 5));
  decoder.end((event) => events.push(event));
  return { events, sawEndMarker: decoder.sawEndMarker };
}

describe('AnthropicJsonDecoder', () => {
  it('reads every content block and the usage of a message', () => {
    const { events, sawEndMarker } = decode(
      readFileSync(new URL('../test/fixtures/message.json', import.meta.url)),
    );
    expect(sawEndMarker).toBe(true);
    expect(events).toEqual([
      {
        text: 'Forty-two.',
        reasoningText: 'Short answer.',
        toolText: '{"x":42}',
        usage: { inputTokens: 118, outputTokens: 25, cachedInputTokens: 0 },
      },
    ]);
  });

  it('reports an error body as an error, and a body without content as protocol', () => {
    const { events } = decode(
      '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    );
    expect(events[0]?.error).toEqual({ message: 'Overloaded', type: 'overloaded_error' });
    expect(() => decode('{"type":"message","id":"x"}')).toThrow(/has no "content" list/);
  });
});
