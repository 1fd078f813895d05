import { describe, expect, it } from 'vitest';
import { NdjsonParser } from './ndjson-parser.js';

const encode = (text: string) => new TextEncoder().encode(text);

function feed(parts: Uint8Array[], options = {}): { lines: string[]; pending: boolean } {
  const parser = new NdjsonParser(options);
  const lines: string[] = [];
  for (const part of parts) parser.push(part, (line) => lines.push(line));
  parser.end((line) => lines.push(line));
  return { lines, pending: parser.hasPendingData };
}

describe('NdjsonParser', () => {
  it('hands over one line per value, across CRLF, blank lines and chunk boundaries', () => {
    const body = '{"a":1}\r\n\n{"b":"x"}\n{"c":';
    const parts = [...body].map((c) => encode(c));
    const { lines, pending } = feed([...parts, encode('3}\n')]);
    expect(lines).toEqual(['{"a":1}', '{"b":"x"}', '{"c":3}']);
    expect(pending).toBe(false);
  });

  it('keeps a multi-byte character split across chunks whole', () => {
    const bytes = encode('{"t":"é😀"}\n');
    const { lines } = feed([bytes.subarray(0, 8), bytes.subarray(8, 10), bytes.subarray(10)]);
    expect(JSON.parse(lines[0]!)).toEqual({ t: 'é😀' });
  });

  it('takes a final complete value without a newline, and reports a cut one', () => {
    expect(feed([encode('{"a":1}\n{"done":true}')])).toEqual({
      lines: ['{"a":1}', '{"done":true}'],
      pending: false,
    });
    expect(feed([encode('{"a":1}\n{"done":tr')])).toEqual({ lines: ['{"a":1}'], pending: true });
  });

  it('reads a final unterminated line exactly as a terminated one', () => {
    const padded = '{"done":true}\u00a0';
    // JSON allows no no-break space: the line is cut or corrupt either way.
    expect(feed([encode(padded)])).toEqual({ lines: [], pending: true });
    expect(feed([encode('{"done":true}\r')]).lines).toEqual(['{"done":true}']);
  });

  it('throws a protocol error for a line longer than the limit', () => {
    const parser = new NdjsonParser({ maxLineChars: 8 });
    expect(() => parser.push(encode('{"a":"0123456789"'), () => {})).toThrow(
      /NDJSON line exceeded the maximum event size of 8 bytes/,
    );
  });
});
