import { readFileSync } from 'node:fs';
import type { DecoderOptions, StreamEvent, Usage } from '@llm-lens/providers-core';
import { LensProviderError } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { ResponsesStreamDecoder } from './responses-stream-decoder.js';
import { classifyOpenAIStreamError } from './stream-error.js';

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

interface Decoded {
  events: StreamEvent[];
  text: string;
  reasoningText: string;
  toolText: string;
  tokenEvents: StreamEvent[];
  usage: Usage | undefined;
  errors: NonNullable<StreamEvent['error']>[];
  sawEndMarker: boolean;
}

function isTokenBearing(event: StreamEvent): boolean {
  return event.text.length > 0 || event.reasoningText.length > 0 || event.toolText.length > 0;
}

function decodeChunks(chunks: readonly Uint8Array[], options: DecoderOptions = {}): Decoded {
  const decoder = new ResponsesStreamDecoder(options);
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent): void => {
    events.push(event);
  };
  for (const chunk of chunks) decoder.push(chunk, emit);
  decoder.end(emit);
  return {
    events,
    text: events.map((e) => e.text).join(''),
    reasoningText: events.map((e) => e.reasoningText).join(''),
    toolText: events.map((e) => e.toolText).join(''),
    tokenEvents: events.filter(isTokenBearing),
    usage: events.findLast((e) => e.usage !== undefined)?.usage,
    errors: events.flatMap((e) => (e.error === undefined ? [] : [e.error])),
    sawEndMarker: decoder.sawEndMarker,
  };
}

function byteChunks(bytes: Uint8Array): Uint8Array[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}

/**
 * Whole, one byte at a time, with CRLF line ends, and split in two at every byte: all must
 * decode to the same events.
 */
function decodeEveryWay(bytes: Uint8Array): Decoded {
  const whole = decodeChunks([bytes]);
  expect(decodeChunks(byteChunks(bytes))).toEqual(whole);
  const crlf = encode(new TextDecoder().decode(bytes).replaceAll('\n', '\r\n'));
  expect(decodeChunks([crlf])).toEqual(whole);
  for (let cut = 1; cut < bytes.length; cut += 1) {
    const split = decodeChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(split.events).toEqual(whole.events);
    expect(split.sawEndMarker).toBe(whole.sawEndMarker);
  }
  return whole;
}

