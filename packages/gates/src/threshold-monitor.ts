import type { RequestRecord } from '@llm-lens/core-timing';
import {
  type DistributionSummary,
  LATENCY_METRICS,
  LatencyHistogram,
  type LatencyMetric,
  type MetricName,
  RateHistogram,
  type RateMetric,
  type TokenTotals,
} from '@llm-lens/metrics';
import { GatesError } from './gates-error.js';
import { addLatencySamples, addRateSample, PER_EVENT_DISTRIBUTIONS } from './record-samples.js';
import {
  compare,
  formatLimit,
  formatValue,
  groupLabel,
  inScope,
  isUpperLimit,
  type Threshold,
} from './threshold.js';
import { judgeGroup, resultOf, type ThresholdResult } from './threshold-evaluation.js';
import {
  type DistributionStatistic,
  type MetricSource,
  round3,
  roundUsd,
} from './threshold-metrics.js';

/** Samples a group needs before a currently failing threshold counts as failed. */
export const DEFAULT_MONITOR_MIN_SAMPLES = 100;

export interface ThresholdMonitorOptions {
  /**
   * Samples (requests for rates and cost) a group must have before a threshold that fails
   * on its current value is reported, when the plan cannot prove it lost. Default 100.
   */
  minSamples?: number;
}

/** A threshold that can no longer pass in one group, and why (plain JSON). */
export interface ThresholdBreach {
  threshold: string;
  origin: string;
  metric: string;
  provider: string;
  model: string;
  scenario: string;
  /** The metric's value now. */
  value: number | null;
  /** `impossible`: no outcome of the requests still planned can make it pass; `min_samples`: it fails now, with at least `minSamples` samples. */
  rule: 'impossible' | 'min_samples';
  /** With `impossible`: the best value the group can still end with. */
  bestPossible: number | null;
  limit: number;
  /** Samples the value is computed from. */
  samples: number;
  message: string;
}

/** Whether the monitor can judge a threshold while the run goes (throughput and goodput wait for the end). */
export function isLiveThreshold(threshold: Pick<Threshold, 'source'>): boolean {
  const kind = threshold.source.kind;
  return kind !== 'throughput' && kind !== 'goodput_fraction' && kind !== 'goodput_requests_per_s';
}

const PERCENTILE_OF: Partial<Record<DistributionStatistic, number>> = {
  min: 0,
  p50: 50,
  p75: 75,
  p90: 90,
  p95: 95,
  p99: 99,
  p999: 99.9,
  max: 100,
};

const LATENCY_NAMES: ReadonlySet<string> = new Set(LATENCY_METRICS);

// Stand-ins for "as fast as possible" and "as slow as possible" of a request still to come:
// 0, and a value far above anything measured yet within what a histogram records as itself.
const LOWEST_NS = 0;
const HIGHEST_NS = 1e15;
const LOWEST_RATE = 0;
const HIGHEST_RATE = 1e9;
// hdr caps one call's count; pad in chunks below it.
const PAD_CHUNK = 2 ** 19;

type LiveHistogram = LatencyHistogram | RateHistogram;

class LiveGroup {
  total = 0;
  succeeded = 0;
  failed = 0;
  warmup = 0;
  readonly tokens: TokenTotals = { input: 0, output: 0, reasoning: 0, cached_input: 0 };
  costUsd = 0;
  pricedRequests = 0;
  planned: number | null = null;
  readonly histograms = new Map<MetricName, LiveHistogram>();

  constructor(
    readonly provider: string,
    readonly model: string,
    readonly scenario: string,
    distributions: ReadonlySet<MetricName>,
  ) {
    for (const name of distributions) {
      this.histograms.set(
        name,
        LATENCY_NAMES.has(name) ? new LatencyHistogram() : new RateHistogram(),
      );
    }
  }

  addTokens(field: keyof TokenTotals, value: number | undefined): void {
    if (value === undefined) return;
    const total = this.tokens[field] + value;
    if (value >= 0 && Number.isFinite(total)) this.tokens[field] = total;
  }

