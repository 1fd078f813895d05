import { readFileSync } from 'node:fs';
import { LensProviderError, type StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { OllamaStreamDecoder } from './stream-decoder.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));

interface Decoded {
  events: StreamEvent[];
  sawEndMarker: boolean;
}

/** Decodes `body` delivered as the given pieces. */
function decodePieces(pieces: readonly Uint8Array[], maxEventBytes?: number): Decoded {
  const decoder = new OllamaStreamDecoder(maxEventBytes === undefined ? {} : { maxEventBytes });
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent): void => {
    events.push(event);
  };
  for (const piece of pieces) decoder.push(piece, emit);
  decoder.end(emit);
  return { events, sawEndMarker: decoder.sawEndMarker };
}

/**
 * Every way of delivering `body` this test checks: whole, one byte at a time (inside every
 * multi-byte character), and cut in two at each byte boundary.
 */
function deliveries(body: Buffer): Uint8Array[][] {
  const result: Uint8Array[][] = [[body], [...body].map((byte) => Uint8Array.of(byte))];
  for (let cut = 1; cut < body.length; cut++) {
    result.push([body.subarray(0, cut), body.subarray(cut)]);
  }
  return result;
}

/** Decodes `body` every way of {@link deliveries}, checks they agree, and returns the result. */
function decodeEveryWay(body: Buffer): Decoded {
  const [first, ...rest] = deliveries(body).map((pieces) => decodePieces(pieces));
  for (const other of rest) expect(other).toEqual(first);
  return first!;
}

const tokens = (events: StreamEvent[]) =>
  events
    .filter((e) => e.text.length > 0 || e.reasoningText.length > 0 || e.toolText.length > 0)
    .map((e) => [e.text, e.reasoningText, e.toolText]);

describe('OllamaStreamDecoder', () => {
  it('reads each done:false line as a token event and the done line as usage and server timings, at any split', () => {
    const body = fixture('chat-text.ndjson');
    for (const input of [body, Buffer.from(body.toString('utf8').replaceAll('\n', '\r\n'))]) {
      const { events, sawEndMarker } = decodeEveryWay(input);
      expect(tokens(events)).toEqual([
        ['Un café', '', ''],
        ['—', '', ''],
        ['灯台', '', ''],
        ['の', '', ''],
        ['光', '', ''],
        ['🌊', '', ''],
        ['.', '', ''],
      ]);
      expect(sawEndMarker).toBe(true);
      expect(events).toHaveLength(8);
      expect(events.at(-1)).toEqual({
        text: '',
        reasoningText: '',
        toolText: '',
        usage: { inputTokens: 23, outputTokens: 7 },
        serverTimings: {
          total_duration_ms: 2750.125,
          load_duration_ms: 2100.0005,
          prompt_eval_duration_ms: 412.345678,
          eval_duration_ms: 231.000001,
        },
      });
    }
  });

  it('reads message.thinking as reasoning; eval_count already counts it', () => {
    const { events, sawEndMarker } = decodeEveryWay(fixture('chat-thinking.ndjson'));
    expect(tokens(events)).toEqual([
      ['', 'Two', ''],
      ['', ' plus', ''],
      ['', ' two', ''],
      ['', ' is', ''],
      ['', ' four.', ''],
      ['4', '', ''],
      [' ✓', '', ''],
    ]);
    expect(sawEndMarker).toBe(true);
    // 5 thinking + 2 answer tokens, and eval_count 9: the report is taken as is, thinking in.
    expect(events.at(-1)?.usage).toEqual({ inputTokens: 12, outputTokens: 9 });
  });

  it('reads a tool call as tool text: its arguments as JSON', () => {
    const { events, sawEndMarker } = decodeEveryWay(fixture('chat-tool-call.ndjson'));
    expect(tokens(events)).toEqual([['', '', '{"city":"Zürich","unit":"celsius"}']]);
    expect(sawEndMarker).toBe(true);
  });

  it('emits an {"error"} line as a stream error and, without a done line, no end marker', () => {
    const { events, sawEndMarker } = decodeEveryWay(fixture('chat-error.ndjson'));
    expect(tokens(events)).toEqual([
      ['One', '', ''],
      [' two', '', ''],
    ]);
    expect(events.at(-1)).toEqual({
      text: '',
      reasoningText: '',
      toolText: '',
      error: {
        message:
          'an error was encountered while running the model: llama runner process has terminated',
      },
    });
    expect(sawEndMarker).toBe(false);
  });

  it('has no end marker when the body is cut, even at a line end, and drops a half line', () => {
    const body = fixture('chat-text.ndjson');
    const text = body.toString('utf8');
    const lastLineStart = text.lastIndexOf('{"model"');
    const atLineEnd = Buffer.from(text.slice(0, lastLineStart));
    const midLine = Buffer.from(text.slice(0, lastLineStart + 40));
    for (const cut of [atLineEnd, midLine]) {
      const { events, sawEndMarker } = decodeEveryWay(cut);
      expect(tokens(events)).toHaveLength(7);
      expect(events.some((e) => e.usage !== undefined)).toBe(false);
      expect(sawEndMarker).toBe(false);
    }
  });

  it('takes a done line without a final newline, and ignores anything after the done line', () => {
    const text = fixture('chat-text.ndjson').toString('utf8');
    const trimmed = decodeEveryWay(Buffer.from(text.trimEnd()));
    expect(trimmed.sawEndMarker).toBe(true);
    expect(trimmed.events.at(-1)?.usage).toEqual({ inputTokens: 23, outputTokens: 7 });
    const trailing = decodePieces([
      Buffer.from(`${text}{"message":{"content":"late"},"done":false}\nnot json\n`),
    ]);
    expect(tokens(trailing.events)).toHaveLength(7);
  });

  it('keeps text of a done line that carries some, with the usage in the same event', () => {
    const line =
      '{"model":"m","message":{"role":"assistant","content":"end"},"done":true,"done_reason":"stop","eval_count":1}\n';
    const { events } = decodePieces([Buffer.from(line)]);
    expect(events).toEqual([
      { text: 'end', reasoningText: '', toolText: '', usage: { outputTokens: 1 } },
    ]);
  });

  it('throws a protocol error on a line that is not a JSON object', () => {
    for (const line of ['<html>bad gateway</html>\n', '[1,2]\n']) {
      let caught: unknown;
      try {
        decodePieces([Buffer.from(line)]);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(LensProviderError);
      expect(caught).toMatchObject({ code: 'LENS_PROVIDER_PROTOCOL', errorClass: 'protocol' });
    }
  });

  it('refuses a line longer than maxEventBytes before buffering it', () => {
    const line = `{"message":{"content":"${'x'.repeat(200)}"},"done":false}\n`;
    expect(() => decodePieces([Buffer.from(line)], 100)).toThrow(/exceeded the maximum event size/);
    expect(decodePieces([Buffer.from(line)], 1000).events).toHaveLength(1);
  });
});
