import type { GroupSummary } from '@llm-lens/metrics';
import { HistoryError } from './history-error.js';

// The statistics copied out of each group's summary into columns of `run_groups`, so a trend
// is one indexed SQL query rather than a JSON parse of every stored summary.

/** Latency distributions with their own columns. */
export const TREND_LATENCIES = ['ttft', 'itl', 'tpot', 'e2e'] as const;
/** Percentiles of those distributions with their own columns (ms). */
export const TREND_PERCENTILES = ['p50', 'p95', 'p99'] as const;

const SCALAR_METRICS = {
  success_rate: 'success_rate',
  'throughput.requests_per_s': 'requests_per_s',
  'throughput.output_tokens_per_s': 'output_tokens_per_s',
  'cost.per_request_usd': 'cost_per_request_usd',
} as const;

type LatencyTrendMetric =
  `${(typeof TREND_LATENCIES)[number]}.${(typeof TREND_PERCENTILES)[number]}`;

/** A statistic `trend` can follow, named by its path in a GroupSummary. */
export type TrendMetric = LatencyTrendMetric | keyof typeof SCALAR_METRICS;

/** Every metric `trend` accepts, with the column that holds it. */
export const TREND_METRIC_COLUMNS: ReadonlyMap<TrendMetric, string> = new Map<TrendMetric, string>([
  ...TREND_LATENCIES.flatMap((latency) =>
    TREND_PERCENTILES.map(
      (p) => [`${latency}.${p}` as LatencyTrendMetric, `${latency}_${p}_ms`] as const,
    ),
  ),
  ...(Object.entries(SCALAR_METRICS) as [keyof typeof SCALAR_METRICS, string][]),
]);

/** The metric names `trend` accepts, in documentation order. */
export const TREND_METRICS: readonly TrendMetric[] = [...TREND_METRIC_COLUMNS.keys()];

/** The column holding `metric`; throws naming the valid metrics when it is unknown. */
export function trendColumn(metric: string): string {
  const column = TREND_METRIC_COLUMNS.get(metric as TrendMetric);
  if (column === undefined) {
    throw new HistoryError(
      'LENS_HISTORY_VALUE_INVALID',
      `history: trend metric ${JSON.stringify(metric)} is not known; use one of ${TREND_METRICS.join(', ')}`,
    );
  }
  return column;
}

/** The statistic columns of `run_groups`, in table order. */
export const GROUP_STATISTIC_COLUMNS: readonly string[] = [
  'requests_total',
  'requests_succeeded',
  ...TREND_METRIC_COLUMNS.values(),
];

/** One group's row: provider, model, scenario, then GROUP_STATISTIC_COLUMNS' values. */
export function groupRow(group: GroupSummary): (string | number | null)[] {
  const latencies = TREND_LATENCIES.flatMap((latency) =>
    TREND_PERCENTILES.map((p) => group[latency]?.[p] ?? null),
  );
  return [
    group.provider,
    group.model,
    group.scenario,
    group.requests.total,
    group.requests.succeeded,
    ...latencies,
    group.success_rate,
    group.throughput.requests_per_s,
    group.throughput.output_tokens_per_s,
    group.cost?.per_request_usd ?? null,
  ];
}