/** One SSE event as the Responses API frames it: the type as `event:` and in the JSON. */
function sse(type: string, fields: Record<string, unknown> = {}): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`;
}

const completed = (usage: Record<string, unknown> | null): string =>
  sse('response.completed', { response: { id: 'resp_1', status: 'completed', output: [], usage } });

describe('ResponsesStreamDecoder on recorded-format streams', () => {
  it('reads output_text deltas as answer tokens and usage from response.completed', () => {
    const decoded = decodeEveryWay(fixture('responses-text.sse'));
    expect(decoded.text).toBe('Grüße aus Köln 👋');
    expect(decoded.tokenEvents.map((e) => e.text)).toEqual(['Grüße', ' aus', ' Köln', ' 👋']);
    // One event per SSE event: created, in_progress, item and part added, 4 deltas, 3 done, completed.
    expect(decoded.events).toHaveLength(12);
    expect(decoded.events[0]).toEqual({ text: '', reasoningText: '', toolText: '' });
    expect(decoded.usage).toEqual({
      inputTokens: 21,
      outputTokens: 6,
      reasoningTokens: 0,
      cachedInputTokens: 0,
    });
    expect(decoded.events.filter((e) => e.usage !== undefined)).toHaveLength(1);
    expect(decoded.errors).toEqual([]);
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('gives the same text when a multi-byte character is split between chunks', () => {
    const bytes = fixture('responses-text.sse');
    const wave = Buffer.from(bytes).indexOf(Buffer.from('👋'));
    expect(wave).toBeGreaterThan(0);
    for (let inside = 1; inside < 4; inside += 1) {
      const decoded = decodeChunks([
        bytes.subarray(0, wave + inside),
        bytes.subarray(wave + inside),
      ]);
      expect(decoded.text).toBe('Grüße aus Köln 👋');
      expect(decoded.sawEndMarker).toBe(true);
    }
  });

  it('reads reasoning summary deltas as reasoning before the answer, output_tokens as given', () => {
    const decoded = decodeEveryWay(fixture('responses-reasoning.sse'));
    expect(decoded.reasoningText).toBe('**Adding** two and three gives five.');
    expect(decoded.text).toBe('2 + 3 = 5.');
    expect(decoded.tokenEvents).toHaveLength(5);
    expect(decoded.tokenEvents.slice(0, 3).every((e) => e.text === '')).toBe(true);
    expect(decoded.tokenEvents.slice(3).every((e) => e.reasoningText === '')).toBe(true);
    // OpenAI's output_tokens already include the reasoning tokens (1300 + 206 = 1506).
    expect(decoded.usage).toEqual({
      inputTokens: 1300,
      outputTokens: 206,
      reasoningTokens: 192,
      cachedInputTokens: 1152,
    });
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('reads function call argument deltas as tool text', () => {
    const decoded = decodeEveryWay(fixture('responses-function-call.sse'));
    expect(decoded.toolText).toBe('{"city":"Zürich"}');
    expect(decoded.text).toBe('');
    expect(decoded.tokenEvents).toHaveLength(3);
    expect(decoded.usage).toEqual({
      inputTokens: 58,
      outputTokens: 17,
      reasoningTokens: 0,
      cachedInputTokens: 0,
    });
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('ends at response.incomplete (max_output_tokens) with its usage and no error', () => {
    const decoded = decodeEveryWay(fixture('responses-incomplete.sse'));
    expect(decoded.text).toBe('Monday, Tuesday, Wednes');
    expect(decoded.usage).toEqual({
      inputTokens: 12,
      outputTokens: 16,
      reasoningTokens: 0,
      cachedInputTokens: 0,
    });
    expect(decoded.errors).toEqual([]);
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('reports an error event once although response.failed follows it', () => {
    const decoded = decodeEveryWay(fixture('responses-error-event.sse'));
    expect(decoded.text).toBe('Once');
    expect(decoded.errors).toEqual([
      {
        message:
          'Rate limit reached for gpt-4.1-mini on tokens per min (TPM). Please try again in 2s.',
        code: 'rate_limit_exceeded',
      },
    ]);
    expect(classifyOpenAIStreamError(decoded.errors[0]!).errorClass).toBe('rate_limited');
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('reports response.failed without an error event from response.error, with its usage', () => {
    const decoded = decodeEveryWay(fixture('responses-failed.sse'));
    expect(decoded.errors).toEqual([
      { message: 'The model failed to generate a response.', code: 'server_error' },
    ]);
    expect(classifyOpenAIStreamError(decoded.errors[0]!)).toEqual({
      errorClass: 'server_error',
      message: 'error in stream: The model failed to generate a response. (code server_error)',
    });
    expect(decoded.usage).toEqual({
      inputTokens: 9,
      outputTokens: 0,
      reasoningTokens: 0,
      cachedInputTokens: 0,
    });
    expect(decoded.tokenEvents).toEqual([]);
    expect(decoded.sawEndMarker).toBe(true);
  });
});

describe('ResponsesStreamDecoder end of stream', () => {
  const text = new TextDecoder().decode(fixture('responses-text.sse'));
  const completedAt = text.indexOf('event: response.completed');

  it('has no end marker when the body ends before response.completed', () => {
    const decoded = decodeChunks([encode(text.slice(0, completedAt))]);
    expect(decoded.text).toBe('Grüße aus Köln 👋');
    expect(decoded.usage).toBeUndefined();
    expect(decoded.sawEndMarker).toBe(false);
  });

  it('has no end marker and no usage when response.completed is cut inside its JSON', () => {
    const cut = text.indexOf('"usage"', completedAt);
    const decoded = decodeChunks([encode(text.slice(0, cut))]);
    expect(decoded.text).toBe('Grüße aus Köln 👋');
    expect(decoded.usage).toBeUndefined();
    expect(decoded.sawEndMarker).toBe(false);
  });

  it('takes a whole response.completed that the body ends on without its blank line', () => {
    for (const end of [text.length - 1, text.length - 2]) {
      const decoded = decodeChunks([encode(text.slice(0, end))]);
      expect(decoded.sawEndMarker).toBe(true);
      expect(decoded.usage?.outputTokens).toBe(6);
    }
  });

  it('does not take a cut delta event as the end, nor emit it', () => {
    const cutDelta = text.slice(0, text.indexOf('event: response.output_text.done') - 2);
    const decoded = decodeChunks([encode(cutDelta)]);
    expect(decoded.text).toBe('Grüße aus Köln');
    expect(decoded.sawEndMarker).toBe(false);
  });

  it('ignores everything after the terminal event', () => {
    const decoded = decodeChunks([
      encode(
        text +
          sse('response.output_text.delta', { delta: 'late' }) +
          sse('error', { code: 'server_error', message: 'late' }),
      ),
    ]);
    expect(decoded.text).toBe('Grüße aus Köln 👋');
    expect(decoded.errors).toEqual([]);
    expect(decoded.events).toHaveLength(12);
  });

  it('never waits for a [DONE]: the stream is complete at response.completed', () => {
    const decoded = decodeChunks([
      encode(sse('response.output_text.delta', { delta: 'Hi' }) + completed(null)),
    ]);
    expect(decoded.sawEndMarker).toBe(true);
    expect(decoded.usage).toBeUndefined();
  });
});

describe('ResponsesStreamDecoder event kinds', () => {
  it('counts refusal deltas as answer text and raw reasoning text as reasoning', () => {
    const decoded = decodeChunks([
      encode(
        sse('response.reasoning_text.delta', { delta: 'think' }) +
          sse('response.refusal.delta', { delta: "I can't help" }) +
          sse('response.custom_tool_call_input.delta', { delta: 'x=1' }) +
          completed(null),
      ),
    ]);
    expect(decoded.tokenEvents).toEqual([
      { text: '', reasoningText: 'think', toolText: '' },
      { text: "I can't help", reasoningText: '', toolText: '' },
      { text: '', reasoningText: '', toolText: 'x=1' },
    ]);
  });

  it('never counts lifecycle, done, annotation, keep-alive or unknown events as tokens', () => {
    const decoded = decodeChunks([
      encode(
        ': keep-alive comment\n\n' +
          sse('response.queued', { response: { usage: null } }) +
          sse('keepalive') +
          sse('response.output_text.done', { text: 'whole text' }) +
          sse('response.output_text.annotation.added', { annotation: { type: 'url_citation' } }) +
          sse('response.reasoning_summary_part.added', {
            part: { type: 'summary_text', text: '' },
          }) +
          sse('response.some_future_event.delta', { delta: 'unknown' }) +
          completed(null),
      ),
    ]);
    expect(decoded.events).toHaveLength(7);
    expect(decoded.tokenEvents).toEqual([]);
  });

  it('takes the JSON type over the SSE event name, and the name when the JSON has no type', () => {
    const decoded = decodeChunks([
      encode(
        'event: response.in_progress\ndata: {"type":"response.output_text.delta","delta":"A"}\n\n' +
          'event: response.output_text.delta\ndata: {"delta":"B"}\n\n' +
          'data: {"type":"response.output_text.delta","delta":"C"}\n\n',
      ),
    ]);
    expect(decoded.text).toBe('ABC');
  });

  it('reads an error event nested in an error object, as recorded streams send it', () => {
    const decoded = decodeChunks([
      encode(
        sse('error', {
          sequence_number: 2,
          error: {
            type: 'insufficient_quota',
            code: 'insufficient_quota',
            message: 'You exceeded your current quota.',
            param: null,
          },
        }),
      ),
    ]);
    expect(decoded.errors).toEqual([
      {
        message: 'You exceeded your current quota.',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      },
    ]);
    expect(classifyOpenAIStreamError(decoded.errors[0]!).errorClass).toBe('rate_limited');
    expect(decoded.sawEndMarker).toBe(false);
  });

  it('reads a bare data: {"error": ...} as an error, and an error event without a message', () => {
    const decoded = decodeChunks([
      encode(
        'data: {"error":{"message":"upstream failed","type":"server_error"}}\n\n' +
          sse('error', { code: 'server_error' }),
      ),
    ]);
    expect(decoded.errors).toEqual([
      { message: 'upstream failed', type: 'server_error' },
      { message: 'the server reported an error event without a message', code: 'server_error' },
    ]);
  });

  it('says response.failed failed when it carries no error object', () => {
    const decoded = decodeChunks([
      encode(sse('response.failed', { response: { status: 'failed', error: null } })),
    ]);
    expect(decoded.errors).toEqual([
      { message: 'the response failed (status "failed") without an error object' },
    ]);
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('cuts a megabyte-long error message to 1000 characters', () => {
    const decoded = decodeChunks([
      encode(sse('error', { code: 'server_error', message: 'x'.repeat(1_000_000) })),
    ]);
    expect(decoded.errors[0]!.message).toHaveLength(1000);
    expect(decoded.errors[0]!.message.endsWith('…')).toBe(true);
  });

  it('drops a usage report whose counts are not token counts and says why', () => {
    const decoded = decodeChunks([encode(completed({ input_tokens: 3, output_tokens: 1e300 }))]);
    expect(decoded.usage).toEqual({
      ignoredReason:
        'usage ignored: output_tokens 1e+300 is not a token count (expected a whole number from 0 to 1000000000)',
    });
  });
});

describe('ResponsesStreamDecoder protocol errors', () => {
  it('throws a protocol error on malformed JSON, quoting its start', () => {
    const decoder = new ResponsesStreamDecoder();
    let caught: unknown;
    try {
      decoder.push(encode('event: response.output_text.delta\ndata: {"delta":\n\n'), () => {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LensProviderError);
    expect(caught).toMatchObject({
      code: 'LENS_PROVIDER_PROTOCOL',
      errorClass: 'protocol',
      message: 'malformed JSON in an OpenAI Responses stream event: "{\\"delta\\":"',
    });
  });

  it('throws a protocol error on data that is not a JSON object', () => {
    const decoder = new ResponsesStreamDecoder();
    expect(() => decoder.push(encode('data: [1,2]\n\n'), () => {})).toThrow(
      'an OpenAI Responses stream event is not a JSON object: "[1,2]"',
    );
  });

  it('passes over a chat-style data: [DONE] without taking it as the end', () => {
    const decoded = decodeChunks([
      encode(sse('response.output_text.delta', { delta: 'Hi' }) + 'data: [DONE]\n\n'),
    ]);
    expect(decoded.text).toBe('Hi');
    expect(decoded.events).toHaveLength(1);
    expect(decoded.sawEndMarker).toBe(false);
  });

  it('throws before buffering an event over maxEventBytes', () => {
    const decoder = new ResponsesStreamDecoder({ maxEventBytes: 64 });
    expect(() =>
      decoder.push(encode(`data: {"type":"x","pad":"${'y'.repeat(100)}`), () => {}),
    ).toThrow('exceeded the maximum event size of 64 bytes');
  });
});
