/** The percentiles a comparison reports, in per mille (integers keep the rank arithmetic exact). */
export const PERCENTILES_PER_MILLE = { p50: 500, p90: 900, p95: 950, p99: 990 } as const;

export type PercentileName = keyof typeof PERCENTILES_PER_MILLE;

/**
 * The 1-based rank of a percentile among `total` samples by the nearest-rank rule, the rule
 * HdrHistogram's "value at percentile" follows: the smallest sample with at least that share
 * of the samples at or below it.
 */
export function nearestRank(perMille: number, total: number): number {
  return Math.max(1, Math.floor((perMille * total + 999) / 1000));
}

/**
 * The value at quantile q (0–1) of values sorted ascending, interpolating linearly between
 * neighbours (Hyndman–Fan type 7): how a bootstrap interval's ends are read off the sorted
 * resampled statistics.
 */
export function interpolatedQuantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lower = Math.floor(h);
  const upper = Math.min(sorted.length - 1, lower + 1);
  return sorted[lower]! + (h - lower) * (sorted[upper]! - sorted[lower]!);
}
