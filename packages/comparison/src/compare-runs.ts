import type { DistributionSummary, GroupSummary, RunSummary } from '@llm-lens/metrics';
import {
  type BootstrapReplicates,
  bootstrapLayouts,
  DISTRIBUTION_STATISTICS,
  differenceInterval,
  layoutOfItl,
  layoutOfRequestValues,
  pointStatistics,
  type ResamplingLayout,
} from './bootstrap.js';
import { BootstrapRandom, streamSeed } from './bootstrap-random.js';
import { ComparisonError } from './comparison-error.js';
import {
  COMPARED_DISTRIBUTIONS,
  type ComparedDistribution,
  type ComparisonMetric,
  isHigherBetter,
  unitOf,
} from './comparison-metrics.js';
import { holmAdjust } from './holm-adjustment.js';
import { type MannWhitneyResult, mannWhitney } from './mann-whitney.js';
import type { GroupSamples, ItlSamples, RunSamples } from './run-samples.js';
import {
  type DistributionView,
  judgeDistributionStatistic,
  judgeRatio,
  SUMMARY_RULE_MARGIN,
  SUMMARY_RULE_MIN_SAMPLES,
  type SummaryRuleOutcome,
} from './summary-rule.js';
import { compareProportions } from './two-proportions.js';

/** What a row or a test concluded about NEW against BASE. */
export type Verdict = 'better' | 'worse' | 'no_change';

/** How a row was judged. */
export type RowMethod = 'bootstrap+mann-whitney' | 'fisher+newcombe' | 'summary-rule';

/** How a group's distributions were judged: from per-request values, or from summaries only. */
export type GroupMethod = 'bootstrap+mann-whitney' | 'summary-rule';

/** One statistic of one metric, BASE against NEW. */
export interface ComparisonRow {
  metric: ComparisonMetric;
  /** p50, p90, p95, p99, mean; `value` for error_rate; requests_per_s / output_tokens_per_s for throughput. */
  statistic: string;
  unit: string;
  base: number | null;
  new: number | null;
  /** new − base. */
  delta: number | null;
  /** delta / |base| × 100; null when base is 0 or unknown. */
  delta_pct: number | null;
  /** Interval of the difference NEW − BASE at the comparison's confidence; null under the summary rule. */
  ci_low: number | null;
  ci_high: number | null;
  /** The metric's test (Mann–Whitney or Fisher), two-sided, before adjustment; null under the summary rule. */
  p_value: number | null;
  /** The same after Holm's adjustment across every test of the comparison (= p_value without). */
  p_adjusted: number | null;
  verdict: Verdict;
  method: RowMethod;
  /** Samples behind the row in each run (requests; for itl the token samples). */
  base_count: number;
  new_count: number;
  /** Why no verdict could be reached, when that is the reason for `no_change`. */
  note: string | null;
}

/** The test of a whole metric's distribution (or of the error proportion). */
export interface MetricTest {
  metric: ComparisonMetric;
  test: 'mann-whitney' | 'fisher-exact';
  /** Mann–Whitney U of NEW and its z; null for Fisher. */
  u: number | null;
  z: number | null;
  p_value: number;
  p_adjusted: number;
  /** Which run's values are larger (for error_rate: the failure proportion). */
  direction: 'new_larger' | 'new_smaller' | 'equal';
  /** better / worse when the adjusted p is below alpha, by the metric's direction. */
  verdict: Verdict;
}

/** provider/model/scenario of a group. */
export interface GroupKey {
  provider: string;
  model: string;
  scenario: string;
}

/** One group present in both runs. */
export interface GroupComparison extends GroupKey {
  method: GroupMethod;
  rows: ComparisonRow[];
  /** One test per metric tested (none under the summary rule but the error proportion's). */
  tests: MetricTest[];
}

/** Settings of {@link compareRuns}. */
export interface CompareOptions {
  /** Significance level of each test, after adjustment. Default 0.05. */
  alpha?: number;
  /** Confidence of the bootstrap and proportion intervals. Default 0.95. */
  confidence?: number;
  /** Bootstrap resamples per run and metric. Default 2000. */
  resamples?: number;
  /** Seed of the resampling: the same seed gives the same intervals. Default {@link DEFAULT_COMPARISON_SEED}. */
  seed?: number;
  /** Multiple-testing adjustment across every test of the comparison. Default `holm`. */
  adjustment?: 'holm' | 'none';
  /** Ratio margin of the summary rule (see summary-rule). Default 0.25. */
  summaryMargin?: number;
}

