import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from './did-you-mean.js';

describe('closestMatch', () => {
  const keys = ['concurrency', 'requests', 'max_tokens', 'warmup', 'prompt', 'prompt_file'];

  it('suggests the key one typo away', () => {
    expect(closestMatch('concurency', keys)).toBe('concurrency');
    expect(closestMatch('reqeusts', keys)).toBe('requests');
  });

  it('treats camelCase, kebab-case and upper case spellings as the same key', () => {
    expect(closestMatch('maxTokens', keys)).toBe('max_tokens');
    expect(closestMatch('max-tokens', keys)).toBe('max_tokens');
    expect(closestMatch('PROMPT_FILE', keys)).toBe('prompt_file');
  });

  it('suggests nothing when no key is close', () => {
    expect(closestMatch('zzzzzz', keys)).toBeUndefined();
    expect(closestMatch('seed', ['api'])).toBeUndefined();
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('cahr', 'char')).toBe(1);
  });
});

describe('closestMatch with units', () => {
  it('suggests the field with the unit suffix the user left off', () => {
    expect(closestMatch('ttft', ['connect_ms', 'ttft_ms', 'idle_ms'])).toBe('ttft_ms');
    expect(closestMatch('retry_after', ['retry_after_s', 'stall_ms'])).toBe('retry_after_s');
  });
});
