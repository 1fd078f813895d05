import { readFileSync } from 'node:fs';
import type { StreamEvent, Usage } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { classifyGeminiStreamError } from './gemini-errors.js';
import { GeminiStreamDecoder } from './stream-decoder.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));

interface Decoded {
  events: StreamEvent[];
  sawEndMarker: boolean;
}

/** Decodes `body` cut into pieces of `size` bytes (1: every byte boundary, inside characters too). */
function decode(body: Buffer, size = body.length): Decoded {
  const decoder = new GeminiStreamDecoder();
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent): void => {
    events.push(event);
  };
  for (let i = 0; i < body.length; i += size) decoder.push(body.subarray(i, i + size), emit);
  decoder.end(emit);
  return { events, sawEndMarker: decoder.sawEndMarker };
}

const tokens = (events: StreamEvent[]) =>
  events
    .filter((e) => e.text.length > 0 || e.reasoningText.length > 0 || e.toolText.length > 0)
    .map((e) => [e.text, e.reasoningText, e.toolText]);

/** The usage a run ends with: reports merged in order, as the executor merges them. */
const mergedUsage = (events: StreamEvent[]): Usage => {
  const usage: Usage = {};
  for (const event of events) if (event.usage) Object.assign(usage, event.usage);
  return usage;
};

describe('GeminiStreamDecoder', () => {
  it('reads text parts as token events across CRLF separators, whatever the splits', () => {
    const body = fixture('stream-text-prompt-count-changes.sse');
    const lf = Buffer.from(body.toString('utf8').replaceAll('\r\n', '\n'));
    for (const [input, size] of [
      [body, body.length],
      [body, 1],
      [body, 7],
      [lf, 3],
    ] as const) {
      const { events, sawEndMarker } = decode(input, size);
      expect(tokens(events)).toEqual([
        ['The', '', ''],
        [' naïve lighthouse', '', ''],
        [' keeper 灯台 🌊.\n', '', ''],
      ]);
      expect(sawEndMarker).toBe(true);
      // The prompt count changed on the last chunk (11 → 9): the last report wins.
      expect(mergedUsage(events)).toEqual({
        inputTokens: 9,
        outputTokens: 9,
        reportedOutputTokens: 9,
      });
      // Chunks before the last carry the prompt only: no output count yet, not a zero.
      expect(events[0]?.usage).toEqual({ inputTokens: 11 });
    }
  });

  it('is not complete when the body ends before the chunk with a finishReason', () => {
    const body = fixture('stream-text-prompt-count-changes.sse');
    const cut = body.subarray(0, body.lastIndexOf('data: '));
    const { events, sawEndMarker } = decode(cut);
    expect(tokens(events)).toHaveLength(2);
    expect(sawEndMarker).toBe(false);
  });

  it('reads thought parts as reasoning and counts thoughts as output without candidatesTokenCount', () => {
    const { events, sawEndMarker } = decode(fixture('stream-thoughts-no-candidates-count.sse'), 5);
    expect(tokens(events).map(([text, reasoning]) => [text, reasoning?.slice(0, 20)])).toEqual([
      ['', '**Counting the squar'],
      ['', '**Checking the list*'],
      ['7', ''],
    ]);
    expect(sawEndMarker).toBe(true);
    // No visible count ever arrives: output is the thoughts, and no reported count is made up.
    expect(mergedUsage(events)).toEqual({
      inputTokens: 24,
      outputTokens: 412,
      reasoningTokens: 412,
    });
  });

  it('counts hidden thinking in the output, keeping candidatesTokenCount as the reported count', () => {
    const { events } = decode(fixture('stream-hidden-thinking.sse'));
    expect(tokens(events)).toEqual([['7', '', '']]);
    expect(mergedUsage(events)).toEqual({
      inputTokens: 24,
      outputTokens: 1286,
      reportedOutputTokens: 1,
      reasoningTokens: 1285,
    });
  });

  it('never counts a thought signature as text', () => {
    const { events } = decode(fixture('stream-thought-parts-signature.sse'), 11);
    expect(tokens(events)).toEqual([
      ['', '**Planning the answer**\n\nShort and safe.\n\n', ''],
      ['Look left, then right', '', ''],
      [', then left again.', '', ''],
    ]);
    expect(mergedUsage(events)).toEqual({
      inputTokens: 30,
      outputTokens: 76,
      reportedOutputTokens: 11,
      reasoningTokens: 65,
    });
  });

  it("reads a function call's args as tool text, and an empty final text part as no token", () => {
    const { events, sawEndMarker } = decode(fixture('stream-function-call.sse'));
    expect(tokens(events)).toEqual([['', '', '{"city":"Lisbon"}']]);
    expect(sawEndMarker).toBe(true);
    expect(events).toHaveLength(2);
  });

  it('reports an error object mid-stream, classified by its status, with no end marker', () => {
    const { events, sawEndMarker } = decode(fixture('stream-error-midstream.sse'), 9);
    expect(tokens(events)).toEqual([['Once upon', '', '']]);
    const error = events.find((e) => e.error)?.error;
    expect(error).toEqual({
      message: 'The model is overloaded. Please try again later.',
      type: 'UNAVAILABLE',
      code: 503,
    });
    expect(classifyGeminiStreamError(error!)).toEqual({
      errorClass: 'server_error',
      message:
        'error in stream: The model is overloaded. Please try again later. (UNAVAILABLE, code 503)',
    });
    expect(sawEndMarker).toBe(false);
  });

  it('reports a blocked prompt as an error that says why, and as the end of the stream', () => {
    const { events, sawEndMarker } = decode(fixture('stream-prompt-blocked.sse'));
    expect(sawEndMarker).toBe(true);
    expect(events).toHaveLength(1);
    const error = events[0]!.error!;
    expect(error.message).toBe(
      'Gemini blocked the prompt (promptFeedback.blockReason PROHIBITED_CONTENT)',
    );
    expect(classifyGeminiStreamError(error).errorClass).toBe('client_error');
    expect(events[0]?.usage).toEqual({ inputTokens: 8 });
  });

  it('reports a stop other than STOP before any output, and not after some', () => {
    const chunk = (parts: string, finish: string, usage = '') =>
      `data: {"candidates":[{"content":{"parts":[${parts}],"role":"model"}${finish === '' ? '' : `,"finishReason":"${finish}"`},"index":0}]${usage}}\r\n\r\n`;
    const safety = decode(Buffer.from(chunk('', 'SAFETY')));
    expect(safety.events[0]?.error).toEqual({
      message: 'Gemini stopped before any output (finishReason SAFETY)',
      type: 'finishReason',
      code: 'SAFETY',
    });
    // Thinking spent the whole output limit: the hint says what to change.
    const maxTokens = decode(
      Buffer.from(
        chunk(
          '',
          'MAX_TOKENS',
          ',"usageMetadata":{"promptTokenCount":4,"totalTokenCount":68,"thoughtsTokenCount":64}',
        ),
      ),
    );
    expect(maxTokens.events[0]?.error?.message).toMatch(
      /finishReason MAX_TOKENS\) \(thinking used the whole output limit/,
    );
    expect(maxTokens.events[0]?.usage).toEqual({
      inputTokens: 4,
      outputTokens: 64,
      reasoningTokens: 64,
    });
    const afterText = decode(Buffer.from(chunk('{"text":"Hello"}', '') + chunk('', 'SAFETY')));
    expect(afterText.events.some((e) => e.error)).toBe(false);
    expect(afterText.sawEndMarker).toBe(true);
    expect(decode(Buffer.from(chunk('{"text":""}', 'STOP'))).events).toEqual([]);
  });

  it('drops a usage report whose counts are not token counts, with the reason', () => {
    const body = Buffer.from(
      'data: {"candidates":[{"content":{"parts":[{"text":"x"}]}}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1e300}}\r\n\r\n',
    );
    expect(decode(body).events[0]?.usage?.ignoredReason).toMatch(
      /^usage ignored: candidatesTokenCount/,
    );
  });

  it('throws a protocol error on an event that is not a JSON object', () => {
    expect(() => decode(Buffer.from('data: {oops\r\n\r\n'))).toThrow(
      /malformed JSON in a Gemini stream event/,
    );
    expect(() => decode(Buffer.from('data: [1]\r\n\r\n'))).toThrow(/is not a JSON object/);
  });
});

