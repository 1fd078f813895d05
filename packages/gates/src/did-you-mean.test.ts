import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from './did-you-mean.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('ttf.p95', 'ttft.p95')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('didYouMean', () => {
  const names = ['ttft.p95', 'ttfo.p95', 'e2e.p95', 'success_rate'];

  it('suggests the closest name for a near miss', () => {
    expect(didYouMean('ttf.p95', names)).toBe('ttft.p95');
    expect(didYouMean('sucess_rate', names)).toBe('success_rate');
    expect(didYouMean('TTFT.p95', names)).toBe('ttft.p95');
  });

  it('suggests nothing for a word far from every name', () => {
    expect(didYouMean('latency', names)).toBeNull();
  });
});
