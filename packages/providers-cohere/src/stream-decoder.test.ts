import { readFileSync } from 'node:fs';
import type { StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { classifyCohereStreamError } from './cohere-errors.js';
import { CohereStreamDecoder } from './stream-decoder.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));

interface Decoded {
  events: StreamEvent[];
  sawEndMarker: boolean;
}

/** Decodes `body` delivered as the given pieces. */
function decodePieces(pieces: readonly Uint8Array[]): Decoded {
  const decoder = new CohereStreamDecoder();
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent): void => {
    events.push(event);
  };
  for (const piece of pieces) decoder.push(piece, emit);
  decoder.end(emit);
  return { events, sawEndMarker: decoder.sawEndMarker };
}

/** Decodes `body` cut into pieces of `size` bytes (1: every byte boundary, inside characters too). */
function decode(body: Buffer, size = body.length): Decoded {
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) pieces.push(body.subarray(i, i + size));
  return decodePieces(pieces);
}

const tokens = (events: StreamEvent[]) =>
  events
    .filter((e) => e.text.length > 0 || e.reasoningText.length > 0 || e.toolText.length > 0)
    .map((e) => [e.text, e.reasoningText, e.toolText]);
const lastUsage = (events: StreamEvent[]) => events.findLast((e) => e.usage)?.usage;

describe('CohereStreamDecoder', () => {
  it('reads text deltas as token events and citations and block events as nothing', () => {
    const { events, sawEndMarker } = decode(fixture('chat-text.sse'));
    expect(tokens(events)).toEqual([
      ['Olá', '', ''],
      [' lighthouse', '', ''],
      [' 灯台', '', ''],
      [' 🌊.', '', ''],
    ]);
    expect(sawEndMarker).toBe(true);
    // Processed tokens, not billed units (6 in, 9 out); cached_tokens is the cached input.
    expect(events.filter((e) => e.usage).map((e) => e.usage)).toEqual([
      { inputTokens: 212, outputTokens: 9, cachedInputTokens: 192 },
    ]);
  });

  it.each([
    'chat-text.sse',
    'chat-thinking.sse',
    'chat-tool-calls.sse',
    'chat-generation-error.sse',
  ])('decodes %s the same whatever the chunk boundaries and line ends', (name) => {
    const body = fixture(name);
    const whole = decode(body);
    const crlf = Buffer.from(body.toString('utf8').replaceAll('\n', '\r\n'));
    expect(decode(body, 1)).toEqual(whole);
    expect(decode(crlf, 1)).toEqual(whole);
    expect(decode(body, 7)).toEqual(whole);
    // Two pieces cut at every byte, multi-byte characters included.
    for (let cut = 1; cut < body.length; cut++) {
      expect(decodePieces([body.subarray(0, cut), body.subarray(cut)])).toEqual(whole);
    }
  });

  it('reads thinking as reasoning before the answer, and output tokens with thinking included', () => {
    const { events, sawEndMarker } = decode(fixture('chat-thinking.sse'), 3);
    expect(tokens(events)).toEqual([
      ['', 'Two plus', ''],
      ['', ' two is four.', ''],
      ['Four', '', ''],
      ['.', '', ''],
    ]);
    expect(lastUsage(events)).toEqual({ inputTokens: 503, outputTokens: 13 });
    expect(sawEndMarker).toBe(true);
  });

  it('reads the tool plan as reasoning and tool-call arguments as tool text, not the empty start', () => {
    const { events } = decode(fixture('chat-tool-calls.sse'));
    expect(tokens(events)).toEqual([
      ['', 'I will look', ''],
      ['', ' up the weather.', ''],
      ['', '', '{"city": "Lis'],
      ['', '', 'bon"}'],
    ]);
    expect(lastUsage(events)).toEqual({ inputTokens: 890, outputTokens: 41 });
  });

  it('reports a failed generation from message-end as an error, classified by its error_type', () => {
    const { events, sawEndMarker } = decode(fixture('chat-generation-error.sse'), 5);
    expect(tokens(events)).toHaveLength(2);
    const failure = events.filter((e) => e.error !== undefined);
    expect(failure).toEqual([
      {
        text: '',
        reasoningText: '',
        toolText: '',
        error: {
          message: 'the model produced a tool call that does not match any tool definition',
          type: 'INVALID_TOOL_GENERATION',
        },
      },
    ]);
    // The empty usage of the failed generation is no report.
    expect(lastUsage(events)).toBeUndefined();
    // message-end arrived: the stream is complete, the request failed by its error.
    expect(sawEndMarker).toBe(true);
    expect(classifyCohereStreamError(failure[0]!.error!)).toEqual({
      errorClass: 'client_error',
      message:
        'error in stream: the model produced a tool call that does not match any tool definition (type INVALID_TOOL_GENERATION)',
    });
  });

  it('reports an ERROR finish without a message or type as a server error', () => {
    const body = Buffer.from(
      'event: message-end\ndata: {"type":"message-end","delta":{"finish_reason":"ERROR","usage":{}}}\n\n',
    );
    const error = decode(body).events[0]?.error;
    expect(error).toEqual({
      message: 'the generation failed (finish_reason ERROR) without a message',
    });
    expect(classifyCohereStreamError(error!)).toEqual({
      errorClass: 'server_error',
      message: 'error in stream: the generation failed (finish_reason ERROR) without a message',
    });
  });

  it('is not complete when the body is cut before message-end, nor by a [DONE] alone', () => {
    const body = fixture('chat-text.sse');
    const cut = body.subarray(0, body.indexOf('event: message-end'));
    expect(decode(cut).sawEndMarker).toBe(false);
    expect(decode(Buffer.concat([cut, Buffer.from('data: [DONE]\n\n')])).sawEndMarker).toBe(false);
  });

  it('takes the type from the event name when the payload has none, and ignores what follows message-end', () => {
    const body = Buffer.from(
      'event: content-delta\ndata: {"index":0,"delta":{"message":{"content":{"text":"Hi"}}}}\n\n' +
        'event: message-end\ndata: {"delta":{"finish_reason":"COMPLETE","usage":{"tokens":{"input_tokens":3,"output_tokens":1}}}}\n\n' +
        'event: content-delta\ndata: {"type":"content-delta","delta":{"message":{"content":{"text":"late"}}}}\n\n' +
        'data: {not json after the end\n\n',
    );
    const { events, sawEndMarker } = decode(body);
    expect(tokens(events)).toEqual([['Hi', '', '']]);
    expect(lastUsage(events)).toEqual({ inputTokens: 3, outputTokens: 1 });
    expect(sawEndMarker).toBe(true);
  });

  it('drops a usage report whose counts are not token counts, with the reason', () => {
    const body = Buffer.from(
      'event: message-end\ndata: {"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"tokens":{"input_tokens":5,"output_tokens":-1}}}}\n\n',
    );
    expect(lastUsage(decode(body).events)?.ignoredReason).toMatch(
      /^usage ignored: tokens\.output_tokens -1 is not a token count/,
    );
  });

  it('throws a protocol error on an event that is not JSON', () => {
    expect(() => decode(Buffer.from('event: content-delta\ndata: {oops\n\n'))).toThrow(
      /malformed JSON in a Cohere stream event/,
    );
  });
});

describe('classifyCohereStreamError', () => {
  it('treats a type named after an Object member as unknown (server_error)', () => {
    for (const type of ['constructor', '__proto__', 'toString']) {
      expect(classifyCohereStreamError({ message: 'x', type }).errorClass).toBe('server_error');
    }
  });
});
