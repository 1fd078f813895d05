import { createTokenCounter } from '@llm-lens/providers-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitForCounting, TokenCountCache } from './token-count-cache.js';

const o200k = createTokenCounter('gpt-4o-mini');
const cl100k = createTokenCounter('meta-llama/Llama-3.1-8B');

// Words, numbers, punctuation, runs of spaces and newlines, contractions and non-ASCII:
// the places where a BPE pre-tokenizer could merge across a cut if the cut were wrong.
const piece = fc.oneof(
  fc.constantFrom('the', 'Quick', 'naïve', 'résumé', 'ÉCOLE', 'x', 'tokens', "don't", "It's"),
  fc.constantFrom(' ', '  ', '\n', '\n\n', ' \n ', '\t'),
  fc.constantFrom('.', ',', '!?', '—', '"', '(', ')', '...', ':'),
  fc.integer({ min: 0, max: 99999 }).map(String),
  fc.constantFrom('日本語', '😀', 'Ω', 'ß'),
);
const text = fc.array(piece, { minLength: 1, maxLength: 400 }).map((parts) => parts.join(''));

describe('splitForCounting', () => {
  it('cuts text into pieces whose token counts add up to the count of the whole', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 8, max: 200 }), (input, maxChars) => {
        const pieces = splitForCounting(input, maxChars);
        expect(pieces.join('')).toBe(input);
        for (const counter of [o200k, cl100k]) {
          const sum = pieces.reduce((n, p) => n + counter.count(p), 0);
          expect(sum).toBe(counter.count(input));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a stretch with no safe cut whole, and short text in one piece', () => {
    expect(splitForCounting('a'.repeat(50), 10)).toEqual(['a'.repeat(50)]);
    expect(splitForCounting('short text', 100)).toEqual(['short text']);
    expect(splitForCounting('', 10)).toEqual([]);
  });

  it('counts a long response in slices, each stopping at its deadline, to the same total', () => {
    const long = Array.from({ length: 3000 }, (_, i) => `word${i % 50}`).join(' ');
    const whole = new TokenCountCache(o200k).countWhole([long, 'and more']);
    let slices = 1;
    // A deadline already past: every step counts one piece and yields.
    while (!whole.step(0n)) slices++;
    expect(slices).toBeGreaterThan(5);
    expect(whole.total).toBe(o200k.count(long) + o200k.count('and more'));
  });
});
