import { readFileSync } from 'node:fs';
import type { StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { OllamaJsonDecoder } from './json-decoder.js';

const body = readFileSync(new URL('../test/fixtures/chat.json', import.meta.url));

function decode(pieces: readonly Uint8Array[], maxEventBytes?: number) {
  const decoder = new OllamaJsonDecoder(maxEventBytes === undefined ? {} : { maxEventBytes });
  const events: StreamEvent[] = [];
  for (const piece of pieces) decoder.push(piece);
  decoder.end((event) => events.push(event));
  return { events, sawEndMarker: decoder.sawEndMarker };
}

describe('OllamaJsonDecoder', () => {
  it('gives one event with content, thinking, usage and server timings, however the body is cut', () => {
    const expected = {
      events: [
        {
          text: 'Forty-two, naïvely.',
          reasoningText: 'The usual answer.',
          toolText: '',
          usage: { inputTokens: 15, outputTokens: 32 },
          serverTimings: {
            total_duration_ms: 1500,
            load_duration_ms: 700,
            prompt_eval_duration_ms: 100,
            eval_duration_ms: 650,
          },
        },
      ],
      sawEndMarker: true,
    };
    expect(decode([body])).toEqual(expected);
    for (let cut = 1; cut < body.length; cut++) {
      expect(decode([body.subarray(0, cut), body.subarray(cut)])).toEqual(expected);
    }
  });

  it('reports an {"error"} body as a stream error, without the end marker', () => {
    const result = decode([Buffer.from('{"error":"model requires more system memory"}')]);
    expect(result).toEqual({
      events: [
        {
          text: '',
          reasoningText: '',
          toolText: '',
          error: { message: 'model requires more system memory' },
        },
      ],
      sawEndMarker: false,
    });
  });

  it('throws a protocol error for a body without a message, or not JSON, or too large', () => {
    expect(() => decode([Buffer.from('{"model":"m","response":"hi","done":true}')])).toThrow(
      /no "message" object/,
    );
    expect(() => decode([Buffer.from('{"model":')])).toThrow(/malformed JSON/);
    expect(() => decode([body], 100)).toThrow(/exceeded the maximum event size of 100 bytes/);
  });
});
