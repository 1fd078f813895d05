import type { BootstrapRandom } from './bootstrap-random.js';
import { interpolatedQuantile, nearestRank, PERCENTILES_PER_MILLE } from './order-statistics.js';
import type { ItlSamples } from './run-samples.js';

/** The statistics of a distribution a comparison tests, in report order. */
export const DISTRIBUTION_STATISTICS = ['p50', 'p90', 'p95', 'p99', 'mean'] as const;
export type DistributionStatistic = (typeof DISTRIBUTION_STATISTICS)[number];

const PER_MILLE = [
  PERCENTILES_PER_MILLE.p50,
  PERCENTILES_PER_MILLE.p90,
  PERCENTILES_PER_MILLE.p95,
  PERCENTILES_PER_MILLE.p99,
];

/**
 * One metric of one run arranged for resampling requests: its samples sorted ascending, the
 * request each belongs to and its weight (1 for a per-request value; k for an ITL event
 * carrying k tokens), and each request's total weight (0 where it has no sample).
 */
export interface ResamplingLayout {
  values: Float64Array;
  owners: Uint32Array;
  weights: Float64Array;
  requestWeights: Float64Array;
  /** Each request's weighted sum of samples (0 where it has none): what means are made of. */
  requestSums: Float64Array;
  /** Every request has exactly weight 1 (a per-request metric no request lacks). */
  isOnePerRequest: boolean;
  /** Every sample has weight 1 (a per-request metric, or ITL of one-token events). */
  hasUnitWeights: boolean;
  /** Sum of the weights: the number of samples. */
  samples: number;
}

/** The layout of a per-request metric (one value per succeeded request, NaN where absent). */
export function layoutOfRequestValues(perRequest: Float64Array): ResamplingLayout {
  const requests = perRequest.length;
  const requestWeights = new Float64Array(requests);
  const requestSums = new Float64Array(requests);
  const present: number[] = [];
  for (let r = 0; r < requests; r++) {
    if (!Number.isNaN(perRequest[r]!)) {
      present.push(r);
      requestWeights[r] = 1;
      requestSums[r] = perRequest[r]!;
    }
  }
  present.sort((x, y) => perRequest[x]! - perRequest[y]!);
  const owners = Uint32Array.from(present);
  const values = new Float64Array(owners.length);
  for (let s = 0; s < owners.length; s++) values[s] = perRequest[owners[s]!]!;
  return {
    values,
    owners,
    weights: new Float64Array(owners.length).fill(1),
    requestWeights,
    requestSums,
    isOnePerRequest: owners.length === requests,
    hasUnitWeights: true,
    samples: owners.length,
  };
}

/** The layout of per-token ITL: every event of every request, pooled and sorted. */
export function layoutOfItl(itl: ItlSamples): ResamplingLayout {
  const requests = itl.request_offsets.length - 1;
  const events = itl.values_ms.length;
  const owner = new Uint32Array(events);
  const requestWeights = new Float64Array(requests);
  const requestSums = new Float64Array(requests);
  let samples = 0;
  for (let r = 0; r < requests; r++) {
    for (let e = itl.request_offsets[r]!; e < itl.request_offsets[r + 1]!; e++) {
      owner[e] = r;
      requestWeights[r]! += itl.counts[e]!;
      requestSums[r]! += itl.counts[e]! * itl.values_ms[e]!;
      samples += itl.counts[e]!;
    }
  }
  const order = new Uint32Array(events);
  for (let e = 0; e < events; e++) order[e] = e;
  order.sort((x, y) => itl.values_ms[x]! - itl.values_ms[y]!);
  const values = new Float64Array(events);
  const weights = new Float64Array(events);
  const owners = new Uint32Array(events);
  for (let s = 0; s < events; s++) {
    const e = order[s]!;
    values[s] = itl.values_ms[e]!;
    weights[s] = itl.counts[e]!;
    owners[s] = owner[e]!;
  }
  const hasUnitWeights = weights.every((w) => w === 1);
  return {
    values,
    owners,
    weights,
    requestWeights,
    requestSums,
    isOnePerRequest: false,
    hasUnitWeights,
    samples,
  };
}

/**
 * The five statistics of a layout under request multiplicities `counts` (a resample; all 1
 * for the observed data) into `out` (p50, p90, p95, p99, mean), percentiles by nearest rank
 * of the pooled weighted samples. Leaves NaN when the resample drew no request with samples.
 * One pass over the samples, branch-free in the loop: a third of a resample's counts are 0,
 * at random, and skipping them costs more in mispredicted branches than it saves.
 */
