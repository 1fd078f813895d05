import { readFileSync } from 'node:fs';
import type { DecoderOptions, ResponseDecoder, StreamEvent } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { compileSelectors } from './payload-reader.js';
import { GenericSseDecoder, type SseMarkers } from './sse-decoder.js';

function fixture(name: string): Buffer {
  return readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));
}

/** Decodes `chunks` in order, as the runner does: push each, then end. */
function decode(decoder: ResponseDecoder, chunks: readonly Uint8Array[]) {
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent) => events.push(event);
  for (const chunk of chunks) decoder.push(chunk, emit);
  decoder.end(emit);
  return { events, sawEndMarker: decoder.sawEndMarker };
}

const nimbusSelectors = compileSelectors({
  text: '$.delta.text',
  reasoning_text: '$.delta.reasoning',
  usage: {
    input_tokens: '$.usage.input',
    output_tokens: '$.usage.generated',
    reasoning_tokens: '$.usage.reasoning',
  },
  error: '$.error',
});
const nimbusMarkers: SseMarkers = {
  doneData: '[END]',
  eventFilter: ['start', 'delta', 'usage', 'error'],
};

function nimbusDecoder(options?: DecoderOptions): GenericSseDecoder {
  return new GenericSseDecoder(
    nimbusSelectors,
    'output_excludes_reasoning',
    nimbusMarkers,
    options,
  );
}

const blank = { text: '', reasoningText: '', toolText: '' };
const nimbusEvents: StreamEvent[] = [
  { ...blank, usage: { inputTokens: 14 } },
  { ...blank, reasoningText: 'Greet them' },
  { ...blank, reasoningText: ' warmly.' },
  { ...blank, text: 'Bonjour' },
  { ...blank, text: ' à tous 👋' },
  { ...blank, text: '!' },
  {
    ...blank,
    usage: { inputTokens: 14, outputTokens: 5, reportedOutputTokens: 3, reasoningTokens: 2 },
  },
];

