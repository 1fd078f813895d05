import { DISTRIBUTION_STATISTICS } from './bootstrap.js';

/** The per-request distributions a comparison tests, each with p50, p90, p95, p99 and mean. */
export const COMPARED_DISTRIBUTIONS = [
  'ttft',
  'itl',
  'tpot',
  'e2e',
  'output_tokens_per_s',
] as const;
export type ComparedDistribution = (typeof COMPARED_DISTRIBUTIONS)[number];

/** Every metric of a comparison, in report order. */
export const COMPARISON_METRICS = [
  ...COMPARED_DISTRIBUTIONS,
  'cost_per_request_usd',
  'error_rate',
  'throughput',
] as const;
export type ComparisonMetric = (typeof COMPARISON_METRICS)[number];

/** The statistics compared for each metric (a scalar's one statistic is `value`). */
export const METRIC_STATISTICS: Readonly<Record<ComparisonMetric, readonly string[]>> = {
  ttft: DISTRIBUTION_STATISTICS,
  itl: DISTRIBUTION_STATISTICS,
  tpot: DISTRIBUTION_STATISTICS,
  e2e: DISTRIBUTION_STATISTICS,
  output_tokens_per_s: DISTRIBUTION_STATISTICS,
  cost_per_request_usd: ['mean'],
  error_rate: ['value'],
  throughput: ['requests_per_s', 'output_tokens_per_s'],
};

/** Higher is better for rates of work; lower for latencies, errors and cost. */
export function isHigherBetter(metric: ComparisonMetric): boolean {
  return metric === 'output_tokens_per_s' || metric === 'throughput';
}

/** The unit a row's values are in. */
export function unitOf(metric: ComparisonMetric, statistic: string): string {
  switch (metric) {
    case 'output_tokens_per_s':
      return 'tokens/s';
    case 'cost_per_request_usd':
      return 'USD';
    case 'error_rate':
      return 'fraction';
    case 'throughput':
      return statistic === 'requests_per_s' ? 'requests/s' : 'tokens/s';
    default:
      return 'ms';
  }
}

/** True for the latency metrics, whose tolerances may be written in ms or s. */
export function isLatency(metric: ComparisonMetric): boolean {
  return metric === 'ttft' || metric === 'itl' || metric === 'tpot' || metric === 'e2e';
}