export function statisticsUnder(
  layout: ResamplingLayout,
  counts: Uint32Array,
  out: Float64Array,
): void {
  const { values, owners, weights, requestWeights, requestSums } = layout;
  out.fill(Number.NaN);
  if (layout.samples === 0) return;
  // Totals over requests first, with two accumulators each: the sums do not wait on one
  // another, and the walk below then only counts.
  let total0 = 0;
  let total1 = 0;
  let sum0 = 0;
  let sum1 = 0;
  const requests = counts.length;
  let r = 0;
  for (; r + 1 < requests; r += 2) {
    const c0 = counts[r]!;
    const c1 = counts[r + 1]!;
    total0 += c0 * requestWeights[r]!;
    total1 += c1 * requestWeights[r + 1]!;
    sum0 += c0 * requestSums[r]!;
    sum1 += c1 * requestSums[r + 1]!;
  }
  if (r < requests) {
    total0 += counts[r]! * requestWeights[r]!;
    sum0 += counts[r]! * requestSums[r]!;
  }
  const total = total0 + total1;
  if (total === 0) return;
  out[4] = (sum0 + sum1) / total;
  const r0 = nearestRank(PER_MILLE[0]!, total);
  const r1 = nearestRank(PER_MILLE[1]!, total);
  const r2 = nearestRank(PER_MILLE[2]!, total);
  const r3 = nearestRank(PER_MILLE[3]!, total);
  let rank = r0;
  let next = 0;
  let cumulative = 0;
  // The walk stops at p99's rank; per-request metrics (every weight 1) skip a load and a
  // multiply. No skip of undrawn requests: a third of a resample's counts are 0, at random,
  // and the mispredicted branches would cost more than the work they save.
  const unit = layout.hasUnitWeights;
  for (let s = 0; s < values.length; s++) {
    cumulative += unit ? counts[owners[s]!]! : counts[owners[s]!]! * weights[s]!;
    if (cumulative >= rank) {
      while (cumulative >= rank && next < 4) {
        out[next++] = values[s]!;
        rank = next === 1 ? r1 : next === 2 ? r2 : r3;
      }
      if (next === 4) return;
    }
  }
}

/** Each statistic of the observed data and its value in every bootstrap resample. */
export interface BootstrapReplicates {
  point: Record<DistributionStatistic, number>;
  replicates: Record<DistributionStatistic, Float64Array>;
}

/** The statistics of the observed data (every request once). */
export function pointStatistics(layout: ResamplingLayout): Record<DistributionStatistic, number> {
  const out = new Float64Array(5);
  statisticsUnder(layout, new Uint32Array(layout.requestWeights.length).fill(1), out);
  return { p50: out[0]!, p90: out[1]!, p95: out[2]!, p99: out[3]!, mean: out[4]! };
}

/**
 * Resamples the run's `requests` succeeded requests with replacement, `resamples` times,
 * and computes every layout's statistics under each resample: one resample of requests
 * serves every metric (ttft, e2e, ITL pooled over the chosen requests' tokens...), as
 * re-running the same requests would. For ITL this is the cluster bootstrap: tokens of one
 * request share its server, batch and network path and are not independent draws, so
 * resampling tokens would give intervals far too narrow. A resample is a count per request,
 * never a copy: O(resamples × (requests + samples)) time, O(requests) extra memory.
 */
export function bootstrapLayouts(
  layouts: readonly ResamplingLayout[],
  requests: number,
  resamples: number,
  random: BootstrapRandom,
): BootstrapReplicates[] {
  const results = layouts.map((layout) => ({
    point: pointStatistics(layout),
    replicates: {
      p50: new Float64Array(resamples),
      p90: new Float64Array(resamples),
      p95: new Float64Array(resamples),
      p99: new Float64Array(resamples),
      mean: new Float64Array(resamples),
    },
  }));
  const counts = new Uint32Array(requests);
  const out = new Float64Array(5);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    for (let i = 0; i < requests; i++) counts[random.nextBelow(requests)]! += 1;
    for (let m = 0; m < layouts.length; m++) {
      statisticsUnder(layouts[m]!, counts, out);
      const replicates = results[m]!.replicates;
      replicates.p50[b] = out[0]!;
      replicates.p90[b] = out[1]!;
      replicates.p95[b] = out[2]!;
      replicates.p99[b] = out[3]!;
      replicates.mean[b] = out[4]!;
    }
  }
  return results;
}

/**
 * The percentile-method interval of NEW − BASE: the resamples of the two runs are drawn
 * independently, so the b-th difference is one draw of the difference's bootstrap
 * distribution; its (1 − confidence)/2 and (1 + confidence)/2 quantiles are the interval.
 * Resamples where a run drew no request with the metric (NaN) are left out.
 */
export function differenceInterval(
  base: Float64Array,
  next: Float64Array,
  confidence: number,
): { low: number; high: number } {
  const differences: number[] = [];
  for (let b = 0; b < base.length; b++) {
    const difference = next[b]! - base[b]!;
    if (!Number.isNaN(difference)) differences.push(difference);
  }
  const sorted = Float64Array.from(differences).sort();
  return {
    low: interpolatedQuantile(sorted, (1 - confidence) / 2),
    high: interpolatedQuantile(sorted, (1 + confidence) / 2),
  };
}
