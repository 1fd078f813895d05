/**
 * The rule for runs known only by their summaries (no per-request values, so no interval
 * and no test). It judges a change only when it is larger than a run's own spread could
 * plausibly explain, and says nothing otherwise:
 *
 * - centre (p50, mean): NEW is higher when its statistic lies above BASE's p90 (the typical
 *   request of NEW is slower than 9 in 10 of BASE's), lower when BASE's lies above NEW's
 *   p90 — the same test with the runs swapped. Needs {@link SUMMARY_RULE_MIN_SAMPLES} each.
 * - tails (p90, p95, p99): the ratio of the two exceeds 1 + {@link SUMMARY_RULE_MARGIN},
 *   either way, and each run has at least 10 samples beyond the percentile (100 for p90,
 *   200 for p95, 1,000 for p99): a tail estimated from fewer moves by more than that
 *   between identical runs.
 * - scalars (cost per request, throughput): the ratio exceeds 1 + margin.
 */

/** Ratio beyond which the summary rule calls a tail or scalar changed: 25 %. */
export const SUMMARY_RULE_MARGIN = 0.25;

/** Samples each run needs before the summary rule judges a centre or a cost. */
export const SUMMARY_RULE_MIN_SAMPLES = 20;

/** Samples beyond a tail percentile each run needs before the rule judges it. */
const TAIL_SAMPLES_BEYOND = 10;

/** What a summary tells of one distribution. */
export interface DistributionView {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/** Which way NEW moved by the rule, or why it says nothing. */
export type SummaryRuleOutcome =
  | { moved: 'higher' | 'lower' }
  | { moved: 'none'; note: string | null };

/** The rule for one statistic of a distribution. */
export function judgeDistributionStatistic(
  base: DistributionView,
  next: DistributionView,
  statistic: 'p50' | 'p90' | 'p95' | 'p99' | 'mean',
  margin: number,
): SummaryRuleOutcome {
  if (statistic === 'p50' || statistic === 'mean') {
    if (base.count < SUMMARY_RULE_MIN_SAMPLES || next.count < SUMMARY_RULE_MIN_SAMPLES) {
      return {
        moved: 'none',
        note: `summary rule needs ${SUMMARY_RULE_MIN_SAMPLES} samples per run`,
      };
    }
    if (next[statistic] > base.p90) return { moved: 'higher' };
    if (base[statistic] > next.p90) return { moved: 'lower' };
    return { moved: 'none', note: null };
  }
  const share = statistic === 'p90' ? 0.1 : statistic === 'p95' ? 0.05 : 0.01;
  const needed = Math.round(TAIL_SAMPLES_BEYOND / share);
  if (base.count < needed || next.count < needed) {
    return { moved: 'none', note: `summary rule needs ${needed} samples per run for ${statistic}` };
  }
  return judgeRatio(base[statistic], next[statistic], margin);
}

/** The rule for a scalar (or a centre with no spread known): a ratio beyond 1 + margin. */
export function judgeRatio(base: number, next: number, margin: number): SummaryRuleOutcome {
  if (!(base > 0) || !(next > 0)) {
    if (base === 0 && next === 0) return { moved: 'none', note: null };
    return { moved: 'none', note: 'summary rule needs positive values in both runs' };
  }
  if (next / base > 1 + margin) return { moved: 'higher' };
  if (base / next > 1 + margin) return { moved: 'lower' };
  return { moved: 'none', note: null };
}
