import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from './sse-parser.js';

const encoder = new TextEncoder();

function parseChunks(chunks: readonly Uint8Array[]): { events: SseEvent[]; pending: boolean } {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  const onEvent = (event: SseEvent): void => {
    events.push(event);
  };
  for (const chunk of chunks) parser.push(chunk, onEvent);
  parser.end(onEvent);
  return { events, pending: parser.hasPendingData };
}

function parseText(...parts: string[]): { events: SseEvent[]; pending: boolean } {
  return parseChunks(parts.map((part) => encoder.encode(part)));
}

function splitAt(bytes: Uint8Array, positions: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const position of positions) {
    chunks.push(bytes.subarray(start, position));
    start = position;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

describe('SseParser', () => {
  it('dispatches an event on a blank line with the event type and data', () => {
    const { events, pending } = parseText('event: delta\ndata: {"a":1}\n\n');
    expect(events).toEqual([{ event: 'delta', data: '{"a":1}' }]);
    expect(pending).toBe(false);
  });

  it('reassembles an event split across chunks at any position', () => {
    const { events } = parseText('da', 'ta: hel', 'lo\n', '\n');
    expect(events).toEqual([{ event: '', data: 'hello' }]);
  });

  it('dispatches several events from one chunk in order', () => {
    const { events } = parseText('data: one\n\ndata: two\n\nevent: x\ndata: three\n\n');
    expect(events.map((event) => event.data)).toEqual(['one', 'two', 'three']);
    expect(events.map((event) => event.event)).toEqual(['', '', 'x']);
  });

  it('accepts CRLF and lone CR line ends, including CR and LF split across chunks', () => {
    const { events } = parseText('data: a\r\n\r\ndata: b\r\rdata: c\r', '\n\r', '\n');
    expect(events.map((event) => event.data)).toEqual(['a', 'b', 'c']);
  });

  it('joins several data lines with a newline', () => {
    const { events } = parseText('data: first\ndata:second\ndata:\n\n');
    expect(events).toEqual([{ event: '', data: 'first\nsecond\n' }]);
  });

  it('strips exactly one space after the colon', () => {
    const { events } = parseText('data:  two spaces\n\ndata:no space\n\n');
    expect(events.map((event) => event.data)).toEqual([' two spaces', 'no space']);
  });

  it('ignores comment lines used as keep-alives', () => {
    const { events } = parseText(': ping\n\n:\ndata: x\n: inside\n\n');
    expect(events).toEqual([{ event: '', data: 'x' }]);
  });

  it('does not dispatch an event without data lines and resets its type', () => {
    const { events } = parseText('event: ping\n\ndata: after\n\n');
    expect(events).toEqual([{ event: '', data: 'after' }]);
  });

  it('passes the [DONE] sentinel through as plain data', () => {
    const { events } = parseText('data: {"x":1}\n\ndata: [DONE]\n\n');
    expect(events.map((event) => event.data)).toEqual(['{"x":1}', '[DONE]']);
  });

  it('keeps the last event id across events', () => {
    const { events } = parseText('id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n');
    expect(events.map((event) => event.id)).toEqual(['7', '7', '']);
  });

  it('treats a field name without a colon as a field with an empty value', () => {
    const { events } = parseText('data\n\n');
    expect(events).toEqual([{ event: '', data: '' }]);
  });

  it('decodes multi-byte characters split across chunks', () => {
    const bytes = encoder.encode('data: héllo → 😀 世界\n\n');
    // Split inside every multi-byte sequence: one byte per chunk.
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    const { events } = parseChunks(chunks);
    expect(events).toEqual([{ event: '', data: 'héllo → 😀 世界' }]);
  });

  it('strips a leading byte order mark', () => {
    const { events } = parseChunks([
      Uint8Array.of(0xef, 0xbb),
      Uint8Array.of(0xbf),
      encoder.encode('data: x\n\n'),
    ]);
    expect(events).toEqual([{ event: '', data: 'x' }]);
  });

  it('discards an unterminated event at the end and reports pending data', () => {
    const { events, pending } = parseText('data: complete\n\ndata: cut');
    expect(events.map((event) => event.data)).toEqual(['complete']);
    expect(pending).toBe(true);
  });

  it('reports pending data for data lines not closed by a blank line', () => {
    const { events, pending } = parseText('data: [DONE]\n');
    expect(events).toEqual([]);
    expect(pending).toBe(true);
  });

  it('reports no pending data before end when only whole events were fed', () => {
    const parser = new SseParser();
    parser.push(encoder.encode('data: a\n\n'), () => {});
    expect(parser.hasPendingData).toBe(false);
    parser.push(encoder.encode('data: b'), () => {});
    expect(parser.hasPendingData).toBe(true);
  });

  it('yields the same events however a valid stream is split into chunks', () => {
    const lineText = fc
      .string({ unit: 'binary', maxLength: 12 })
      .filter((text) => !text.includes('\n') && !text.includes('\r') && !text.includes('\0'));
    const eventArb = fc.record({
      event: fc.option(
        lineText.filter((text) => text.length > 0),
        { nil: undefined },
      ),
      dataLines: fc.array(lineText, { minLength: 1, maxLength: 3 }),
      comment: fc.option(lineText, { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 6 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat(), { maxLength: 8 }),
        (specs, eol, cuts) => {
          let text = '';
          for (const spec of specs) {
            if (spec.comment !== undefined) text += `:${spec.comment}${eol}`;
            if (spec.event !== undefined) text += `event: ${spec.event}${eol}`;
            for (const line of spec.dataLines) text += `data: ${line}${eol}`;
            text += eol;
          }
          const bytes = encoder.encode(text);
          const positions = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const expected = specs.map((spec) => ({
            event: spec.event ?? '',
            data: spec.dataLines.join('\n'),
          }));
          const split = parseChunks(splitAt(bytes, positions));
          expect(split.events).toEqual(expected);
          expect(split.pending).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