describe('after the end', () => {
  const data = (value: unknown): string => `data: ${JSON.stringify(value)}\r\n\r\n`;
  const chunk = (text: string, finishReason?: string) =>
    data({
      candidates: [
        {
          content: { role: 'model', parts: [{ text }] },
          ...(finishReason ? { finishReason } : {}),
        },
      ],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
    });

  it('reads nothing after the chunk with finishReason, in the same read or not', () => {
    const body = Buffer.from(
      chunk('Hi') +
        chunk(' there', 'STOP') +
        chunk(' extra') +
        data({ error: { code: 500, message: 'late', status: 'INTERNAL' } }) +
        'data: not json\r\n\r\n',
    );
    for (const size of [body.length, 7, 1]) {
      const { events, sawEndMarker } = decode(body, size);
      expect(tokens(events)).toEqual([
        ['Hi', '', ''],
        [' there', '', ''],
      ]);
      expect(events.some((e) => e.error !== undefined)).toBe(false);
      expect(sawEndMarker).toBe(true);
    }
  });

  it('reports any block reason without output as the reason, BLOCK_REASON_UNSPECIFIED too', () => {
    const { events } = decode(
      Buffer.from(data({ promptFeedback: { blockReason: 'BLOCK_REASON_UNSPECIFIED' } })),
    );
    const error = events.find((e) => e.error !== undefined)?.error;
    expect(error?.message).toMatch(
      /blocked the prompt \(promptFeedback\.blockReason BLOCK_REASON_UNSPECIFIED\)/,
    );
    expect(classifyGeminiStreamError(error!).errorClass).toBe('client_error');
  });
});
