import { readFileSync } from 'node:fs';
import type { StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { AnthropicStreamDecoder } from './stream-decoder.js';
import { classifyAnthropicStreamError } from './stream-error.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));

interface Decoded {
  events: StreamEvent[];
  sawEndMarker: boolean;
}

/** Decodes `body` cut into pieces of `size` bytes (1: every byte boundary, inside characters too). */
function decode(body: Buffer, size = body.length): Decoded {
  const decoder = new AnthropicStreamDecoder();
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
const lastUsage = (events: StreamEvent[]) => events.findLast((e) => e.usage)?.usage;

describe('AnthropicStreamDecoder', () => {
  it('reads text deltas as token events, pings and block starts as nothing, whatever the splits', () => {
    const body = fixture('messages-text.sse');
    const crlf = Buffer.from(body.toString('utf8').replaceAll('\n', '\r\n'));
    for (const [input, size] of [
      [body, body.length],
      [body, 1],
      [body, 7],
      [crlf, 1],
    ] as const) {
      const { events, sawEndMarker } = decode(input, size);
      expect(tokens(events)).toEqual([
        ['A naïve', '', ''],
        [' lighthouse', '', ''],
        [' keeper 灯台', '', ''],
        [' 🌊.', '', ''],
      ]);
      expect(sawEndMarker).toBe(true);
      // message_start gives the input (cache reads included), message_delta the output.
      expect(lastUsage(events)).toEqual({ outputTokens: 11 });
      expect(events.find((e) => e.usage)?.usage).toEqual({
        inputTokens: 2069,
        cachedInputTokens: 2048,
        outputTokens: 1,
      });
    }
  });

  it('reads thinking deltas as reasoning and leaves the signature out', () => {
    const { events, sawEndMarker } = decode(fixture('messages-thinking.sse'), 3);
    expect(tokens(events)).toEqual([
      ['', 'The user asks', ''],
      ['', ' for a number.', ''],
      ['Forty', '', ''],
      ['-two.', '', ''],
    ]);
    expect(lastUsage(events)).toEqual({ inputTokens: 30, outputTokens: 57 });
    expect(sawEndMarker).toBe(true);
  });

  it('reads tool input deltas as tool text, skipping the empty first one', () => {
    const { events } = decode(fixture('messages-tool-use.sse'));
    expect(tokens(events)).toEqual([
      ['', '', '{"city": "Lis'],
      ['', '', 'bon"}'],
    ]);
  });

  it('reports an overloaded error event mid-stream, classified server_error, with no end marker', () => {
    const { events, sawEndMarker } = decode(fixture('messages-overloaded.sse'), 5);
    const error = events.find((e) => e.error)?.error;
    expect(error).toEqual({ message: 'Overloaded', type: 'overloaded_error' });
    expect(classifyAnthropicStreamError(error!)).toEqual({
      errorClass: 'server_error',
      message: 'error in stream: Overloaded (type overloaded_error)',
    });
    expect(sawEndMarker).toBe(false);
    expect(
      classifyAnthropicStreamError({ message: 'slow down', type: 'rate_limit_error' }).errorClass,
    ).toBe('rate_limited');
    expect(
      classifyAnthropicStreamError({ message: 'no', type: 'authentication_error' }).errorClass,
    ).toBe('auth');
  });

  it('is not complete when the body is cut before message_stop', () => {
    const body = fixture('messages-text.sse');
    const cut = body.subarray(0, body.indexOf('event: message_stop'));
    expect(decode(cut).sawEndMarker).toBe(false);
  });

  it('drops a usage report whose counts are not token counts, with the reason', () => {
    const body = Buffer.from(
      'event: message_delta\ndata: {"type":"message_delta","delta":{},"usage":{"output_tokens":1e300}}\n\n',
    );
    expect(lastUsage(decode(body).events)?.ignoredReason).toMatch(/^usage ignored: output_tokens/);
  });

  it('throws a protocol error on an event that is not JSON', () => {
    expect(() => decode(Buffer.from('event: content_block_delta\ndata: {oops\n\n'))).toThrow(
      /malformed JSON in an Anthropic stream event/,
    );
  });
});
