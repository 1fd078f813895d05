import { type Bucket, histogramQuantile } from './histogram-quantile.js';

/** `[t_ms_since_start, value]`. */
export type SeriesPoint = [number, number];

/** A number the JSON summary can carry: NaN and ±Infinity become null. */
export function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/**
 * A time series of bounded length. When it is full, every other point is dropped and from
 * then on only every other offered point is kept, so a run of any length is covered end to
 * end by at most `maxPoints` points, evenly spaced.
 */
export class BoundedSeries {
  readonly #maxPoints: number;
  #points: SeriesPoint[] = [];
  #stride = 1;
  #offered = 0;

  constructor(maxPoints: number) {
    this.#maxPoints = Math.max(2, maxPoints);
  }

  add(tMs: number, value: number): void {
    const index = this.#offered++;
    if (index % this.#stride !== 0) return;
    if (this.#points.length >= this.#maxPoints) {
      // The kept points are offers 0, s, 2s, ...: the even positions are those at 2s.
      this.#points = this.#points.filter((_point, position) => position % 2 === 0);
      this.#stride *= 2;
      if (index % this.#stride !== 0) return;
    }
    this.#points.push([tMs, value]);
  }

  points(): SeriesPoint[] {
    return this.#points.map(([t, v]) => [t, v]);
  }
}

/** A gauge over the run: min / mean / max of the scraped values (each scrape weighs the same). */
export interface GaugeStats {
  kind: 'gauge';
  /** Scrapes that gave a finite value. */
  samples: number;
  min: number | null;
  mean: number | null;
  max: number | null;
  last: number | null;
  /** The value at each scrape. */
  series: SeriesPoint[];
}

export class GaugeTracker {
  readonly #series: BoundedSeries;
  #samples = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  #last: number | undefined;

  constructor(maxPoints: number) {
    this.#series = new BoundedSeries(maxPoints);
  }

  add(tMs: number, value: number): void {
    if (!Number.isFinite(value)) return;
    this.#samples++;
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    this.#last = value;
    this.#series.add(tMs, value);
  }

  stats(): GaugeStats {
    const hasSamples = this.#samples > 0;
    return {
      kind: 'gauge',
      samples: this.#samples,
      min: hasSamples ? this.#min : null,
      mean: hasSamples ? this.#sum / this.#samples : null,
      max: hasSamples ? this.#max : null,
      last: finiteOrNull(this.#last),
      series: this.#series.points(),
    };
  }
}

/** A counter over the run: how much it grew between the first and the last scrape. */
export interface CounterStats {
  kind: 'counter';
  /** Growth over the window; a drop (server restart) counts the new value as growth, as Prometheus' increase() does. */
  increase: number;
  /** increase / window_s; null with fewer than two scrapes. */
  rate_per_s: number | null;
  /** First to last scrape that gave a value. */
  window_s: number | null;
  resets: number;
  /** The rate over each scrape interval, at the interval's end. */
  series: SeriesPoint[];
}

export class CounterTracker {
  readonly #series: BoundedSeries;
  #firstTMs: number | undefined;
  #previousTMs = 0;
  #previous = 0;
  #increase = 0;
  #resets = 0;

  constructor(maxPoints: number) {
    this.#series = new BoundedSeries(maxPoints);
  }

  add(tMs: number, value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.#firstTMs === undefined) {
      this.#firstTMs = tMs;
    } else {
      const isReset = value < this.#previous;
      if (isReset) this.#resets++;
      const growth = isReset ? value : value - this.#previous;
      this.#increase += growth;
      const intervalS = (tMs - this.#previousTMs) / 1000;
      if (intervalS > 0) this.#series.add(tMs, growth / intervalS);
    }
    this.#previousTMs = tMs;
    this.#previous = value;
  }

  stats(): CounterStats {
    const windowS =
      this.#firstTMs === undefined ? null : (this.#previousTMs - this.#firstTMs) / 1000;
    return {
      kind: 'counter',
      increase: this.#increase,
      rate_per_s: windowS !== null && windowS > 0 ? this.#increase / windowS : null,
      window_s: windowS,
      resets: this.#resets,
      series: this.#series.points(),
    };
  }
}

/** One scrape of a histogram (one label set, or several added up by bound). */
export interface HistogramSnapshot {
  readonly buckets: readonly Bucket[];
  readonly sum: number | undefined;
  readonly count: number | undefined;
}

/** A histogram over the run: the observations made between the first and the last scrape. */
export interface HistogramStats {
  kind: 'histogram';
  /** `ms` for the roles' durations (converted from the server's seconds); `s` for raw `*_seconds` families. */
  unit: 'ms' | 's' | null;
  observations: number;
  sum: number | null;
  mean: number | null;
  /** Interpolated inside buckets as PromQL's histogram_quantile does; null without observations. */
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  /** Cumulative observations ≤ `le` over the window (the +Inf bucket is `observations`). */
  buckets: { le: number; count: number }[];
  resets: number;
  /** The mean of the observations made in each scrape interval, at the interval's end (intervals without any left out). */
  series: SeriesPoint[];
}

function totalCount(snapshot: HistogramSnapshot): number | undefined {
  if (snapshot.count !== undefined) return snapshot.count;
  const top = snapshot.buckets.at(-1);
  return top !== undefined && top.le === Number.POSITIVE_INFINITY ? top.count : undefined;
}

function sameBounds(a: readonly Bucket[], b: readonly Bucket[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.le !== b[i]!.le) return false;
  return true;
}

export class HistogramTracker {
  readonly #series: BoundedSeries;
  /** Multiplies bounds, sums and quantiles: 1000 turns the server's seconds into ms. */
  readonly #scale: number;
  readonly #unit: HistogramStats['unit'];
  #previous: HistogramSnapshot | undefined;
  /** Growth per bound (bounds as the server wrote them, unscaled). */
  readonly #increase = new Map<number, number>();
  #sumIncrease = 0;
  #countIncrease = 0;
  #resets = 0;

  constructor(maxPoints: number, scale: number, unit: HistogramStats['unit']) {
    this.#series = new BoundedSeries(maxPoints);
    this.#scale = scale;
    this.#unit = unit;
  }

  add(tMs: number, snapshot: HistogramSnapshot): void {
    const previous = this.#previous;
    this.#previous = snapshot;
    for (const bucket of snapshot.buckets) {
      if (!this.#increase.has(bucket.le)) this.#increase.set(bucket.le, 0);
    }
    // A new bucket layout (a server restarted with other bounds) cannot be diffed: it only
    // becomes the new baseline.
    if (previous === undefined || !sameBounds(previous.buckets, snapshot.buckets)) return;
    const count = totalCount(snapshot);
    const previousCount = totalCount(previous);
    const isReset =
      (count !== undefined && previousCount !== undefined && count < previousCount) ||
      snapshot.buckets.some((bucket, i) => bucket.count < previous.buckets[i]!.count);
    if (isReset) this.#resets++;
    snapshot.buckets.forEach((bucket, i) => {
      const growth = isReset ? bucket.count : bucket.count - previous.buckets[i]!.count;
      this.#increase.set(bucket.le, this.#increase.get(bucket.le)! + growth);
    });
    let countGrowth = 0;
    if (count !== undefined && previousCount !== undefined) {
      countGrowth = isReset ? count : count - previousCount;
      this.#countIncrease += countGrowth;
    }
    if (snapshot.sum !== undefined && previous.sum !== undefined) {
      const sumGrowth = isReset ? snapshot.sum : snapshot.sum - previous.sum;
      if (Number.isFinite(sumGrowth)) {
        this.#sumIncrease += sumGrowth;
        if (countGrowth > 0) this.#series.add(tMs, (sumGrowth / countGrowth) * this.#scale);
      }
    }
  }

  stats(): HistogramStats {
    const buckets: Bucket[] = [...this.#increase].map(([le, count]) => ({ le, count }));
    const infinite = this.#increase.get(Number.POSITIVE_INFINITY);
    const observations = infinite ?? this.#countIncrease;
    const quantile = (q: number): number | null =>
      observations > 0 ? finiteOrNull(histogramQuantile(q, buckets) * this.#scale) : null;
    return {
      kind: 'histogram',
      unit: this.#unit,
      observations,
      sum: observations > 0 ? this.#sumIncrease * this.#scale : null,
      mean: observations > 0 ? (this.#sumIncrease / observations) * this.#scale : null,
      p50: quantile(0.5),
      p90: quantile(0.9),
      p95: quantile(0.95),
      p99: quantile(0.99),
      buckets: buckets
        .filter((bucket) => Number.isFinite(bucket.le))
        .sort((a, b) => a.le - b.le)
        .map((bucket) => ({ le: bucket.le * this.#scale, count: bucket.count })),
      resets: this.#resets,
      series: this.#series.points(),
    };
  }
}

/** One scrape of a summary's label set. */
export interface SummarySnapshot {
  readonly quantiles: readonly { quantile: number; value: number }[];
  readonly sum: number | undefined;
  readonly count: number | undefined;
}

/**
 * A summary over the run: observations and their mean over the window, and the quantiles as
 * the server last computed them (over its own window: they cannot be re-derived for ours).
 */
export interface SummaryStats {
  kind: 'summary';
  observations: number;
  sum: number | null;
  mean: number | null;
  /** Quantile (as written, e.g. "0.99") → the server's last value. */
  quantiles: Record<string, number | null>;
  resets: number;
  series: SeriesPoint[];
}

export class SummaryTracker {
  readonly #series: BoundedSeries;
  #previous: SummarySnapshot | undefined;
  #sumIncrease = 0;
  #countIncrease = 0;
  #resets = 0;

  constructor(maxPoints: number) {
    this.#series = new BoundedSeries(maxPoints);
  }

  add(tMs: number, snapshot: SummarySnapshot): void {
    const previous = this.#previous;
    this.#previous = snapshot;
    if (previous === undefined || snapshot.count === undefined || previous.count === undefined) {
      return;
    }
    const isReset = snapshot.count < previous.count;
    if (isReset) this.#resets++;
    const countGrowth = isReset ? snapshot.count : snapshot.count - previous.count;
    this.#countIncrease += countGrowth;
    if (snapshot.sum !== undefined && previous.sum !== undefined) {
      const sumGrowth = isReset ? snapshot.sum : snapshot.sum - previous.sum;
      if (Number.isFinite(sumGrowth)) {
        this.#sumIncrease += sumGrowth;
        if (countGrowth > 0) this.#series.add(tMs, sumGrowth / countGrowth);
      }
    }
  }

  stats(): SummaryStats {
    const quantiles: Record<string, number | null> = {};
    for (const { quantile, value } of this.#previous?.quantiles ?? []) {
      quantiles[String(quantile)] = finiteOrNull(value);
    }
    const observations = this.#countIncrease;
    return {
      kind: 'summary',
      observations,
      sum: observations > 0 ? this.#sumIncrease : null,
      mean: observations > 0 ? this.#sumIncrease / observations : null,
      quantiles,
      resets: this.#resets,
      series: this.#series.points(),
    };
  }
}