describe('GenericSseDecoder', () => {
  it('reads a named-event stream: filter, keep-alives, merged usage, done_data', () => {
    expect(decode(nimbusDecoder(), [fixture('nimbus-stream.sse')])).toEqual({
      events: nimbusEvents,
      sawEndMarker: true,
    });
  });

  it('gives the same events however the body is split, even inside a UTF-8 character', () => {
    const body = fixture('nimbus-stream.sse');
    for (let at = 1; at < body.length; at++) {
      const split = decode(nimbusDecoder(), [body.subarray(0, at), body.subarray(at)]);
      expect(split, `split at byte ${at}`).toEqual({ events: nimbusEvents, sawEndMarker: true });
    }
    const bytes = [...body].map((byte) => Uint8Array.of(byte));
    expect(decode(nimbusDecoder(), bytes)).toEqual({ events: nimbusEvents, sawEndMarker: true });
  });

  it('reads CRLF line ends like LF', () => {
    const crlf = Buffer.from(fixture('nimbus-stream.sse').toString('utf8').replace(/\n/g, '\r\n'));
    expect(decode(nimbusDecoder(), [crlf]).events).toEqual(nimbusEvents);
  });

  it('takes a final done_data without its blank line as the end', () => {
    const body = fixture('nimbus-stream.sse').toString('utf8').replace(/\n\n$/, '');
    expect(decode(nimbusDecoder(), [Buffer.from(body)]).sawEndMarker).toBe(true);
  });

  it('emits an error event found by the error selector and no end marker', () => {
    expect(decode(nimbusDecoder(), [fixture('nimbus-error.sse')])).toEqual({
      events: [
        { ...blank, usage: { inputTokens: 9 } },
        { ...blank, text: 'Once' },
        {
          ...blank,
          error: {
            message: 'the model is overloaded, try again later',
            type: 'overloaded',
            code: 503,
          },
        },
      ],
      sawEndMarker: false,
    });
  });

  it('ends at done_event and ignores what follows', () => {
    const decoder = new GenericSseDecoder(
      compileSelectors({
        text: '$.delta.text',
        reasoning_text: '$.delta.thinking',
        tool_text: '$.delta.partial_json',
        usage: {
          input_tokens: '$.message.usage.input_tokens',
          output_tokens: '$.usage.output_tokens',
        },
        error: '$.error',
      }),
      'output_includes_reasoning',
      {
        doneEvent: 'message_stop',
        eventFilter: ['message_start', 'content_block_delta', 'message_delta', 'error'],
      },
    );
    expect(decode(decoder, [fixture('messages-named-events.sse')])).toEqual({
      events: [
        { ...blank, usage: { inputTokens: 21 } },
        { ...blank, reasoningText: 'Short.' },
        { ...blank, text: 'Hi' },
        { ...blank, toolText: '{"city":' },
        { ...blank, usage: { inputTokens: 21, outputTokens: 9 } },
      ],
      sawEndMarker: true,
    });
  });

  it('reads a JSON end event before ending, and ends at one whose data is not JSON', () => {
    const selectors = compileSelectors({
      text: '$.delta.message.content.text',
      usage: {
        input_tokens: '$.delta.usage.tokens.input_tokens',
        output_tokens: '$.delta.usage.tokens.output_tokens',
      },
    });
    const cohereLike = new GenericSseDecoder(selectors, 'output_includes_reasoning', {
      doneEvent: 'message-end',
    });
    const body =
      'event: content-delta\ndata: {"delta":{"message":{"content":{"text":"Yo"}}}}\n\n' +
      'event: message-end\ndata: {"delta":{"usage":{"tokens":{"input_tokens":4,"output_tokens":1}}}}\n\n';
    expect(decode(cohereLike, [Buffer.from(body)])).toEqual({
      events: [
        { ...blank, text: 'Yo' },
        { ...blank, usage: { inputTokens: 4, outputTokens: 1 } },
      ],
      sawEndMarker: true,
    });
    const plainEnd = new GenericSseDecoder(selectors, 'output_includes_reasoning', {
      doneEvent: 'done',
    });
    expect(decode(plainEnd, [Buffer.from('event: done\ndata: [DONE]\n\n')])).toEqual({
      events: [],
      sawEndMarker: true,
    });
  });

  it('without an end marker configured, is complete when the body ends between events', () => {
    const selectors = compileSelectors({ text: '$.t' });
    const whole = new GenericSseDecoder(selectors, 'output_includes_reasoning');
    expect(decode(whole, [Buffer.from('data: {"t":"a"}\n\ndata: {"t":"b"}\n\n')])).toEqual({
      events: [
        { ...blank, text: 'a' },
        { ...blank, text: 'b' },
      ],
      sawEndMarker: true,
    });
    const cut = new GenericSseDecoder(selectors, 'output_includes_reasoning');
    expect(decode(cut, [Buffer.from('data: {"t":"a"}\n\ndata: {"t":')])).toEqual({
      events: [{ ...blank, text: 'a' }],
      sawEndMarker: false,
    });
  });

  it('ends at a truthy done selector', () => {
    const decoder = new GenericSseDecoder(
      compileSelectors({ text: '$.t', done: '$.finished' }),
      'output_includes_reasoning',
    );
    const body =
      'data: {"t":"a","finished":false}\n\ndata: {"finished":true}\n\ndata: {"t":"late"}\n\n';
    expect(decode(decoder, [Buffer.from(body)])).toEqual({
      events: [{ ...blank, text: 'a' }],
      sawEndMarker: true,
    });
  });

  it('throws a protocol error quoting a payload that is not JSON', () => {
    const decoder = new GenericSseDecoder(
      compileSelectors({ text: '$.t' }),
      'output_includes_reasoning',
    );
    expect(() => decoder.push(Buffer.from('data: <html>oops</html>\n\n'), () => {})).toThrow(
      'malformed JSON in an event-stream event: "<html>oops</html>"',
    );
  });

  it('refuses an event over maxEventBytes before buffering it', () => {
    const decoder = nimbusDecoder({ maxEventBytes: 64 });
    expect(() => decoder.push(Buffer.from(`data: ${'x'.repeat(100)}`), () => {})).toThrow(
      /exceeded the maximum event size of 64 bytes/,
    );
  });
});
