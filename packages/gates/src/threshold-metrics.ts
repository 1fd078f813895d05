// The names a threshold can test: every statistic of every group distribution, and the
// group's scalars. Derived from the metric lists of @llm-lens/metrics, so a distribution
// added there is a threshold metric here without an edit.
import {
  DISTRIBUTION_STATISTICS,
  type GroupSummary,
  LATENCY_METRICS,
  type MetricName,
  RATE_METRICS,
  type TokenTotals,
} from '@llm-lens/metrics';

export type DistributionStatistic = (typeof DISTRIBUTION_STATISTICS)[number];

/** The unit a metric's values (and so a threshold's limit) are in. */
export type MetricUnit = 'ms' | 'tokens/s' | 'count' | 'ratio' | 'requests/s' | 'usd' | 'tokens';

/** Where a metric's value comes from in a GroupSummary (plain JSON). */
export type MetricSource =
  | { kind: 'distribution'; distribution: MetricName; statistic: DistributionStatistic }
  | { kind: 'success_rate' }
  | { kind: 'error_rate' }
  | { kind: 'requests'; field: 'total' | 'succeeded' | 'failed' | 'warmup' }
  | { kind: 'tokens'; field: keyof TokenTotals }
  | { kind: 'cost_per_request' }
  | { kind: 'cost_total' }
  | { kind: 'throughput'; field: 'requests_per_s' | 'output_tokens_per_s' }
  | { kind: 'goodput_fraction' }
  | { kind: 'goodput_requests_per_s' };

/** One metric a threshold can name. */
export interface ThresholdMetric {
  name: string;
  unit: MetricUnit;
  source: MetricSource;
}

const LATENCY_NAMES: ReadonlySet<string> = new Set(LATENCY_METRICS);

/** The scalar (non-distribution) metrics, in the order the help lists them. */
const SCALAR_METRICS: readonly ThresholdMetric[] = [
  { name: 'success_rate', unit: 'ratio', source: { kind: 'success_rate' } },
  { name: 'error_rate', unit: 'ratio', source: { kind: 'error_rate' } },
  ...(['total', 'succeeded', 'failed', 'warmup'] as const).map(
    (field): ThresholdMetric => ({
      name: `requests.${field}`,
      unit: 'count',
      source: { kind: 'requests', field },
    }),
  ),
  {
    name: 'throughput.requests_per_s',
    unit: 'requests/s',
    source: { kind: 'throughput', field: 'requests_per_s' },
  },
  {
    name: 'throughput.output_tokens_per_s',
    unit: 'tokens/s',
    source: { kind: 'throughput', field: 'output_tokens_per_s' },
  },
  { name: 'cost_per_request_usd', unit: 'usd', source: { kind: 'cost_per_request' } },
  { name: 'cost_total_usd', unit: 'usd', source: { kind: 'cost_total' } },
  { name: 'goodput_fraction', unit: 'ratio', source: { kind: 'goodput_fraction' } },
  {
    name: 'goodput_requests_per_s',
    unit: 'requests/s',
    source: { kind: 'goodput_requests_per_s' },
  },
  ...(['input', 'output', 'reasoning', 'cached_input'] as const).map(
    (field): ThresholdMetric => ({
      name: `tokens.${field}`,
      unit: 'tokens',
      source: { kind: 'tokens', field },
    }),
  ),
];

const DISTRIBUTION_METRICS: readonly ThresholdMetric[] = [
  ...LATENCY_METRICS,
  ...RATE_METRICS,
].flatMap((distribution) =>
  DISTRIBUTION_STATISTICS.map(
    (statistic): ThresholdMetric => ({
      name: `${distribution}.${statistic}`,
      unit: statistic === 'count' ? 'count' : LATENCY_NAMES.has(distribution) ? 'ms' : 'tokens/s',
      source: { kind: 'distribution', distribution, statistic },
    }),
  ),
);

/** Every metric a threshold can name: distributions × statistics, then the scalars. */
export const THRESHOLD_METRICS: readonly ThresholdMetric[] = [
  ...DISTRIBUTION_METRICS,
  ...SCALAR_METRICS,
];

const BY_NAME = new Map(THRESHOLD_METRICS.map((metric) => [metric.name, metric]));

/** The metric of that name, or undefined. */
export function thresholdMetric(name: string): ThresholdMetric | undefined {
  return BY_NAME.get(name);
}

/** Every valid name, for did-you-mean. */
export const THRESHOLD_METRIC_NAMES: readonly string[] = THRESHOLD_METRICS.map((m) => m.name);

/** The valid metric names, compactly: distributions × statistics once, then the scalars. */
export function describeThresholdMetrics(): string {
  return (
    `<distribution>.<statistic>, distribution one of ${[...LATENCY_METRICS].join(', ')} (ms) ` +
    `or ${[...RATE_METRICS].join(', ')} (tokens/s), statistic one of ` +
    `${DISTRIBUTION_STATISTICS.join(', ')}; or one of ${SCALAR_METRICS.map((m) => m.name).join(', ')}`
  );
}

/** Rounds to 3 decimals, the precision of every ratio in a GroupSummary. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Dollars to 1e-9, as the Aggregator rounds costs. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

/**
 * A metric's value in a group, in its unit; null when the group has none: a distribution
 * without samples (its `count` is then 0), rates of a group with no measured request, cost
 * without a price, throughput over an empty window, goodput without SLOs.
 */
export function readMetric(group: GroupSummary, source: MetricSource): number | null {
  const { total, failed } = group.requests;
  switch (source.kind) {
    case 'distribution': {
      const distribution = group[source.distribution];
      if (distribution === null || distribution === undefined) {
        return source.statistic === 'count' ? 0 : null;
      }
      return distribution[source.statistic];
    }
    case 'success_rate':
      return total > 0 ? group.success_rate : null;
    case 'error_rate':
      return total > 0 ? round3(failed / total) : null;
    case 'requests':
      return group.requests[source.field];
    case 'tokens':
      return group.tokens[source.field];
    case 'cost_per_request':
      return group.cost?.per_request_usd ?? null;
    case 'cost_total':
      return group.cost?.total_usd ?? null;
    case 'throughput':
      return group.throughput.window_s > 0 ? group.throughput[source.field] : null;
    case 'goodput_fraction':
      return group.goodput === null || total === 0 ? null : group.goodput.fraction;
    case 'goodput_requests_per_s':
      return group.goodput === null || group.throughput.window_s <= 0
        ? null
        : group.goodput.requests_per_s;
  }
}

/** Why a metric has no value in a group, in words. */
export function whyNoValue(source: MetricSource): string {
  switch (source.kind) {
    case 'distribution':
      return `${source.distribution} has no samples in this group`;
    case 'success_rate':
    case 'error_rate':
      return 'no measured request finished in this group';
    case 'cost_per_request':
    case 'cost_total':
      return 'cost unknown: no request of this group had a price (see --pricing)';
    case 'throughput':
      return 'the measured window is 0 s';
    case 'goodput_fraction':
    case 'goodput_requests_per_s':
      return 'goodput needs SLOs (--slo) and measured requests';
    case 'requests':
    case 'tokens':
      return 'no value';
  }
}
