import { describe, expect, it } from 'vitest';
import { asObject, asString, ownEntry, parseJsonObject } from './json-payload.js';

describe('JSON payload helpers', () => {
  it('reads objects and strings and nothing else', () => {
    expect(asObject({ a: 1 })).toEqual({ a: 1 });
    expect(asObject([1])).toBeUndefined();
    expect(asObject(null)).toBeUndefined();
    expect(asString('x')).toBe('x');
    expect(asString(3)).toBe('');
  });

  it('parses an object or throws a protocol error quoting the start of the text', () => {
    expect(parseJsonObject('{"a":1}', 'an event')).toEqual({ a: 1 });
    expect(() => parseJsonObject('{"a":', 'an event')).toThrow(
      /malformed JSON in an event: "\{\\"a\\":"/,
    );
    expect(() => parseJsonObject('[1]', 'an event')).toThrow(
      /an event is not a JSON object: "\[1\]"/,
    );
    try {
      parseJsonObject('x'.repeat(500), 'a line');
    } catch (error) {
      expect((error as { errorClass?: string }).errorClass).toBe('protocol');
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });
});

describe('ownEntry', () => {
  it('finds only the table own keys', () => {
    const table = { rate_limit: 'rate_limited' };
    expect(ownEntry(table, 'rate_limit')).toBe('rate_limited');
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(ownEntry(table, key)).toBeUndefined();
    }
  });
});
