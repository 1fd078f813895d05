import { readFileSync } from 'node:fs';
import type { ResponseDecoder, StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { GenericNdjsonDecoder } from './ndjson-decoder.js';
import { compileSelectors } from './payload-reader.js';

const body = readFileSync(new URL('../test/fixtures/ollama-chat.ndjson', import.meta.url));

function decode(decoder: ResponseDecoder, chunks: readonly Uint8Array[]) {
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent) => events.push(event);
  for (const chunk of chunks) decoder.push(chunk, emit);
  decoder.end(emit);
  return { events, sawEndMarker: decoder.sawEndMarker };
}

const ollamaSelectors = compileSelectors({
  text: '$.message.content',
  usage: { input_tokens: '$.prompt_eval_count', output_tokens: '$.eval_count' },
  error: '$.error',
  done: '$.done',
});

function ollamaDecoder(): GenericNdjsonDecoder {
  return new GenericNdjsonDecoder(ollamaSelectors, 'output_includes_reasoning');
}

const blank = { text: '', reasoningText: '', toolText: '' };
const ollamaEvents: StreamEvent[] = [
  { ...blank, text: 'Gr' },
  { ...blank, text: 'üß' },
  { ...blank, text: 'e 🌍' },
  { ...blank, usage: { inputTokens: 26, outputTokens: 3 } },
];

describe('GenericNdjsonDecoder', () => {
  it('reads one payload per line and ends at the truthy done selector', () => {
    expect(decode(ollamaDecoder(), [body])).toEqual({ events: ollamaEvents, sawEndMarker: true });
  });

  it('gives the same events however the body is split, even inside a UTF-8 character', () => {
    for (let at = 1; at < body.length; at++) {
      const split = decode(ollamaDecoder(), [body.subarray(0, at), body.subarray(at)]);
      expect(split, `split at byte ${at}`).toEqual({ events: ollamaEvents, sawEndMarker: true });
    }
    const bytes = [...body].map((byte) => Uint8Array.of(byte));
    expect(decode(ollamaDecoder(), bytes)).toEqual({ events: ollamaEvents, sawEndMarker: true });
  });

  it('reads a last line without its line end, and CRLF line ends', () => {
    const text = body.toString('utf8');
    expect(decode(ollamaDecoder(), [Buffer.from(text.trimEnd())]).sawEndMarker).toBe(true);
    const crlf = Buffer.from(text.replace(/\n/g, '\r\n'));
    expect(decode(ollamaDecoder(), [crlf]).events).toEqual(ollamaEvents);
  });

  it('has no end marker when the done line never came', () => {
    const lines = body
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '');
    const cut = Buffer.from(`${lines.slice(0, 3).join('\n')}\n`);
    expect(decode(ollamaDecoder(), [cut])).toEqual({
      events: ollamaEvents.slice(0, 3),
      sawEndMarker: false,
    });
  });

  it('emits an error line found by the error selector', () => {
    const lines = Buffer.from(
      '{"message":{"content":"a"},"done":false}\n{"error":"out of memory"}\n',
    );
    expect(decode(ollamaDecoder(), [lines])).toEqual({
      events: [
        { ...blank, text: 'a' },
        { ...blank, error: { message: 'out of memory' } },
      ],
      sawEndMarker: false,
    });
  });

  it('without a done selector, is complete when the last line is whole', () => {
    const selectors = compileSelectors({ text: '$.token' });
    const whole = new GenericNdjsonDecoder(selectors, 'output_includes_reasoning');
    expect(decode(whole, [Buffer.from('{"token":"a"}\n{"token":"b"}')]).sawEndMarker).toBe(true);
    const cut = new GenericNdjsonDecoder(selectors, 'output_includes_reasoning');
    expect(decode(cut, [Buffer.from('{"token":"a"}\n{"tok')])).toEqual({
      events: [{ ...blank, text: 'a' }],
      sawEndMarker: false,
    });
  });

  it('throws a protocol error for a line that is not JSON', () => {
    expect(() => ollamaDecoder().push(Buffer.from('data: {"a":1}\n'), () => {})).toThrow(
      'malformed JSON in an NDJSON line: "data: {\\"a\\":1}"',
    );
  });
});
