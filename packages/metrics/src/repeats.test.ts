import { describe, expect, it } from 'vitest';
import type { GroupSummary } from './aggregator.js';
import { analyzeRepeats, spreadOf, tCritical95 } from './repeats.js';

function group(ttftP50: number, rps: number): GroupSummary {
  return {
    provider: 'p',
    model: 'm',
    scenario: 's',
    ttft: { p50: ttftP50, p95: ttftP50 * 2 },
    throughput: { requests_per_s: rps, output_tokens_per_s: rps * 10 },
    success_rate: 1,
    goodput: null,
    itl: null,
  } as unknown as GroupSummary;
}

describe('repeats', () => {
  it('gives mean, sample stdev, min, max, CV and a Student-t 95 % interval', () => {
    // Five runs: 100, 102, 98, 101, 99 → mean 100, stdev √2.5 = 1.581.
    const spread = spreadOf('ttft.p50', [100, 102, 98, 101, 99])!;
    expect(spread).toMatchObject({ n: 5, mean: 100, stdev: 1.581, min: 98, max: 102, cv: 0.016 });
    // t(0.975, 4) = 2.776: half-width 2.776 × 1.581 / √5 = 1.963.
    expect(spread.ci95).toEqual([98.037, 101.963]);
    expect(tCritical95(4)).toBe(2.776);
    expect(tCritical95(1000)).toBe(1.96);
  });

  it('has no interval from one value, and skips repeats without one', () => {
    expect(spreadOf('ttft.p50', [5])).toMatchObject({ n: 1, stdev: 0, ci95: null });
    expect(spreadOf('ttft.p50', [null, 4, null, 6])).toMatchObject({
      n: 2,
      mean: 5,
      min: 4,
      max: 6,
    });
    expect(spreadOf('ttft.p50', [null, null])).toBeNull();
  });

  it('reads every group statistic across the runs, matching groups by key', () => {
    const report = analyzeRepeats([[group(100, 10)], [group(110, 12)], [group(90, 8)]]);
    expect(report.runs).toBe(3);
    const stats = report.groups[0]!.statistics;
    const ttft = stats.find((s) => s.statistic === 'ttft.p50')!;
    expect(ttft.values).toEqual([100, 110, 90]);
    expect(ttft.mean).toBe(100);
    expect(stats.find((s) => s.statistic === 'throughput.requests_per_s')!.mean).toBe(10);
    // A statistic no run has (goodput without SLOs) is left out, not reported as 0.
    expect(stats.some((s) => s.statistic === 'goodput.fraction')).toBe(false);
  });
});
