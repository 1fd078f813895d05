import { describe, expect, it } from 'vitest';
import { histogramQuantile } from './histogram-quantile.js';
import {
  BoundedSeries,
  CounterTracker,
  GaugeTracker,
  HistogramTracker,
  SummaryTracker,
} from './series-trackers.js';

const INF = Number.POSITIVE_INFINITY;

describe('BoundedSeries', () => {
  it('keeps every point until full, then every other one, evenly spaced to the end', () => {
    const series = new BoundedSeries(4);
    for (let t = 0; t < 10; t++) series.add(t, t * 10);
    // 0..3 kept; at 4: thinned to 0, 2 and stride 2; at 8: thinned to 0, 4 and stride 4.
    expect(series.points()).toEqual([
      [0, 0],
      [4, 40],
      [8, 80],
    ]);
  });

  it('never holds more than its maximum, whatever the run length', () => {
    const series = new BoundedSeries(600);
    for (let t = 0; t < 100_000; t++) series.add(t, 1);
    const points = series.points();
    expect(points.length).toBeLessThanOrEqual(600);
    expect(points.length).toBeGreaterThan(300);
    const gaps = new Set(points.slice(1).map(([t], i) => t - points[i]![0]));
    expect(gaps.size).toBe(1);
    expect(points.at(-1)![0]).toBeGreaterThan(100_000 - [...gaps][0]! - 1);
  });
});

describe('GaugeTracker', () => {
  it('gives min, mean, max and last over the scrapes, leaving out NaN', () => {
    const gauge = new GaugeTracker(100);
    for (const [t, value] of [
      [0, 0],
      [100, 4],
      [200, Number.NaN],
      [300, 2],
    ] as const) {
      gauge.add(t, value);
    }
    expect(gauge.stats()).toEqual({
      kind: 'gauge',
      samples: 3,
      min: 0,
      mean: 2,
      max: 4,
      last: 2,
      series: [
        [0, 0],
        [100, 4],
        [300, 2],
      ],
    });
  });

  it('reports nulls before any value', () => {
    expect(new GaugeTracker(10).stats()).toMatchObject({
      samples: 0,
      min: null,
      mean: null,
      max: null,
    });
  });
});

describe('CounterTracker', () => {
  it('gives the growth and its rate over the window, and the rate of each interval', () => {
    const counter = new CounterTracker(100);
    counter.add(1000, 50);
    counter.add(2000, 70);
    counter.add(4000, 110);
    expect(counter.stats()).toEqual({
      kind: 'counter',
      increase: 60,
      rate_per_s: 20,
      window_s: 3,
      resets: 0,
      series: [
        [2000, 20],
        [4000, 20],
      ],
    });
  });

  it('counts the value after a drop (a restart) as growth, as Prometheus increase() does', () => {
    const counter = new CounterTracker(100);
    counter.add(0, 100);
    counter.add(1000, 130);
    counter.add(2000, 10);
    counter.add(3000, 25);
    expect(counter.stats()).toMatchObject({ increase: 30 + 10 + 15, resets: 1, window_s: 3 });
  });

  it('has no rate with a single scrape', () => {
    const counter = new CounterTracker(100);
    counter.add(0, 5);
    expect(counter.stats()).toMatchObject({ increase: 0, rate_per_s: null, window_s: 0 });
  });
});

describe('HistogramTracker', () => {
  const snapshot = (counts: [number, number, number], sum: number) => ({
    buckets: [
      { le: 0.1, count: counts[0] },
      { le: 0.25, count: counts[1] },
      { le: INF, count: counts[2] },
    ],
    sum,
    count: counts[2],
  });

  it('computes quantiles from the bucket growth between the first and the last scrape', () => {
    const histogram = new HistogramTracker(100, 1, 's');
    // Before the window: 5 observations, all ≤ 0.1; they must not count.
    histogram.add(0, snapshot([5, 5, 5], 0.25));
    histogram.add(1000, snapshot([6, 9, 10], 1.45));
    histogram.add(2000, snapshot([7, 17, 19], 3.25));
    const stats = histogram.stats();
    // Growth: ≤0.1: 2, ≤0.25: 12, +Inf: 14; sum 3.0.
    expect(stats.observations).toBe(14);
    expect(stats.sum).toBeCloseTo(3.0, 12);
    expect(stats.mean).toBeCloseTo(3.0 / 14, 12);
    expect(stats.buckets).toEqual([
      { le: 0.1, count: 2 },
      { le: 0.25, count: 12 },
    ]);
    // p50: rank 7 → (0.1, 0.25], 5 of its 10 → 0.175
    expect(stats.p50).toBeCloseTo(0.175, 12);
    // p95: rank 13.3 → +Inf bucket → 0.25
    expect(stats.p95).toBe(0.25);
    expect(stats.p90).toBeCloseTo(
      histogramQuantile(0.9, [
        { le: 0.1, count: 2 },
        { le: 0.25, count: 12 },
        { le: INF, count: 14 },
      ]),
      12,
    );
    // Interval means: (1.45-0.25)/5 and (3.25-1.45)/9
    expect(stats.series[0]![0]).toBe(1000);
    expect(stats.series[0]![1]).toBeCloseTo(0.24, 12);
    expect(stats.series[1]![1]).toBeCloseTo(0.2, 12);
  });

  it('scales bounds, sums and quantiles (seconds to ms)', () => {
    const histogram = new HistogramTracker(100, 1000, 'ms');
    histogram.add(0, snapshot([0, 0, 0], 0));
    histogram.add(1000, snapshot([0, 4, 4], 0.8));
    const stats = histogram.stats();
    expect(stats.unit).toBe('ms');
    expect(stats.p50).toBeCloseTo(175, 9);
    expect(stats.mean).toBeCloseTo(200, 9);
    expect(stats.buckets.map((b) => b.le)).toEqual([100, 250]);
  });

  it('reads a drop of the count as a restart: the new counts are growth', () => {
    const histogram = new HistogramTracker(100, 1, null);
    histogram.add(0, snapshot([0, 2, 2], 0.3));
    histogram.add(1000, snapshot([0, 6, 6], 0.9));
    histogram.add(2000, snapshot([1, 1, 1], 0.05));
    const stats = histogram.stats();
    expect(stats.resets).toBe(1);
    expect(stats.observations).toBe(5);
    expect(stats.sum).toBeCloseTo(0.65, 12);
  });

  it('has null quantiles without observations in the window', () => {
    const histogram = new HistogramTracker(100, 1, null);
    histogram.add(0, snapshot([3, 3, 3], 0.1));
    histogram.add(1000, snapshot([3, 3, 3], 0.1));
    expect(histogram.stats()).toMatchObject({ observations: 0, p50: null, mean: null, sum: null });
  });
});

describe('SummaryTracker', () => {
  it('gives observations and mean over the window and the last quantiles as the server wrote them', () => {
    const summary = new SummaryTracker(100);
    summary.add(0, { quantiles: [{ quantile: 0.5, value: 0.1 }], sum: 10, count: 100 });
    summary.add(1000, {
      quantiles: [
        { quantile: 0.5, value: 0.12 },
        { quantile: 0.99, value: Number.NaN },
      ],
      sum: 16,
      count: 130,
    });
    expect(summary.stats()).toEqual({
      kind: 'summary',
      observations: 30,
      sum: 6,
      mean: 0.2,
      quantiles: { '0.5': 0.12, '0.99': null },
      resets: 0,
      series: [[1000, 0.2]],
    });
  });
});