/** The settings a comparison ran with, all defaults filled in. */
export type ResolvedCompareOptions = Required<CompareOptions>;

/** Everything {@link compareRuns} concluded. */
export interface RunComparison {
  base_run_id: string | null;
  new_run_id: string | null;
  options: ResolvedCompareOptions;
  /** Groups in both runs, in BASE's order. */
  groups: GroupComparison[];
  /** Groups present in only one run: listed, not compared. */
  unmatched: { base_only: GroupKey[]; new_only: GroupKey[] };
}

/** A run as the comparison takes it: per-request samples (full method) or its summary (summary rule). */
export type ComparisonInput = RunSamples | RunSummary;

export const DEFAULT_COMPARISON_SEED = 0x5eed;

/** Least per-request values each run needs for a bootstrap interval and a test. */
export const MIN_TESTED_SAMPLES = 2;

const DEFAULTS: ResolvedCompareOptions = {
  alpha: 0.05,
  confidence: 0.95,
  resamples: 2000,
  seed: DEFAULT_COMPARISON_SEED,
  adjustment: 'holm',
  summaryMargin: SUMMARY_RULE_MARGIN,
};

/**
 * Compares NEW with BASE, group by group (matched by provider/model/scenario). With
 * per-request samples on both sides each distribution gets a seeded percentile bootstrap
 * interval of NEW − BASE per statistic and a Mann–Whitney test; the error proportion gets
 * Fisher's exact test and Newcombe's interval; throughput, a single number per run, gets the
 * summary rule. A row is worse or better only when its interval excludes 0 on that side AND
 * its metric's test, Holm-adjusted across the whole comparison, is below alpha in the same
 * direction. Pure: no I/O, deterministic for a seed.
 */
export function compareRuns(
  base: ComparisonInput,
  next: ComparisonInput,
  options: CompareOptions = {},
): RunComparison {
  const resolved = resolveOptions(options);
  const baseGroups = viewsOf(base, 'base');
  const nextGroups = viewsOf(next, 'new');
  const nextByKey = new Map(nextGroups.map((view) => [keyOf(view), view]));
  const baseKeys = new Set(baseGroups.map(keyOf));
  const pending: PendingGroup[] = [];
  for (const baseView of baseGroups) {
    const nextView = nextByKey.get(keyOf(baseView));
    if (nextView !== undefined) pending.push(compareGroup(baseView, nextView, resolved));
  }
  applyAdjustment(pending, resolved);
  return {
    base_run_id: runIdOf(base),
    new_run_id: runIdOf(next),
    options: resolved,
    groups: pending.map((group) => group.comparison),
    unmatched: {
      base_only: baseGroups.filter((view) => !nextByKey.has(keyOf(view))).map(groupKeyOf),
      new_only: nextGroups.filter((view) => !baseKeys.has(keyOf(view))).map(groupKeyOf),
    },
  };
}

function resolveOptions(options: CompareOptions): ResolvedCompareOptions {
  const resolved = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  const invalid = (what: string): ComparisonError =>
    new ComparisonError('LENS_COMPARISON_OPTION_INVALID', `compareRuns: ${what}`);
  if (!(resolved.alpha > 0 && resolved.alpha < 1)) {
    throw invalid(
      `alpha ${resolved.alpha} is not a level between 0 and 1 (exclusive); the default is 0.05`,
    );
  }
  if (!(resolved.confidence > 0 && resolved.confidence < 1)) {
    throw invalid(
      `confidence ${resolved.confidence} is not between 0 and 1 (exclusive); the default is 0.95`,
    );
  }
  if (!Number.isInteger(resolved.resamples) || resolved.resamples < 100) {
    throw invalid(
      `resamples ${resolved.resamples} must be a whole number of at least 100; the default is 2000`,
    );
  }
  if (!Number.isInteger(resolved.seed)) {
    throw invalid(`seed ${resolved.seed} must be an integer`);
  }
  if (resolved.adjustment !== 'holm' && resolved.adjustment !== 'none') {
    throw invalid(`adjustment ${JSON.stringify(resolved.adjustment)} must be "holm" or "none"`);
  }
  if (!(resolved.summaryMargin > 0 && Number.isFinite(resolved.summaryMargin))) {
    throw invalid(`summaryMargin ${resolved.summaryMargin} must be a positive ratio such as 0.25`);
  }
  return resolved;
}

