import { describe, expect, it } from 'vitest';
import { jsonErrorOffset } from './json-error-position.js';

const VALID = [
  '{"providers":[{"type":"mock","models":["m"]}],"n":-1.5e3,"t":true,"f":false,"z":null}',
  ' [ 1 , "a\\"b\\u00e9\\n" , { } , [ ] ] ',
  '"just a string"',
  '0',
];

describe('jsonErrorOffset', () => {
  it('finds no error in valid JSON', () => {
    for (const text of VALID) expect(jsonErrorOffset(text)).toBeUndefined();
  });

  it('points at the offending character', () => {
    expect(jsonErrorOffset('{"a": 1, }')).toBe(9);
    expect(jsonErrorOffset('{"a" 1}')).toBe(5);
    expect(jsonErrorOffset('[1 2]')).toBe(3);
    expect(jsonErrorOffset("{'a': 1}")).toBe(1);
    expect(jsonErrorOffset('{"a": 01}')).toBe(7);
    expect(jsonErrorOffset('"bad \\x escape"')).toBe(5);
  });

  it('agrees with JSON.parse on every prefix of valid documents', () => {
    // Cutting a valid document anywhere must be an error exactly when JSON.parse says so.
    for (const text of VALID) {
      for (let end = 0; end <= text.length; end++) {
        const prefix = text.slice(0, end);
        let parses = true;
        try {
          JSON.parse(prefix);
        } catch {
          parses = false;
        }
        const offset = jsonErrorOffset(prefix);
        expect(offset === undefined, `prefix ${JSON.stringify(prefix)}`).toBe(parses);
        if (offset !== undefined) expect(offset).toBeLessThanOrEqual(prefix.length);
      }
    }
  });
});
