/** One cumulative bucket of a classic Prometheus histogram: observations ≤ `le`. */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

// Prometheus ignores relative differences below this between adjacent cumulative buckets:
// they come from float sums (rate over several series), not from observations.
const SMALL_DELTA_TOLERANCE = 1e-12;

/**
 * The q-quantile (0..1) of cumulative buckets, computed the way PromQL's
 * `histogram_quantile` does for classic histograms: buckets sorted by bound, equal bounds
 * merged, counts forced to be non-decreasing, then linear interpolation inside the bucket
 * the rank falls in (from 0 for the lowest bucket when its bound is positive). Special cases
 * as in Prometheus: NaN without a +Inf bucket, with fewer than 2 buckets or without
 * observations; the second-highest bound when the rank falls in the +Inf bucket; -Inf for
 * q < 0 and +Inf for q > 1.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  if (buckets.length === 0) return Number.NaN;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.at(-1)!.le !== Number.POSITIVE_INFINITY) return Number.NaN;

  const merged = coalesce(sorted);
  ensureMonotonic(merged);
  if (merged.length < 2) return Number.NaN;
  const observations = merged.at(-1)!.count;
  if (observations === 0) return Number.NaN;

  let rank = q * observations;
  // The first bucket (the +Inf one excluded) whose cumulative count reaches the rank.
  let b = 0;
  while (b < merged.length - 1 && merged[b]!.count < rank) b++;
  if (b === merged.length - 1) return merged[merged.length - 2]!.le;
  const upper = merged[b]!;
  if (b === 0 && upper.le <= 0) return upper.le;
  let bucketStart = 0;
  let count = upper.count;
  if (b > 0) {
    const lower = merged[b - 1]!;
    bucketStart = lower.le;
    count -= lower.count;
    rank -= lower.count;
  }
  return bucketStart + (upper.le - bucketStart) * (rank / count);
}

/** Merges buckets with the same bound (sorted input), adding their counts. */
function coalesce(sorted: readonly Bucket[]): { le: number; count: number }[] {
  const merged: { le: number; count: number }[] = [];
  for (const bucket of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && last.le === bucket.le) last.count += bucket.count;
    else merged.push({ le: bucket.le, count: bucket.count });
  }
  return merged;
}

/**
 * Cumulative counts must not decrease with the bound; a scrape that caught a histogram
 * mid-update, or sums over series with different layouts, can break that.
 */
function ensureMonotonic(buckets: { le: number; count: number }[]): void {
  let previous = Number.NEGATIVE_INFINITY;
  for (const bucket of buckets) {
    if (bucket.count < previous) {
      bucket.count = previous;
    } else if (
      bucket.count !== previous &&
      Math.abs(bucket.count - previous) <= SMALL_DELTA_TOLERANCE * Math.abs(bucket.count)
    ) {
      bucket.count = previous;
    }
    previous = bucket.count;
  }
}
