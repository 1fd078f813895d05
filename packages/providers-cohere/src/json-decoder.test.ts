import { readFileSync } from 'node:fs';
import type { StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { CohereJsonDecoder } from './json-decoder.js';

function decode(text: string | Buffer): { events: StreamEvent[]; sawEndMarker: boolean } {
  const decoder = new CohereJsonDecoder();
  const events: StreamEvent[] = [];
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  // Single bytes: multi-byte characters arrive split.
  for (let i = 0; i < body.length; i++) decoder.push(body.subarray(i, i + 1));
  decoder.end((event) => events.push(event));
  return { events, sawEndMarker: decoder.sawEndMarker };
}

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));

describe('CohereJsonDecoder', () => {
  it('reads the thinking and text items and the processed-token usage of a chat response', () => {
    const { events, sawEndMarker } = decode(fixture('chat.json'));
    expect(sawEndMarker).toBe(true);
    expect(events).toEqual([
      {
        text: 'Forty-two, señor.',
        reasoningText: 'Short answer.',
        toolText: '',
        usage: { inputTokens: 118, outputTokens: 14 },
      },
    ]);
  });

  it('reads the tool plan as reasoning and the tool-call arguments as tool text', () => {
    const { events } = decode(fixture('chat-tool-calls.json'));
    expect(events).toEqual([
      {
        text: '',
        reasoningText: 'I will look up the weather.',
        toolText: '{"city":"Lisbon"}',
        usage: { inputTokens: 890, outputTokens: 41 },
      },
    ]);
  });

  it('reports an error body and a failed generation as errors, and a body without a message as protocol', () => {
    const errorBody = decode('{"id":"e1","message":"invalid api token"}');
    expect(errorBody.events).toEqual([
      { text: '', reasoningText: '', toolText: '', error: { message: 'invalid api token' } },
    ]);
    expect(errorBody.sawEndMarker).toBe(false);
    const failed = decode(
      '{"id":"x","message":{"role":"assistant","content":[]},"finish_reason":"ERROR","error":"boom","usage":{}}',
    );
    expect(failed.events[0]?.error).toEqual({ message: 'boom' });
    expect(() => decode('{"id":"x","finish_reason":"COMPLETE"}')).toThrow(
      /has no "message" object/,
    );
  });
});
