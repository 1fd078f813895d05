import { describe, expect, it } from 'vitest';
import { InfluxExportError } from './influx-error.js';
import {
  epochMsToNs,
  escapeKey,
  escapeMeasurement,
  formatFieldValue,
  formatPoint,
  formatStringField,
} from './line-protocol.js';

/**
 * A reader of one line as the line protocol reference documents it: in names `\,` `\=` `\ `
 * stand for the character and any other backslash is itself; in string fields `\"` and `\\`
 * stand for `"` and `\`. Unquoted delimiters split. Written apart from the serializer so the
 * two do not share a mistake.
 */
function parseLine(line: string): {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, string>;
  timestamp: string;
} {
  let i = 0;
  const readName = (stops: string): string => {
    let out = '';
    while (i < line.length && !stops.includes(line[i]!)) {
      if (line[i] === '\\' && i + 1 < line.length && ',= '.includes(line[i + 1]!)) {
        out += line[i + 1];
        i += 2;
      } else out += line[i++];
    }
    return out;
  };
  const measurement = readName(', ');
  const tags: Record<string, string> = {};
  while (line[i] === ',') {
    i++;
    const key = readName('=');
    i++;
    tags[key] = readName(', ');
  }
  expect(line[i]).toBe(' ');
  i++;
  const fields: Record<string, string> = {};
  for (;;) {
    const key = readName('=');
    i++;
    let value = '';
    if (line[i] === '"') {
      i++;
      while (line[i] !== '"') {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          value += line[i + 1];
          i += 2;
        } else value += line[i++];
        if (i >= line.length) throw new Error(`unterminated string in ${line}`);
      }
      i++;
      value = `"${value}"`;
    } else {
      while (line[i] !== ',' && line[i] !== ' ') value += line[i++];
    }
    fields[key] = value;
    if (line[i] === ' ') break;
    i++;
  }
  return { measurement, tags, fields, timestamp: line.slice(i + 1) };
}

const NASTY = [
  'plain',
  'with space',
  'a,b',
  'k=v',
  'quote"d',
  "single'quote",
  'back\\slash',
  'C:\\models\\llama-3.gguf',
  'ends with\\',
  'double\\\\back',
  'üñíçødé ✓ 模型',
  'line\nbreak',
  'crlf\r\nbreak',
  ' leading and trailing ',
  ',=\\ "',
];