  /** Requests that can still finish: planned − finished, or null when the plan is unknown. */
  remaining(): number | null {
    return this.planned !== null && this.planned >= this.total ? this.planned - this.total : null;
  }
}

/**
 * Watches a run's records as they finish and says which thresholds can no longer pass
 * (`--abort-on-fail`). It counts records as the Aggregator does (warm-up and cool-down
 * records, and attempts another followed, are left out). A threshold is reported either
 * when the planned request count makes passing impossible, or when it fails on at least
 * `minSamples` samples. Only thresholds computable from records are watched (see
 * {@link isLiveThreshold}); the others are judged at the end.
 */
export class ThresholdMonitor {
  /** The thresholds this monitor watches. */
  readonly live: readonly Threshold[];
  /** The thresholds it does not (judge them on the summary at the end). */
  readonly endOnly: readonly Threshold[];
  readonly minSamples: number;
  private readonly groups = new Map<string, LiveGroup>();
  private readonly distributions: ReadonlySet<MetricName>;

  constructor(thresholds: readonly Threshold[], options: ThresholdMonitorOptions = {}) {
    const minSamples = options.minSamples ?? DEFAULT_MONITOR_MIN_SAMPLES;
    if (!Number.isInteger(minSamples) || minSamples < 1) {
      throw new GatesError(
        'LENS_GATES_VALUE_INVALID',
        `ThresholdMonitor: minSamples must be a whole number ≥ 1, got ${String(minSamples)}`,
      );
    }
    this.minSamples = minSamples;
    this.live = thresholds.filter(isLiveThreshold);
    this.endOnly = thresholds.filter((threshold) => !isLiveThreshold(threshold));
    const distributions = new Set<MetricName>();
    for (const threshold of this.live) {
      if (threshold.source.kind === 'distribution')
        distributions.add(threshold.source.distribution);
    }
    this.distributions = distributions;
  }

  /** How many measured requests the plan asks of a group; null when unknown (a duration). */
  notePlanned(provider: string, model: string, scenario: string, planned: number | null): void {
    if (planned !== null && !(Number.isInteger(planned) && planned >= 0)) {
      throw new GatesError(
        'LENS_GATES_VALUE_INVALID',
        `ThresholdMonitor.notePlanned: planned requests of ${groupLabel({ provider, model, scenario })} must be a whole number ≥ 0 or null, got ${String(planned)}`,
      );
    }
    this.group(provider, model, scenario).planned = planned;
  }

  /** Counts one finished record, by the Aggregator's rules. */
  add(record: RequestRecord): void {
    const group = this.group(record.provider, record.model, record.scenario);
    if (record.isWarmup || record.isCooldown === true) {
      if (record.isWarmup) group.warmup += 1;
      return;
    }
    if (record.attempt !== undefined && record.isRetried === true) return;
    group.total += 1;
    if (record.scheduleLagNs !== undefined) {
      const lag = group.histograms.get('schedule_lag') as LatencyHistogram | undefined;
      lag?.recordNs(record.scheduleLagNs);
    }
    if (record.status !== 'ok') {
      group.failed += 1;
      return;
    }
    group.succeeded += 1;
    for (const [name, histogram] of group.histograms) {
      if (LATENCY_NAMES.has(name)) {
        addLatencySamples(name as LatencyMetric, record, histogram as LatencyHistogram);
      } else {
        addRateSample(name as RateMetric, record, histogram as RateHistogram);
      }
    }
    group.addTokens('input', record.inputTokens);
    group.addTokens('output', record.outputTokens);
    group.addTokens('reasoning', record.reasoningTokens);
    group.addTokens('cached_input', record.cachedInputTokens);
    const cost = record.costUsd;
    if (cost !== undefined && cost >= 0 && Number.isFinite(group.costUsd + cost)) {
      group.costUsd += cost;
      group.pricedRequests += 1;
    }
  }

