export type {
  EncodedAggregator,
  EncodedGroup,
  GroupFidelity,
  GroupSummary,
  LatencyMetric,
  RateMetric,
  SummarizeOptions,
  TokenTotals,
} from './aggregator.js';
export {
  Aggregator,
  LATENCY_METRICS,
  RATE_METRICS,
  UNCLASSIFIED_ERROR,
} from './aggregator.js';
export type { DistributionSummary } from './histogram.js';
export { LatencyHistogram } from './histogram.js';
export type { MetricsErrorCode } from './metrics-error.js';
export { MetricsError } from './metrics-error.js';
export { RateHistogram } from './rate-histogram.js';
export type { ItlSample, TokenEventSeries } from './request-metrics.js';
export {
  chunkGapsNs,
  decodeTokensPerS,
  itlSamples,
  outputTokensPerS,
  tpotNs,
} from './request-metrics.js';
export type { FidelityOptions, RunFidelity, RunSummary, RunSummaryInput } from './run-summary.js';
export { buildFidelity, buildRunSummary } from './run-summary.js';
