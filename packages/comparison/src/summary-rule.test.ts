import { describe, expect, it } from 'vitest';
import { type DistributionView, judgeDistributionStatistic, judgeRatio } from './summary-rule.js';

const base: DistributionView = { count: 500, mean: 210, p50: 200, p90: 290, p95: 320, p99: 400 };

describe('summary rule', () => {
  it('calls a centre higher only when it passes the other run’s p90', () => {
    const slightlySlower = { ...base, mean: 240, p50: 240, p90: 330 };
    expect(judgeDistributionStatistic(base, slightlySlower, 'p50', 0.25)).toEqual({
      moved: 'none',
      note: null,
    });
    const muchSlower = { ...base, mean: 310, p50: 300, p90: 420 };
    expect(judgeDistributionStatistic(base, muchSlower, 'p50', 0.25)).toEqual({ moved: 'higher' });
    expect(judgeDistributionStatistic(base, muchSlower, 'mean', 0.25)).toEqual({ moved: 'higher' });
    // The same rule with the runs swapped.
    expect(judgeDistributionStatistic(muchSlower, base, 'p50', 0.25)).toEqual({ moved: 'lower' });
  });

  it('calls a tail changed beyond a 25 % ratio, given 10 samples beyond the percentile', () => {
    expect(judgeDistributionStatistic(base, { ...base, p95: 401 }, 'p95', 0.25)).toEqual({
      moved: 'higher',
    });
    expect(judgeDistributionStatistic(base, { ...base, p95: 399 }, 'p95', 0.25)).toEqual({
      moved: 'none',
      note: null,
    });
    expect(judgeDistributionStatistic(base, { ...base, p90: 231 }, 'p90', 0.25)).toEqual({
      moved: 'lower',
    });
    // p99 needs 1,000 samples per run: 500 is not enough to trust it.
    expect(judgeDistributionStatistic(base, { ...base, p99: 900 }, 'p99', 0.25)).toEqual({
      moved: 'none',
      note: 'summary rule needs 1000 samples per run for p99',
    });
  });

  it('says nothing from too few samples', () => {
    const few = { ...base, count: 10, p50: 1000, mean: 1000 };
    expect(judgeDistributionStatistic(base, few, 'p50', 0.25)).toEqual({
      moved: 'none',
      note: 'summary rule needs 20 samples per run',
    });
  });

  it('compares scalars by ratio, the same way in both directions', () => {
    expect(judgeRatio(100, 126, 0.25)).toEqual({ moved: 'higher' });
    expect(judgeRatio(126, 100, 0.25)).toEqual({ moved: 'lower' });
    expect(judgeRatio(100, 124, 0.25)).toEqual({ moved: 'none', note: null });
    expect(judgeRatio(0, 0, 0.25)).toEqual({ moved: 'none', note: null });
    expect(judgeRatio(0, 5, 0.25).moved).toBe('none');
  });
});