/** What a name reads back as: line breaks become spaces, an ambiguous backslash a slash. */
function expectedName(text: string): string {
  return text.replace(/\r\n|[\r\n]/g, ' ').replace(/\\(?=[\\,= "]|$)/g, '/');
}

describe('escaping', () => {
  it('escapes commas and spaces in a measurement, but not equals signs', () => {
    expect(escapeMeasurement('llm request,v2=x')).toBe('llm\\ request\\,v2=x');
  });

  it('escapes commas, equals signs and spaces in tag keys, tag values and field keys', () => {
    expect(escapeKey('a b,c=d')).toBe('a\\ b\\,c\\=d');
  });

  it('quotes string fields and escapes their double quotes and backslashes only', () => {
    expect(formatStringField('say "hi" \\o/, a=b')).toBe('"say \\"hi\\" \\\\o/, a=b"');
  });

  it('keeps a backslash before an ordinary character and rewrites one no version reads alike', () => {
    expect(escapeKey('C:\\models\\q4')).toBe('C:\\models\\q4');
    expect(escapeKey('ends\\')).toBe('ends/');
    expect(escapeKey('a\\,b')).toBe('a/\\,b');
    expect(escapeKey('a\\\\b')).toBe('a/\\b');
  });

  it('never lets a line break through, in names or string fields', () => {
    expect(escapeKey('a\nb\r\nc\rd')).toBe('a\\ b\\ c\\ d');
    expect(escapeMeasurement('m\n')).toBe('m\\ ');
    expect(formatStringField('first line\nsecond line\r\n')).toBe('"first line second line "');
  });
});

describe('field values', () => {
  it('writes integers with an i, floats as JS prints them, booleans as words', () => {
    expect(formatFieldValue(42n)).toBe('42i');
    expect(formatFieldValue(-7n)).toBe('-7i');
    expect(formatFieldValue(150)).toBe('150');
    expect(formatFieldValue(0.1)).toBe('0.1');
    expect(formatFieldValue(1e21)).toBe('1e+21');
    expect(formatFieldValue(true)).toBe('true');
    expect(formatFieldValue(false)).toBe('false');
  });

  it('leaves out values the line protocol cannot hold', () => {
    expect(formatFieldValue(undefined)).toBeUndefined();
    expect(formatFieldValue(Number.NaN)).toBeUndefined();
    expect(formatFieldValue(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('formatPoint', () => {
  it('sorts tags by key, drops empty tags and absent fields, and ends with the ns time', () => {
    const line = formatPoint({
      measurement: 'llm_request',
      tags: { status: 'ok', model: 'm', provider: 'p', error_class: undefined, run_id: '' },
      fields: { ttft_ms: 150.3, dns_ms: undefined, output_tokens: 64n, request_id: 'r-1' },
      timestampNs: 1_767_225_600_000_000_000n,
    });
    expect(line).toBe(
      'llm_request,model=m,provider=p,status=ok ttft_ms=150.3,output_tokens=64i,request_id="r-1" 1767225600000000000',
    );
  });

  it('refuses a point whose fields all lack a value', () => {
    const point = {
      measurement: 'llm_request',
      tags: {},
      fields: { ttft_ms: undefined, e2e_ms: Number.NaN },
      timestampNs: 1n,
    };
    expect(() => formatPoint(point)).toThrow(InfluxExportError);
    expect(() => formatPoint(point)).toThrow(/no field with a value/);
  });

  it('reads back every nasty name and string as written, on one line', () => {
    for (const text of NASTY) {
      const line = formatPoint({
        measurement: text,
        tags: { [text]: text, fixed_tag: 'x' },
        fields: { [text]: text, n: 1n },
        timestampNs: 5n,
      });
      expect(line).not.toMatch(/[\r\n]/);
      const parsed = parseLine(line);
      const name = expectedName(text);
      expect(parsed.measurement).toBe(name);
      expect(parsed.tags[name]).toBe(name);
      expect(parsed.tags.fixed_tag).toBe('x');
      expect(parsed.fields[name]).toBe(`"${text.replace(/\r\n|[\r\n]/g, ' ')}"`);
      expect(parsed.fields.n).toBe('1i');
      expect(parsed.timestamp).toBe('5');
    }
  });

  it('round-trips random strings of delimiters, quotes, backslashes and line breaks', () => {
    const alphabet = ['a', 'Z', ' ', ',', '=', '"', '\\', '\n', '\r', 'é', '✓', '#'];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let n = 0; n < 500; n++) {
      const length = 1 + Math.floor(random() * 12);
      let text = '';
      for (let c = 0; c < length; c++) text += alphabet[Math.floor(random() * alphabet.length)];
      const line = formatPoint({
        measurement: 'm',
        tags: { tag: text },
        fields: { s: text },
        timestampNs: 1n,
      });
      expect(line).not.toMatch(/[\r\n]/);
      const parsed = parseLine(line);
      expect(parsed.tags.tag ?? '').toBe(expectedName(text));
      expect(parsed.fields.s).toBe(`"${text.replace(/\r\n|[\r\n]/g, ' ')}"`);
    }
  });
});

describe('epochMsToNs', () => {
  it('keeps the sub-millisecond digits of a wall-clock time exactly to the microsecond', () => {
    expect(epochMsToNs(1_767_225_600_123.456)).toBe(1_767_225_600_123_456_000n);
    expect(epochMsToNs(1_767_225_600_000)).toBe(1_767_225_600_000_000_000n);
  });

  it('refuses a time that is not finite', () => {
    expect(() => epochMsToNs(Number.NaN)).toThrow(/not a time/);
  });
});
