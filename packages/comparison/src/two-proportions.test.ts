import { describe, expect, it } from 'vitest';
import { normalUpperQuantile } from './normal-distribution.js';
import {
  compareProportions,
  fisherExactTwoSided,
  logFactorial,
  wilsonInterval,
} from './two-proportions.js';

describe('fisherExactTwoSided', () => {
  it('gives 17/35 for the tea-tasting table [[3, 1], [1, 3]]', () => {
    expect(fisherExactTwoSided(3, 1, 1, 3)).toBeCloseTo(17 / 35, 12);
  });

  it('matches exact rational sums for failure tables', () => {
    // Computed with exact fractions: Σ over tables no more probable than the observed one.
    expect(fisherExactTwoSided(0, 500, 6, 494)).toBeCloseTo(0.030782192201122358, 10);
    expect(fisherExactTwoSided(1, 99, 8, 92)).toBeCloseTo(0.03489915197211575, 10);
    expect(fisherExactTwoSided(2, 998, 2, 998)).toBeCloseTo(1, 9);
    expect(fisherExactTwoSided(0, 10, 0, 10)).toBe(1);
  });

  it('handles a million requests per run', () => {
    const p = fisherExactTwoSided(100, 999_900, 160, 999_840);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(0.001);
  });
});

describe('logFactorial', () => {
  it('agrees with summed logarithms beyond the table', () => {
    let sum = 0;
    for (let i = 1; i <= 1000; i++) sum += Math.log(i);
    expect(logFactorial(1000)).toBeCloseTo(sum, 9);
    expect(logFactorial(0)).toBe(0);
  });
});

describe('wilsonInterval and compareProportions', () => {
  it('gives the Wilson interval of 0 / 10', () => {
    const [low, high] = wilsonInterval(0, 10, normalUpperQuantile(0.025));
    expect(low).toBe(0);
    expect(high).toBeCloseTo(0.27753, 5);
  });

  it("reproduces Newcombe's (1998) worked example, 56/70 against 48/80: [0.0524, 0.3339]", () => {
    const result = compareProportions({ failed: 48, total: 80 }, { failed: 56, total: 70 }, 0.95);
    expect(result.delta).toBeCloseTo(0.2, 12);
    expect(result.ci_low).toBeCloseTo(0.0524, 4);
    expect(result.ci_high).toBeCloseTo(0.3339, 4);
  });

  it('keeps an interval around 0 for zero failures in both runs', () => {
    const result = compareProportions({ failed: 0, total: 500 }, { failed: 0, total: 500 }, 0.95);
    expect(result.delta).toBe(0);
    expect(result.ci_low).toBeLessThan(0);
    expect(result.ci_high).toBeGreaterThan(0);
    expect(result.p_value).toBe(1);
  });
});

describe('normalUpperQuantile', () => {
  it('gives 1.959964 for 2.5 %', () => {
    expect(normalUpperQuantile(0.025)).toBeCloseTo(1.959964, 5);
  });
});
