import { describe, expect, it } from 'vitest';
import { type Bucket, histogramQuantile } from './histogram-quantile.js';

const INF = Number.POSITIVE_INFINITY;

// 10 observations ≤ 0.1, 20 in (0.1, 0.25], 10 in (0.25, 0.5], none above.
const ttft: Bucket[] = [
  { le: 0.1, count: 10 },
  { le: 0.25, count: 30 },
  { le: 0.5, count: 40 },
  { le: INF, count: 40 },
];

describe('histogramQuantile', () => {
  it('interpolates linearly inside the bucket the rank falls in', () => {
    // p50: rank 20 → (0.1, 0.25], 10 of its 20 → 0.1 + 0.15 × 10/20
    expect(histogramQuantile(0.5, ttft)).toBeCloseTo(0.175, 12);
    // p90: rank 36 → (0.25, 0.5], 6 of its 10 → 0.25 + 0.25 × 0.6
    expect(histogramQuantile(0.9, ttft)).toBeCloseTo(0.4, 12);
    // p99: rank 39.6 → 0.25 + 0.25 × 9.6/10
    expect(histogramQuantile(0.99, ttft)).toBeCloseTo(0.49, 12);
  });

  it('interpolates the lowest bucket from 0 when its bound is positive', () => {
    // p10: rank 4 → [0, 0.1], 4 of 10
    expect(histogramQuantile(0.1, ttft)).toBeCloseTo(0.04, 12);
  });

  it('returns the upper bound of a bucket the rank reaches exactly', () => {
    // p25: rank 10 = the whole first bucket
    expect(histogramQuantile(0.25, ttft)).toBeCloseTo(0.1, 12);
  });

  it('returns the highest finite bound when the rank falls in the +Inf bucket', () => {
    const buckets = [
      { le: 1, count: 5 },
      { le: INF, count: 10 },
    ];
    expect(histogramQuantile(0.9, buckets)).toBe(1);
  });

  it('returns the lowest bound when the rank falls in a lowest bucket bounded at or below 0', () => {
    const buckets = [
      { le: -1, count: 5 },
      { le: 0, count: 8 },
      { le: INF, count: 10 },
    ];
    expect(histogramQuantile(0.2, buckets)).toBe(-1);
    // rank 7 → (-1, 0], 2 of its 3 → -1 + 1 × 2/3
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(-1 / 3, 12);
  });

  it('sorts the buckets and adds up buckets of equal bound', () => {
    const shuffled = [
      { le: INF, count: 40 },
      { le: 0.5, count: 40 },
      { le: 0.1, count: 4 },
      { le: 0.25, count: 30 },
      { le: 0.1, count: 6 },
    ];
    expect(histogramQuantile(0.5, shuffled)).toBeCloseTo(0.175, 12);
  });

  it('forces cumulative counts to be non-decreasing before interpolating', () => {
    // 0.2 reports 8 < 10: read as 10. p75: rank 15 → (0.2, 0.4], 5 of its 10 → 0.3
    // (without the fix: 0.2 + 0.2 × 7/12 ≈ 0.3167)
    const broken = [
      { le: 0.1, count: 10 },
      { le: 0.2, count: 8 },
      { le: 0.4, count: 20 },
      { le: INF, count: 20 },
    ];
    expect(histogramQuantile(0.75, broken)).toBeCloseTo(0.3, 12);
  });

  it('ignores float noise between adjacent buckets', () => {
    const noisy = [
      { le: 1, count: 10 },
      { le: 2, count: 10 * (1 + 1e-15) },
      { le: 3, count: 20 },
      { le: INF, count: 20 },
    ];
    // A rank just above 10: with (1, 2] read as empty it lands at the start of (2, 3]; taken
    // at face value, (1, 2]'s 1e-14 of an observation would put it at 1.1.
    expect(histogramQuantile(0.5000000000000001, noisy)).toBeCloseTo(2, 9);
  });

  it('is NaN without a +Inf bucket, with one bucket only, or without observations', () => {
    expect(histogramQuantile(0.5, [{ le: 1, count: 3 }])).toBeNaN();
    expect(histogramQuantile(0.5, [{ le: INF, count: 3 }])).toBeNaN();
    expect(
      histogramQuantile(0.5, [
        { le: 1, count: 0 },
        { le: INF, count: 0 },
      ]),
    ).toBeNaN();
    expect(histogramQuantile(0.5, [])).toBeNaN();
  });

  it('is -Inf below q = 0, +Inf above q = 1 and NaN for q = NaN', () => {
    expect(histogramQuantile(-0.1, ttft)).toBe(Number.NEGATIVE_INFINITY);
    expect(histogramQuantile(1.1, ttft)).toBe(INF);
    expect(histogramQuantile(Number.NaN, ttft)).toBeNaN();
  });

  it('does not change the buckets it is given', () => {
    const buckets = [
      { le: INF, count: 2 },
      { le: 1, count: 3 },
    ];
    histogramQuantile(0.5, buckets);
    expect(buckets).toEqual([
      { le: INF, count: 2 },
      { le: 1, count: 3 },
    ]);
  });
});