/** The metrics resampled per request: the compared distributions and the cost. */
type ResampledMetric = ComparedDistribution | 'cost_per_request_usd';
const RESAMPLED_METRICS: readonly ResampledMetric[] = [
  ...COMPARED_DISTRIBUTIONS,
  'cost_per_request_usd',
];

/** A group of either input, with what the summary rule reads precomputed. */
interface GroupView extends GroupKey {
  samples: GroupSamples | null;
  /** Per metric, the samples arranged for resampling; null for a summary. */
  layouts: Record<ResampledMetric, ResamplingLayout> | null;
  distributions: Record<ComparedDistribution, DistributionView | null>;
  cost: { count: number; mean: number } | null;
  requests: { total: number; failed: number };
  throughput: { requests_per_s: number; output_tokens_per_s: number };
}

function viewsOf(input: ComparisonInput, side: 'base' | 'new'): GroupView[] {
  if (isRunSamples(input)) return input.groups.map(viewOfSamples);
  if (Array.isArray((input as RunSummary | undefined)?.groups)) {
    return (input as RunSummary).groups.map(viewOfSummary);
  }
  throw new ComparisonError(
    'LENS_COMPARISON_INPUT_INVALID',
    `compareRuns: the ${side === 'base' ? 'BASE' : 'NEW'} run is neither a RunSamples (from collectRunSamples().finish()) nor a RunSummary with a groups array`,
  );
}

function isRunSamples(input: ComparisonInput): input is RunSamples {
  return (input as RunSamples | undefined)?.kind === 'llm-lens-run-samples';
}

function runIdOf(input: ComparisonInput): string | null {
  return isRunSamples(input) ? input.run_id : (input.run?.run_id ?? null);
}

function keyOf(key: GroupKey): string {
  return JSON.stringify([key.provider, key.model, key.scenario]);
}

function groupKeyOf(view: GroupKey): GroupKey {
  return { provider: view.provider, model: view.model, scenario: view.scenario };
}

function viewOfSummary(group: GroupSummary): GroupView {
  const view = (summary: DistributionSummary | null | undefined): DistributionView | null =>
    summary == null
      ? null
      : {
          count: summary.count,
          mean: summary.mean,
          p50: summary.p50,
          p90: summary.p90,
          p95: summary.p95,
          p99: summary.p99,
        };
  return {
    ...groupKeyOf(group),
    samples: null,
    layouts: null,
    distributions: {
      ttft: view(group.ttft),
      itl: view(group.itl),
      tpot: view(group.tpot),
      e2e: view(group.e2e),
      output_tokens_per_s: view(group.output_tokens_per_s),
    },
    cost:
      group.cost == null
        ? null
        : { count: group.cost.priced_requests, mean: group.cost.per_request_usd },
    requests: { total: group.requests.total, failed: group.requests.failed },
    throughput: {
      requests_per_s: group.throughput.requests_per_s,
      output_tokens_per_s: group.throughput.output_tokens_per_s,
    },
  };
}

