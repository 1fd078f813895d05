import { describe, expect, it } from 'vitest';
import { buildRealisticRun } from '../test/realistic-run.js';
import { buildReportCharts, type ChartSpec, targetColor } from './report-charts.js';
import { RunDistributions } from './run-distributions.js';

const { records, summary } = buildRealisticRun();
const distributions = new RunDistributions();
for (const record of records) distributions.add(record);

function chart(charts: readonly ChartSpec[], id: string): ChartSpec {
  const found = charts.find((c) => c.id === id);
  expect(found, id).toBeDefined();
  return found!;
}

describe('buildReportCharts with records', () => {
  const { charts, omitted } = buildReportCharts(summary, distributions);

  it('draws distributions, time series, comparisons and one chart per sweep', () => {
    expect(charts.map((c) => c.id)).toEqual([
      'ttft-histogram',
      'ttft-cdf',
      'e2e-histogram',
      'e2e-cdf',
      'itl-histogram',
      'itl-cdf',
      'requests-over-time',
      'tokens-over-time',
      'ttft-over-time',
      'compare-ttft',
      'compare-e2e',
      'compare-throughput',
      'sweep-0',
    ]);
    expect(omitted).toEqual([]);
  });

  it('gives each target one colour in every chart, in summary order', () => {
    for (const spec of charts.filter((c) => c.section !== 'sweeps')) {
      expect(spec.series.map((s) => s.color)).toEqual(summary.groups.map((_, i) => targetColor(i)));
    }
  });

  it('makes each histogram a share of its target that sums to 100 %', () => {
    for (const id of ['ttft-histogram', 'e2e-histogram', 'itl-histogram']) {
      for (const series of chart(charts, id).series) {
        const total = series.points.reduce((sum, [, y]) => sum + (y ?? 0), 0);
        expect(total, `${id} ${series.label}`).toBeCloseTo(100, 1);
      }
    }
  });

  it('ends every CDF at 100 % and puts its median near the summary p50', () => {
    const cdf = chart(charts, 'ttft-cdf');
    summary.groups.forEach((group, i) => {
      const points = cdf.series[i]!.points;
      expect(points.at(-1)![1]).toBe(100);
      const median = points.find(([, y]) => (y ?? 0) >= 50)![0];
      // One collected bin (5.9 %) from HDR's own p50.
      expect(median / group.ttft!.p50).toBeGreaterThan(0.94);
      expect(median / group.ttft!.p50).toBeLessThan(1.07);
    });
  });

  it('rates over time add up to the requests and tokens of each target', () => {
    const windowS = distributions.windowMs / 1000;
    const requests = chart(charts, 'requests-over-time');
    const tokens = chart(charts, 'tokens-over-time');
    summary.groups.forEach((group, i) => {
      const completed = requests.series[i]!.points.reduce(
        (sum, [, y]) => sum + (y ?? 0) * windowS,
        0,
      );
      // Partial first and last windows are rated over the part the measured phase covered.
      expect(completed / group.requests.succeeded).toBeGreaterThan(0.9);
      expect(completed / group.requests.succeeded).toBeLessThan(1.1);
      const produced = tokens.series[i]!.points.reduce((sum, [, y]) => sum + (y ?? 0) * windowS, 0);
      expect(produced / group.tokens.output).toBeGreaterThan(0.9);
      expect(produced / group.tokens.output).toBeLessThan(1.1);
    });
  });

  it('marks the knee and the best level of a sweep on its curve', () => {
    const sweep = chart(charts, 'sweep-0');
    const knee = sweep.series.find((s) => s.marker === 'knee')!;
    const best = sweep.series.find((s) => s.marker === 'best')!;
    const level64 = summary.sweeps[0]!.levels.find((l) => l.value === 64)!;
    expect(knee.label).toBe('knee: concurrency = 64');
    expect(knee.points).toEqual([[level64.output_tokens_per_s, level64.ttft_p95_ms]]);
    expect(best.label).toBe('best: concurrency = 16');
    expect(sweep.series[0]!.pointLabels).toEqual(['c=1', 'c=4', 'c=16', 'c=64']);
  });
});

describe('buildReportCharts from a summary alone', () => {
  const { charts, omitted } = buildReportCharts(summary, null);

  it('draws CDFs through the percentiles, the comparisons and the sweeps, and says what is missing', () => {
    expect(charts.map((c) => c.id)).toEqual([
      'ttft-cdf',
      'e2e-cdf',
      'itl-cdf',
      'compare-ttft',
      'compare-e2e',
      'compare-throughput',
      'sweep-0',
    ]);
    const ttft = summary.groups[0]!.ttft!;
    expect(chart(charts, 'ttft-cdf').series[0]!.points).toEqual([
      [ttft.min, 0],
      [ttft.p50, 50],
      [ttft.p75, 75],
      [ttft.p90, 90],
      [ttft.p95, 95],
      [ttft.p99, 99],
      [ttft.p999, 99.9],
      [ttft.max, 100],
    ]);
    expect(omitted.join(' ')).toContain('need the per-request records');
  });
});
