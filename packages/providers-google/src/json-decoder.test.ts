import { readFileSync } from 'node:fs';
import type { StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { GeminiJsonDecoder } from './json-decoder.js';

function decode(text: string | Buffer): { events: StreamEvent[]; sawEndMarker: boolean } {
  const decoder = new GeminiJsonDecoder();
  const events: StreamEvent[] = [];
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < body.length; i += 5) decoder.push(body.subarray(i, i + 5));
  decoder.end((event) => events.push(event));
  return { events, sawEndMarker: decoder.sawEndMarker };
}

describe('GeminiJsonDecoder', () => {
  it('reads the first candidate and the usage of a generateContent body', () => {
    const { events, sawEndMarker } = decode(
      readFileSync(new URL('../test/fixtures/generate-content.json', import.meta.url)),
    );
    expect(sawEndMarker).toBe(true);
    expect(events).toEqual([
      {
        text: '4200 + 42 = **4242**.',
        reasoningText: '',
        toolText: '',
        usage: { inputTokens: 13, outputTokens: 48, reportedOutputTokens: 12, reasoningTokens: 36 },
      },
    ]);
  });

  it('reads thought parts as reasoning', () => {
    const { events } = decode(
      '{"candidates":[{"content":{"parts":[{"text":"Hmm.","thought":true},{"text":"Yes."}]},"finishReason":"STOP"}]}',
    );
    expect(events[0]).toMatchObject({ text: 'Yes.', reasoningText: 'Hmm.' });
  });

  it('reports an error body as an error, a blocked prompt as one, and a body without candidates as protocol', () => {
    const { events, sawEndMarker } = decode(
      '{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}',
    );
    expect(events[0]?.error).toEqual({
      message: 'Internal error encountered.',
      type: 'INTERNAL',
      code: 500,
    });
    expect(sawEndMarker).toBe(false);
    const blocked = decode(
      '{"promptFeedback":{"blockReason":"SAFETY","blockReasonMessage":"Unsafe."}}',
    );
    expect(blocked.events[0]?.error?.message).toBe(
      'Gemini blocked the prompt (promptFeedback.blockReason SAFETY): Unsafe.',
    );
    expect(blocked.sawEndMarker).toBe(true);
    expect(() => decode('{"modelVersion":"x"}')).toThrow(/has no "candidates" list/);
  });
});
