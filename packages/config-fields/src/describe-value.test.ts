import { describe, expect, it } from 'vitest';
import { describeValue, formatPath, isSecretLikePath } from './describe-value.js';

describe('formatPath', () => {
  it('writes indexes in brackets and odd keys quoted', () => {
    expect(formatPath(['scenarios', 1, 'concurrency'])).toBe('scenarios[1].concurrency');
    expect(formatPath(['providers', 0, 'headers', 'x-team'])).toBe('providers[0].headers.x-team');
    expect(formatPath(['providers', 0, 'options', 'a.b'])).toBe('providers[0].options["a.b"]');
    expect(formatPath([])).toBe('');
  });
});

describe('describeValue', () => {
  it('JSON-quotes strings and prints numbers, booleans and null as written', () => {
    expect(describeValue('ten', ['concurrency'])).toBe('"ten"');
    expect(describeValue(-2, ['concurrency'])).toBe('-2');
    expect(describeValue(false, ['x'])).toBe('false');
    expect(describeValue(null, ['x'])).toBe('null');
  });

  it('shortens long strings and never prints a whole container', () => {
    expect(describeValue('a'.repeat(100), ['prompt'])).toBe(`"${'a'.repeat(57)}…"`);
    expect(describeValue([], ['models'])).toBe('[]');
    expect(describeValue(['a'], ['models'])).toBe('a list');
    expect(describeValue({ api_key: 'sk' }, ['options'])).toBe('an object');
  });

  it('hides values of key-, secret- and token-named fields but not token counts', () => {
    expect(describeValue('sk-live-123', ['providers', 0, 'api_key_env'])).toBe(
      'a string (value hidden)',
    );
    expect(describeValue('abc', ['headers', 'Authorization'])).toBe('a string (value hidden)');
    expect(describeValue('abc', ['client_secret'])).toBe('a string (value hidden)');
    expect(describeValue('abc', ['access_token'])).toBe('a string (value hidden)');
    expect(describeValue(0, ['scenarios', 0, 'max_tokens'])).toBe('0');
    expect(describeValue(-1, ['mock', 'output_tokens'])).toBe('-1');
    expect(describeValue(-1, ['mock', 'tokens_per_event'])).toBe('-1');
    expect(isSecretLikePath(['session_token'])).toBe(true);
    expect(isSecretLikePath(['models', 0])).toBe(false);
  });
});