  /** The thresholds that can no longer pass, one entry per threshold × group; empty while all can. */
  check(): ThresholdBreach[] {
    const breaches: ThresholdBreach[] = [];
    for (const threshold of this.live) {
      for (const group of this.groups.values()) {
        if (!inScope(threshold.scope, group)) continue;
        const breach = this.breachOf(threshold, group);
        if (breach !== null) breaches.push(breach);
      }
    }
    return breaches;
  }

  /** The watched thresholds judged on the records so far, as `evaluateThresholds` judges a summary. */
  results(): ThresholdResult[] {
    return this.live.map((threshold) => {
      const groups = [...this.groups.values()]
        .filter((group) => inScope(threshold.scope, group))
        .map((group) => judgeGroup(threshold, group, currentValue(group, threshold.source)));
      return resultOf(threshold, groups);
    });
  }

  private breachOf(threshold: Threshold, group: LiveGroup): ThresholdBreach | null {
    const value = currentValue(group, threshold.source);
    // The best reachable value is never worse than the current one: a passing value is safe.
    if (value === null || compare(value, threshold.operator, threshold.limit)) return null;
    const samples = sampleCount(group, threshold.source);
    const base = {
      threshold: threshold.expression,
      origin: threshold.origin,
      metric: threshold.metric,
      provider: group.provider,
      model: group.model,
      scenario: group.scenario,
      value,
      limit: threshold.limit,
      samples,
    };
    const label = groupLabel(group);
    const now = formatValue(value, threshold.unit);
    const best = bestPossible(group, threshold);
    if (best !== null && !compare(best, threshold.operator, threshold.limit)) {
      const remaining = group.remaining();
      const future =
        remaining === null || remaining === 0
          ? 'and cannot get better'
          : `and at best ${formatValue(best, threshold.unit)} whatever the ${remaining} of ${group.planned} planned requests still to come measure`;
      return {
        ...base,
        rule: 'impossible',
        bestPossible: best,
        message: `${threshold.expression} cannot pass for ${label}: ${threshold.metric} is ${now} ${future} (limit ${formatLimit(threshold)})`,
      };
    }
    if (isMonotoneTotal(threshold.source) || samples < this.minSamples) return null;
    return {
      ...base,
      rule: 'min_samples',
      bestPossible: null,
      message: `${threshold.expression} is failing for ${label}: ${threshold.metric} = ${now} over ${samples} samples (limit ${formatLimit(threshold)}; judged from ${this.minSamples} samples on)`,
    };
  }

  private group(provider: string, model: string, scenario: string): LiveGroup {
    const key = JSON.stringify([provider, model, scenario]);
    let group = this.groups.get(key);
    if (group === undefined) {
      group = new LiveGroup(provider, model, scenario, this.distributions);
      this.groups.set(key, group);
    }
    return group;
  }
}

/** Counts and totals only grow: their current value is a bound, not an estimate. */
function isMonotoneTotal(source: MetricSource): boolean {
  return (
    source.kind === 'requests' ||
    source.kind === 'tokens' ||
    source.kind === 'cost_total' ||
    (source.kind === 'distribution' && source.statistic === 'count')
  );
}

function sampleCount(group: LiveGroup, source: MetricSource): number {
  switch (source.kind) {
    case 'distribution':
      return group.histograms.get(source.distribution)?.count ?? 0;
    case 'cost_per_request':
    case 'cost_total':
      return group.pricedRequests;
    default:
      return group.total;
  }
}

/** The metric's value now, computed as the Aggregator's summary would. */
function currentValue(group: LiveGroup, source: MetricSource): number | null {
  const { total, succeeded, failed } = group;
  switch (source.kind) {
    case 'distribution': {
      const histogram = group.histograms.get(source.distribution);
      if (histogram === undefined) return null;
      return statisticOf(histogram, source.statistic);
    }
    case 'success_rate':
      return total > 0 ? round3(succeeded / total) : null;
    case 'error_rate':
      return total > 0 ? round3(failed / total) : null;
    case 'requests':
      return source.field === 'total'
        ? total
        : source.field === 'succeeded'
          ? succeeded
          : source.field === 'failed'
            ? failed
            : group.warmup;
    case 'tokens':
      return group.tokens[source.field];
    case 'cost_per_request':
      return group.pricedRequests > 0 ? roundUsd(group.costUsd / group.pricedRequests) : null;
    case 'cost_total':
      return group.pricedRequests > 0 ? roundUsd(group.costUsd) : null;
    default:
      return null;
  }
}

