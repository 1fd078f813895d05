import { readFileSync } from 'node:fs';
import type { ResponseDecoder, StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { GenericJsonDecoder } from './json-decoder.js';
import { compileSelectors } from './payload-reader.js';

const body = readFileSync(new URL('../test/fixtures/completion.json', import.meta.url));

function decode(decoder: ResponseDecoder, chunks: readonly Uint8Array[]) {
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent) => events.push(event);
  for (const chunk of chunks) decoder.push(chunk, emit);
  decoder.end(emit);
  return { events, sawEndMarker: decoder.sawEndMarker };
}

const selectors = compileSelectors({
  text: '$.answer.parts[*].text',
  reasoning_text: '$.thinking.text',
  usage: {
    input_tokens: '$.usage.input',
    output_tokens: '$.usage.generated',
    reasoning_tokens: '$.usage.reasoning',
  },
  error: '$.error.message',
});

const expected = {
  events: [
    {
      text: 'Autumn moonlight— a worm digs silently',
      reasoningText: 'User wants a haiku.',
      toolText: '',
      usage: { inputTokens: 12, outputTokens: 11, reasoningTokens: 5 },
    },
  ],
  sawEndMarker: true,
};

describe('GenericJsonDecoder', () => {
  it('reads the whole body at the end as one event; wildcard text matches are joined', () => {
    expect(decode(new GenericJsonDecoder(selectors, 'output_includes_reasoning'), [body])).toEqual(
      expected,
    );
  });

  it('gives the same event however the body is split', () => {
    for (let at = 1; at < body.length; at++) {
      const decoder = new GenericJsonDecoder(selectors, 'output_includes_reasoning');
      expect(decode(decoder, [body.subarray(0, at), body.subarray(at)]), `at ${at}`).toEqual(
        expected,
      );
    }
  });

  it('needs a truthy done selector when one is configured', () => {
    const withDone = compileSelectors({ text: '$.answer.parts[*].text', done: '$.finished' });
    const decoder = new GenericJsonDecoder(withDone, 'output_includes_reasoning');
    expect(decode(decoder, [body]).sawEndMarker).toBe(false);
  });

  it('reports an error body as an error event, not as a complete response', () => {
    const decoder = new GenericJsonDecoder(selectors, 'output_includes_reasoning');
    expect(decode(decoder, [Buffer.from('{"error":{"message":"content filtered"}}')])).toEqual({
      events: [
        { text: '', reasoningText: '', toolText: '', error: { message: 'content filtered' } },
      ],
      sawEndMarker: false,
    });
  });

  it('throws a protocol error for a body that is not JSON, and for one over the limit', () => {
    const decoder = new GenericJsonDecoder(selectors, 'output_includes_reasoning');
    decoder.push(Buffer.from('{"answer": '), () => {});
    expect(() => decoder.end(() => {})).toThrow(
      'malformed JSON in a response body: "{\\"answer\\": "',
    );
    const small = new GenericJsonDecoder(selectors, 'output_includes_reasoning', {
      maxEventBytes: 16,
    });
    expect(() => small.push(body, () => {})).toThrow(
      'a response body exceeded the maximum event size of 16 bytes',
    );
  });
});
