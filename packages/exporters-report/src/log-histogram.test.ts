import { describe, expect, it } from 'vitest';
import { LogHistogram } from './log-histogram.js';

describe('LogHistogram', () => {
  it('puts values in bins whose edges grow by 10^(1/binsPerDecade)', () => {
    const h = new LogHistogram(10);
    expect(h.binOf(0)).toBe(0);
    expect(h.binOf(0.001)).toBe(1);
    expect(h.binOf(1)).toBe(31);
    expect(h.lowerEdgeMs(31)).toBeCloseTo(1, 9);
    expect(h.upperEdgeMs(31)).toBeCloseTo(10 ** 0.1, 9);
    expect(h.binOf(1e12)).toBe(h.counts.length - 1);
  });

  it('ignores values that are not finite non-negative numbers', () => {
    const h = new LogHistogram(40);
    h.add(-1);
    h.add(Number.NaN);
    h.add(Number.POSITIVE_INFINITY);
    expect(h.total).toBe(0);
    expect(h.quantile(0.5)).toBeNull();
  });

  it('gives quantiles within one bin of the exact ones', () => {
    const h = new LogHistogram(40);
    for (let i = 1; i <= 1000; i++) h.add(i);
    const binRatio = 10 ** (1 / 40);
    for (const [fraction, exact] of [
      [0.5, 500],
      [0.9, 900],
      [0.99, 990],
    ] as const) {
      const q = h.quantile(fraction)!;
      expect(q / exact).toBeGreaterThan(1 / binRatio);
      expect(q / exact).toBeLessThan(binRatio);
    }
    expect(h.quantile(1)).toBe(1000);
    expect(h.quantile(0)).toBe(1);
  });

  it('counts a weight as that many samples and merges exactly', () => {
    const a = new LogHistogram(20);
    const b = new LogHistogram(20);
    a.add(5, 3);
    b.add(50);
    a.merge(b);
    expect(a.total).toBe(4);
    expect(a.minMs).toBe(5);
    expect(a.maxMs).toBe(50);
    expect(a.quantile(0.75)).toBeLessThan(5 * 10 ** (1 / 20));
  });
});