function viewOfSamples(group: GroupSamples): GroupView {
  const requests = group.ttft_ms.length;
  const aligned = [group.tpot_ms, group.e2e_ms, group.output_tokens_per_s, group.cost_usd].every(
    (values) => values.length === requests,
  );
  if (!aligned || group.itl.request_offsets.length !== requests + 1) {
    throw new ComparisonError(
      'LENS_COMPARISON_INPUT_INVALID',
      `compareRuns: the samples of ${group.provider} / ${group.model} / ${group.scenario} are not aligned: ttft_ms, tpot_ms, e2e_ms, output_tokens_per_s and cost_usd need one value per succeeded request (NaN where absent) and itl.request_offsets one more; build them with collectRunSamples()`,
    );
  }
  const layouts: Record<ResampledMetric, ResamplingLayout> = {
    ttft: layoutOfRequestValues(group.ttft_ms),
    itl: layoutOfItl(group.itl),
    tpot: layoutOfRequestValues(group.tpot_ms),
    e2e: layoutOfRequestValues(group.e2e_ms),
    output_tokens_per_s: layoutOfRequestValues(group.output_tokens_per_s),
    cost_per_request_usd: layoutOfRequestValues(group.cost_usd),
  };
  const view = (layout: ResamplingLayout): DistributionView | null =>
    layout.samples === 0 ? null : { count: layout.samples, ...pointStatistics(layout) };
  const cost = layouts.cost_per_request_usd;
  return {
    ...groupKeyOf(group),
    samples: group,
    layouts,
    distributions: {
      ttft: view(layouts.ttft),
      itl: view(layouts.itl),
      tpot: view(layouts.tpot),
      e2e: view(layouts.e2e),
      output_tokens_per_s: view(layouts.output_tokens_per_s),
    },
    cost: cost.samples === 0 ? null : { count: cost.samples, mean: pointStatistics(cost).mean },
    requests: { total: group.requests.total, failed: group.requests.failed },
    throughput: {
      requests_per_s: group.throughput.requests_per_s,
      output_tokens_per_s: group.throughput.output_tokens_per_s,
    },
  };
}

/** A group's rows before the adjustment across the comparison decides the tested verdicts. */
interface PendingGroup {
  comparison: GroupComparison;
  /** Rows decided by a test, each with its metric's test and, for bootstrap rows, the direction to agree with. */
  tested: Array<{ row: ComparisonRow; test: MetricTest }>;
}

function compareGroup(
  base: GroupView,
  next: GroupView,
  options: ResolvedCompareOptions,
): PendingGroup {
  const hasSamples = base.samples !== null && next.samples !== null;
  const comparison: GroupComparison = {
    ...groupKeyOf(base),
    method: hasSamples ? 'bootstrap+mann-whitney' : 'summary-rule',
    rows: [],
    tests: [],
  };
  const pending: PendingGroup = { comparison, tested: [] };
  if (hasSamples) {
    const key = keyOf(base);
    const resample = (view: GroupView, side: 'base' | 'new'): BootstrapReplicates[] =>
      bootstrapLayouts(
        RESAMPLED_METRICS.map((metric) => view.layouts![metric]),
        view.layouts!.ttft.requestWeights.length,
        options.resamples,
        new BootstrapRandom(streamSeed(options.seed, key, side)),
      );
    const baseBoot = resample(base, 'base');
    const nextBoot = resample(next, 'new');
    RESAMPLED_METRICS.forEach((metric, index) => {
      testResampled(pending, metric, base, next, baseBoot[index]!, nextBoot[index]!, options);
    });
  } else {
    for (const metric of COMPARED_DISTRIBUTIONS) {
      ruleDistribution(
        pending,
        metric,
        base.distributions[metric],
        next.distributions[metric],
        options,
      );
    }
    ruleCost(pending, base, next, options);
  }
  testErrorRate(pending, base, next, options);
  for (const statistic of ['requests_per_s', 'output_tokens_per_s'] as const) {
    const row = emptyRow('throughput', statistic, 'summary-rule');
    fillValues(row, base.throughput[statistic], next.throughput[statistic]);
    applyRule(
      row,
      judgeRatio(base.throughput[statistic], next.throughput[statistic], options.summaryMargin),
    );
    comparison.rows.push(row);
  }
  return pending;
}

function emptyRow(metric: ComparisonMetric, statistic: string, method: RowMethod): ComparisonRow {
  return {
    metric,
    statistic,
    unit: unitOf(metric, statistic),
    base: null,
    new: null,
    delta: null,
    delta_pct: null,
    ci_low: null,
    ci_high: null,
    p_value: null,
    p_adjusted: null,
    verdict: 'no_change',
    method,
    base_count: 0,
    new_count: 0,
    note: null,
  };
}

function fillValues(row: ComparisonRow, base: number | null, next: number | null): void {
  row.base = base;
  row.new = next;
  if (base !== null && next !== null) {
    row.delta = next - base;
    row.delta_pct = base === 0 ? null : ((next - base) / Math.abs(base)) * 100;
  }
}

