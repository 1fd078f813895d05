import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LensProviderError } from './provider-error.js';
import { type SseEvent, SseParser } from './sse-parser.js';
import { DEFAULT_MAX_EVENT_BYTES } from './wire-limits.js';

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

/** How many of `chunks` a parser with `maxEventChars` took before throwing, and the error. */
function pushUntilThrow(
  chunks: readonly string[],
  maxEventChars?: number,
): { accepted: number; events: SseEvent[]; error: unknown; parser: SseParser } {
  const parser = new SseParser(maxEventChars === undefined ? {} : { maxEventChars });
  const events: SseEvent[] = [];
  let accepted = 0;
  try {
    for (const chunk of chunks) {
      parser.push(encoder.encode(chunk), (event) => events.push(event));
      accepted += 1;
    }
  } catch (error) {
    return { accepted, events, error, parser };
  }
  return { accepted, events, error: undefined, parser };
}

describe('SseParser size limit', () => {
  it('throws a protocol error at the chunk that takes an unterminated line past the limit', () => {
    // 'data: ' then 10-character pieces: 96 characters after 9 pieces, 106 after 10.
    const { accepted, error, parser } = pushUntilThrow(
      ['data: ', ...Array.from({ length: 50 }, () => 'x'.repeat(10))],
      100,
    );
    expect(accepted).toBe(10);
    expect(error).toBeInstanceOf(LensProviderError);
    expect((error as LensProviderError).code).toBe('LENS_PROVIDER_PROTOCOL');
    expect((error as LensProviderError).errorClass).toBe('protocol');
    expect((error as LensProviderError).message).toBe(
      'an event-stream line or event exceeded the maximum event size of 100 bytes (raise it with --max-event-bytes / max_event_bytes if the server really sends events this large)',
    );
    // What was buffered is dropped at once, not kept until the parser is collected.
    expect(parser.hasPendingData).toBe(false);
  });

  it('accepts a line of exactly the limit and refuses one character more, split or whole', () => {
    const exact = `data: ${'a'.repeat(94)}`; // 100 characters
    const fits = pushUntilThrow([exact.slice(0, 50), exact.slice(50), '\n\n'], 100);
    expect(fits.error).toBeUndefined();
    expect(fits.events.map((event) => event.data.length)).toEqual([94]);
    const over = `${exact}a`;
    expect(pushUntilThrow([over.slice(0, 50), over.slice(50), '\n\n'], 100).accepted).toBe(1);
    // A too-long line that arrives whole, line end included, is refused just the same.
    expect(pushUntilThrow([`${over}\n\n`], 100).error).toBeInstanceOf(LensProviderError);
    expect(pushUntilThrow([`${over}\r\n\r\n`], 100).error).toBeInstanceOf(LensProviderError);
  });

  it('counts the data lines of one event together, joined by their newlines', () => {
    // 49 + '\n' + 50 = 100: fits; one more data line of any length does not.
    const fits = pushUntilThrow([`data: ${'a'.repeat(49)}\n`, `data: ${'b'.repeat(50)}\n\n`], 100);
    expect(fits.events.map((event) => event.data.length)).toEqual([100]);
    const lines = Array.from({ length: 10 }, () => `data: ${'y'.repeat(40)}\n`);
    // 40, then 81, then 122 characters of data.
    const over = pushUntilThrow(lines, 100);
    expect(over.accepted).toBe(2);
    expect(over.error).toBeInstanceOf(LensProviderError);
    // Empty data lines add their newline too: 100 of them are 99 characters, 102 are 101.
    expect(pushUntilThrow(['data\n'.repeat(100), '\n'], 100).events[0]?.data).toHaveLength(99);
    expect(pushUntilThrow(['data\n'.repeat(102), '\n'], 100).error).toBeInstanceOf(
      LensProviderError,
    );
  });

  it('lets any number of events, comments and keep-alives through when each fits', () => {
    const event = `: ${'k'.repeat(90)}\ndata: ${'d'.repeat(90)}\n\n`;
    const { error, events } = pushUntilThrow(
      Array.from({ length: 1000 }, () => event),
      100,
    );
    expect(error).toBeUndefined();
    expect(events).toHaveLength(1000);
  });

  it('stops an endless data line at the 8 MiB default instead of buffering it all', () => {
    const mebibyte = 'a'.repeat(1024 * 1024);
    // 6 + 7 MiB still fits; the eighth MiB crosses DEFAULT_MAX_EVENT_BYTES.
    const { accepted, error } = pushUntilThrow([
      'data: ',
      ...Array.from({ length: 64 }, () => mebibyte),
    ]);
    expect(accepted).toBe(8);
    expect((error as LensProviderError).message).toContain(
      `maximum event size of ${DEFAULT_MAX_EVENT_BYTES} bytes`,
    );
  });

  it('refuses a limit that is not a whole number above 0', () => {
    for (const maxEventChars of [0, -1, 2.5, Number.NaN]) {
      expect(() => new SseParser({ maxEventChars })).toThrow(
        'the maximum event size must be a whole number of bytes above 0',
      );
    }
  });
});

describe('SseParser at the end of a cut-off body', () => {
  function parseCut(...parts: string[]): {
    events: SseEvent[];
    unterminated: SseEvent[];
    pending: boolean;
  } {
    const parser = new SseParser();
    const events: SseEvent[] = [];
    const unterminated: SseEvent[] = [];
    const onEvent = (event: SseEvent): void => {
      events.push(event);
    };
    for (const part of parts) parser.push(encoder.encode(part), onEvent);
    parser.end(onEvent, (event) => unterminated.push(event));
    return { events, unterminated, pending: parser.hasPendingData };
  }

  it('hands the unterminated event to onUnterminatedEvent and never dispatches it', () => {
    for (const tail of [
      'data: [DONE]',
      'data:[DONE]',
      'data: [DONE]\n',
      'data: [DONE]\r\n',
      'data: [DONE]\r',
    ]) {
      const cut = parseCut('data: {"a":1}\n\n', tail);
      expect(cut.events.map((event) => event.data)).toEqual(['{"a":1}']);
      expect(cut.unterminated).toEqual([{ event: '', data: '[DONE]' }]);
      expect(cut.pending).toBe(true);
    }
  });

  it('gives the cut event as far as it arrived, with its type and id', () => {
    expect(parseCut('id: 4\nevent: delta\ndata: one\ndata: [DON').unterminated).toEqual([
      { event: 'delta', data: 'one\n[DON', id: '4' },
    ]);
  });

  it('reports the same cut event wherever the body was split into chunks', () => {
    const body = 'data: {"x":1}\r\n\r\ndata: {"partial": tr';
    for (let cut = 0; cut <= body.length; cut += 1) {
      const split = parseCut(body.slice(0, cut), body.slice(cut));
      expect(split.events.map((event) => event.data)).toEqual(['{"x":1}']);
      expect(split.unterminated).toEqual([{ event: '', data: '{"partial": tr' }]);
    }
  });

  it('calls onUnterminatedEvent only when data was cut off', () => {
    for (const body of ['data: a\n\n', ': keep-alive', 'event: ping', 'event: ping\n', '']) {
      expect(parseCut(body).unterminated).toEqual([]);
    }
    expect(parseCut(': keep-alive').pending).toBe(true);
  });
});
