// `--repeat K`: the same benchmark run K times, each statistic read across the runs, so a
// user can tell a real difference from run-to-run noise.
import type { GroupSummary } from './aggregator.js';
import { round3 } from './histogram.js';

/** The statistics read across repeats, as `metric.statistic` paths of a group. */
export const REPEAT_STATISTICS = [
  'ttft.p50',
  'ttft.p95',
  'ttft.p99',
  'itl.p50',
  'itl.p95',
  'tpot.p50',
  'e2e.p50',
  'e2e.p95',
  'throughput.requests_per_s',
  'throughput.output_tokens_per_s',
  'success_rate',
  'goodput.fraction',
] as const;

export type RepeatStatistic = (typeof REPEAT_STATISTICS)[number];

/** One statistic over the repeats. */
export interface RepeatSpread {
  statistic: RepeatStatistic;
  /** Each repeat's value, in run order; null where a repeat had none. */
  values: Array<number | null>;
  /** Over the repeats that had a value. */
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one value. */
  stdev: number;
  min: number;
  max: number;
  /** stdev / mean; null when the mean is 0. */
  cv: number | null;
  /**
   * 95 % confidence interval of the mean (Student's t with n − 1 degrees of freedom):
   * [mean − h, mean + h], h = t × stdev / √n; null with fewer than 2 values.
   */
  ci95: [number, number] | null;
}

/** One provider/model/scenario over the repeats. */
export interface RepeatGroup {
  provider: string;
  model: string;
  scenario: string;
  statistics: RepeatSpread[];
}

/** The summary's `repeats` block. */
export interface RepeatReport {
  /** Repeats that ran (fewer than asked when the run was stopped). */
  runs: number;
  groups: RepeatGroup[];
}

// Two-sided 97.5th percentile of Student's t, by degrees of freedom 1..30; above, the normal's.
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/** The t value of a two-sided 95 % interval with `df` degrees of freedom (>= 1). */
export function tCritical95(df: number): number {
  return T_975[df - 1] ?? 1.96;
}

function statisticOf(group: GroupSummary, statistic: RepeatStatistic): number | null {
  const [metric, field] = statistic.split('.') as [string, string | undefined];
  const value = (group as unknown as Record<string, unknown>)[metric];
  if (field === undefined) return typeof value === 'number' ? value : null;
  if (value === null || typeof value !== 'object') return null;
  const inner = (value as Record<string, unknown>)[field];
  return typeof inner === 'number' && Number.isFinite(inner) ? inner : null;
}

/** The spread of one statistic over `values`; null when no repeat had one. */
export function spreadOf(
  statistic: RepeatStatistic,
  values: Array<number | null>,
): RepeatSpread | null {
  const present = values.filter((v): v is number => v !== null);
  const n = present.length;
  if (n === 0) return null;
  const mean = present.reduce((a, b) => a + b, 0) / n;
  const variance = n < 2 ? 0 : present.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const stdev = Math.sqrt(variance);
  const half = n < 2 ? null : (tCritical95(n - 1) * stdev) / Math.sqrt(n);
  return {
    statistic,
    values,
    n,
    mean: round3(mean),
    stdev: round3(stdev),
    min: Math.min(...present),
    max: Math.max(...present),
    cv: mean === 0 ? null : round3(stdev / mean),
    ci95: half === null ? null : [round3(mean - half), round3(mean + half)],
  };
}

/**
 * Reads each group's statistics across the repeats' summaries (`runs[r]` is repeat r's
 * groups): groups are matched by provider/model/scenario, in the first repeat's order.
 */
export function analyzeRepeats(runs: ReadonlyArray<readonly GroupSummary[]>): RepeatReport {
  const key = (g: GroupSummary) => JSON.stringify([g.provider, g.model, g.scenario]);
  const byRun = runs.map((groups) => new Map(groups.map((g) => [key(g), g])));
  const seen = new Set<string>();
  const groups: RepeatGroup[] = [];
  for (const groupsOfRun of runs) {
    for (const group of groupsOfRun) {
      const k = key(group);
      if (seen.has(k)) continue;
      seen.add(k);
      const statistics: RepeatSpread[] = [];
      for (const statistic of REPEAT_STATISTICS) {
        const values = byRun.map((run) => {
          const g = run.get(k);
          return g === undefined ? null : statisticOf(g, statistic);
        });
        const spread = spreadOf(statistic, values);
        if (spread !== null) statistics.push(spread);
      }
      groups.push({
        provider: group.provider,
        model: group.model,
        scenario: group.scenario,
        statistics,
      });
    }
  }
  return { runs: runs.length, groups };
}