/** The summary rule's outcome as a verdict, by the metric's direction. */
function applyRule(row: ComparisonRow, outcome: SummaryRuleOutcome): void {
  if (outcome.moved === 'none') {
    row.note = outcome.note;
    return;
  }
  const higherBetter = isHigherBetter(row.metric);
  row.verdict = (outcome.moved === 'higher') === higherBetter ? 'better' : 'worse';
}

function ruleDistribution(
  pending: PendingGroup,
  metric: ComparedDistribution,
  base: DistributionView | null,
  next: DistributionView | null,
  options: ResolvedCompareOptions,
): void {
  if (base === null && next === null) return;
  for (const statistic of DISTRIBUTION_STATISTICS) {
    const row = emptyRow(metric, statistic, 'summary-rule');
    fillValues(row, base?.[statistic] ?? null, next?.[statistic] ?? null);
    row.base_count = base?.count ?? 0;
    row.new_count = next?.count ?? 0;
    if (base !== null && next !== null) {
      applyRule(row, judgeDistributionStatistic(base, next, statistic, options.summaryMargin));
    } else {
      row.note = `no ${metric} samples in ${base === null ? 'BASE' : 'NEW'}`;
    }
    pending.comparison.rows.push(row);
  }
}

function ruleCost(
  pending: PendingGroup,
  base: GroupView,
  next: GroupView,
  options: ResolvedCompareOptions,
): void {
  if (base.cost === null && next.cost === null) return;
  const row = emptyRow('cost_per_request_usd', 'mean', 'summary-rule');
  fillValues(row, base.cost?.mean ?? null, next.cost?.mean ?? null);
  row.base_count = base.cost?.count ?? 0;
  row.new_count = next.cost?.count ?? 0;
  if (base.cost === null || next.cost === null) {
    row.note = `cost unknown in ${base.cost === null ? 'BASE' : 'NEW'}`;
  } else if (Math.min(base.cost.count, next.cost.count) < SUMMARY_RULE_MIN_SAMPLES) {
    row.note = `summary rule needs ${SUMMARY_RULE_MIN_SAMPLES} priced requests per run`;
  } else {
    applyRule(row, judgeRatio(base.cost.mean, next.cost.mean, options.summaryMargin));
  }
  pending.comparison.rows.push(row);
}

/**
 * The rows of one resampled metric: an interval per statistic from the two runs'
 * resamples, and the metric's Mann–Whitney test. ITL is tested on one value per request
 * (its mean per-token gap): requests, not tokens, are the independent units, as in the
 * cluster bootstrap.
 */
function testResampled(
  pending: PendingGroup,
  metric: ResampledMetric,
  base: GroupView,
  next: GroupView,
  baseBoot: BootstrapReplicates,
  nextBoot: BootstrapReplicates,
  options: ResolvedCompareOptions,
): void {
  const baseLayout = base.layouts![metric];
  const nextLayout = next.layouts![metric];
  if (baseLayout.samples === 0 && nextLayout.samples === 0) return;
  const testedValues = (view: GroupView): Float64Array =>
    metric === 'itl' ? testedItl(view.samples!.itl) : view.layouts![metric].values;
  const baseValues = testedValues(base);
  const nextValues = testedValues(next);
  const enough = baseValues.length >= MIN_TESTED_SAMPLES && nextValues.length >= MIN_TESTED_SAMPLES;
  let test: MetricTest | null = null;
  if (enough) {
    test = metricTest(metric, mannWhitney(baseValues, nextValues));
    pending.comparison.tests.push(test);
  }
  const statistics =
    metric === 'cost_per_request_usd' ? (['mean'] as const) : DISTRIBUTION_STATISTICS;
  for (const statistic of statistics) {
    const row = emptyRow(metric, statistic, 'bootstrap+mann-whitney');
    fillValues(
      row,
      baseLayout.samples === 0 ? null : baseBoot.point[statistic],
      nextLayout.samples === 0 ? null : nextBoot.point[statistic],
    );
    row.base_count = baseLayout.samples;
    row.new_count = nextLayout.samples;
    if (test !== null) {
      const interval = differenceInterval(
        baseBoot.replicates[statistic],
        nextBoot.replicates[statistic],
        options.confidence,
      );
      row.ci_low = interval.low;
      row.ci_high = interval.high;
      row.p_value = test.p_value;
      pending.tested.push({ row, test });
    } else {
      row.note = `needs ${MIN_TESTED_SAMPLES} requests with ${metric} in each run`;
    }
    pending.comparison.rows.push(row);
  }
}

