import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from './seeded-random.js';
import { textBuilderFor } from './synthetic-text.js';
import { loadVocabulary } from './vocabulary.js';

const vocabularies = ['o200k_base', 'cl100k_base'] as const;

describe.each(vocabularies)('synthetic text in %s', (encoding) => {
  const vocabulary = loadVocabulary(encoding);
  const builder = textBuilderFor(vocabulary);

  it('has exactly the requested number of tokens, with or without a prefix', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.nat(),
        fc.nat({ max: 10_000_000 }),
        fc.boolean(),
        (tokens, seed, index, withPrefix) => {
          const text = builder.build(
            tokens,
            SeededRandom.of(seed, 't', index),
            withPrefix ? `Request ${index}:` : '',
          );
          expect(vocabulary.count(text)).toBe(tokens);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('starts with the prefix whenever the prefix fits', () => {
    const text = builder.build(50, SeededRandom.of(1, 't', 0), 'Request 42:');
    expect(text.startsWith('Request 42: ')).toBe(true);
    // Too short for the prefix: words only, still exact.
    const short = builder.build(2, SeededRandom.of(1, 't', 0), 'Request 42:');
    expect(short.startsWith('Request')).toBe(false);
    expect(vocabulary.count(short)).toBe(2);
  });

  it('builds the same text from the same seed and another from another seed', () => {
    const a = builder.build(300, SeededRandom.of(5, 't', 1));
    expect(builder.build(300, SeededRandom.of(5, 't', 1))).toBe(a);
    expect(builder.build(300, SeededRandom.of(6, 't', 1))).not.toBe(a);
  });

  it('writes sentences of plain words', () => {
    const text = builder.build(200, SeededRandom.of(9, 't', 0));
    expect(text).toMatch(/^[a-z]+( [a-z]+|\.)+$/);
    expect(text.split('.').length).toBeGreaterThan(10);
    expect(builder.wordCount).toBeGreaterThan(400);
  });
});