function statisticOf(histogram: LiveHistogram, statistic: DistributionStatistic): number | null {
  if (statistic === 'count') return histogram.count;
  const percentile = PERCENTILE_OF[statistic];
  if (percentile !== undefined) return histogram.percentile(percentile);
  const summary: DistributionSummary | null = histogram.summary();
  return summary === null ? null : summary[statistic];
}

/**
 * The best value the metric can end with in this group, whatever the requests still
 * planned measure, or null when nothing bounds it (no plan, per-event samples, stdev). Every
 * request adds at most one sample to a per-request distribution, so the best end is the
 * current samples plus one per remaining request at the best extreme (0 for an upper limit,
 * the ceiling for a lower one): a percentile, mean, min or max only gets worse with fewer or
 * worse samples.
 */
function bestPossible(group: LiveGroup, threshold: Threshold): number | null {
  const source = threshold.source;
  const upper = isUpperLimit(threshold.operator);
  const remaining = group.remaining();
  const { total, succeeded, failed } = group;
  switch (source.kind) {
    case 'success_rate':
    case 'error_rate': {
      if (remaining === null || total + remaining === 0) return null;
      const count = source.kind === 'success_rate' ? succeeded : failed;
      // Lowest reachable: every remaining request goes the other way; highest: this way.
      return round3((upper ? count : count + remaining) / (total + remaining));
    }
    case 'requests':
    case 'tokens':
    case 'cost_total': {
      const now = currentValue(group, source);
      if (upper) return now;
      if (remaining === null || source.kind !== 'requests' || source.field === 'warmup') {
        return null;
      }
      return (now ?? 0) + remaining;
    }
    case 'cost_per_request': {
      if (!upper || remaining === null || group.pricedRequests + remaining === 0) return null;
      return roundUsd(group.costUsd / (group.pricedRequests + remaining));
    }
    case 'distribution':
      return bestDistributionValue(group, source, upper, remaining);
    default:
      return null;
  }
}

function bestDistributionValue(
  group: LiveGroup,
  source: Extract<MetricSource, { kind: 'distribution' }>,
  upper: boolean,
  remaining: number | null,
): number | null {
  const histogram = group.histograms.get(source.distribution);
  if (histogram === undefined) return null;
  const { statistic } = source;
  const bounded = remaining !== null && !PER_EVENT_DISTRIBUTIONS.has(source.distribution);
  if (statistic === 'count') {
    if (upper) return histogram.count;
    return bounded ? histogram.count + remaining : null;
  }
  // The max only grows and the min only falls, plan or no plan.
  if ((statistic === 'max' && upper) || (statistic === 'min' && !upper)) {
    return statisticOf(histogram, statistic);
  }
  if (!bounded || statistic === 'stdev') return null;
  if (remaining === 0) return statisticOf(histogram, statistic);
  return statisticOf(padded(histogram, remaining, upper), statistic);
}

/** A copy of the histogram with `count` more samples at the best extreme. */
function padded(histogram: LiveHistogram, count: number, upper: boolean): LiveHistogram {
  if (histogram instanceof LatencyHistogram) {
    const copy = new LatencyHistogram();
    for (let left = count; left > 0; left -= PAD_CHUNK) {
      copy.recordNs(upper ? LOWEST_NS : HIGHEST_NS, Math.min(left, PAD_CHUNK));
    }
    copy.merge(histogram);
    return copy;
  }
  const copy = new RateHistogram();
  for (let left = count; left > 0; left -= PAD_CHUNK) {
    copy.record(upper ? LOWEST_RATE : HIGHEST_RATE, Math.min(left, PAD_CHUNK));
  }
  copy.merge(histogram);
  return copy;
}