/** Per-request mean ITL of the requests that have one, sorted. */
function testedItl(itl: ItlSamples): Float64Array {
  const means = perRequestMeanItl(itl).filter((value) => !Number.isNaN(value));
  return means.sort();
}

function testErrorRate(
  pending: PendingGroup,
  base: GroupView,
  next: GroupView,
  options: ResolvedCompareOptions,
): void {
  const row = emptyRow('error_rate', 'value', 'fisher+newcombe');
  row.base_count = base.requests.total;
  row.new_count = next.requests.total;
  if (base.requests.total === 0 || next.requests.total === 0) {
    row.note = 'no measured requests in one run';
    pending.comparison.rows.push(row);
    return;
  }
  const result = compareProportions(base.requests, next.requests, options.confidence);
  fillValues(row, result.base_rate, result.new_rate);
  row.ci_low = result.ci_low;
  row.ci_high = result.ci_high;
  row.p_value = result.p_value;
  const test: MetricTest = {
    metric: 'error_rate',
    test: 'fisher-exact',
    u: null,
    z: null,
    p_value: result.p_value,
    p_adjusted: result.p_value,
    direction: result.delta > 0 ? 'new_larger' : result.delta < 0 ? 'new_smaller' : 'equal',
    verdict: 'no_change',
  };
  pending.comparison.tests.push(test);
  pending.tested.push({ row, test });
  pending.comparison.rows.push(row);
}

function metricTest(metric: ComparisonMetric, result: MannWhitneyResult): MetricTest {
  return {
    metric,
    test: 'mann-whitney',
    u: result.u,
    z: result.z,
    p_value: result.p_value,
    p_adjusted: result.p_value,
    direction: result.direction,
    verdict: 'no_change',
  };
}

/** Each succeeded request's token-weighted mean ITL, ms; NaN for a request without ITL samples. */
export function perRequestMeanItl(itl: ItlSamples): Float64Array {
  const requests = itl.request_offsets.length - 1;
  const means = new Float64Array(requests);
  for (let r = 0; r < requests; r++) {
    let tokens = 0;
    let sum = 0;
    for (let e = itl.request_offsets[r]!; e < itl.request_offsets[r + 1]!; e++) {
      tokens += itl.counts[e]!;
      sum += itl.counts[e]! * itl.values_ms[e]!;
    }
    means[r] = sum / tokens;
  }
  return means;
}

/** Which way a metric moved, as a verdict by its direction. */
function directionVerdict(
  metric: ComparisonMetric,
  direction: 'new_larger' | 'new_smaller' | 'equal',
): Verdict {
  if (direction === 'equal') return 'no_change';
  return (direction === 'new_larger') === isHigherBetter(metric) ? 'better' : 'worse';
}

/**
 * Adjusts every test's p-value across the comparison, then decides each tested row: worse or
 * better needs the adjusted p below alpha, the test's direction and the interval excluding 0
 * on the same side.
 */
function applyAdjustment(groups: PendingGroup[], options: ResolvedCompareOptions): void {
  const tests = groups.flatMap((group) => group.comparison.tests);
  const adjusted =
    options.adjustment === 'holm'
      ? holmAdjust(tests.map((t) => t.p_value))
      : tests.map((t) => t.p_value);
  tests.forEach((test, index) => {
    test.p_adjusted = adjusted[index]!;
    test.verdict =
      test.p_adjusted < options.alpha ? directionVerdict(test.metric, test.direction) : 'no_change';
  });
  for (const group of groups) {
    for (const { row, test } of group.tested) {
      row.p_adjusted = test.p_adjusted;
      if (test.verdict === 'no_change' || row.ci_low === null || row.ci_high === null) continue;
      const side: 'new_larger' | 'new_smaller' | null =
        row.ci_low > 0 ? 'new_larger' : row.ci_high < 0 ? 'new_smaller' : null;
      if (side !== null && side === test.direction)
        row.verdict = directionVerdict(row.metric, side);
    }
  }
}
