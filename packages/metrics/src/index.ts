export type {
  CostSummary,
  EncodedAggregator,
  EncodedGroup,
  GoodputSummary,
  GroupFidelity,
  GroupSummary,
  PhaseSummary,
  RecordAddition,
  RequestCounts,
  SummarizeOptions,
  TokenTotals,
} from './aggregator.js';
export { Aggregator, EVENTS_PER_SLICE, UNCLASSIFIED_ERROR } from './aggregator.js';
export type { FileErrorWrapper } from './batched-file-writer.js';
export { BatchedFileWriter } from './batched-file-writer.js';
export type {
  ExporterFactory,
  ExporterOption,
  ExportTarget,
  RecordSink,
  RunExporter,
  SummaryExporter,
} from './exporter.js';
export { filePathOf, MemoryRecordSink, MemorySummaryExporter } from './exporter.js';
export type {
  FidelityCalibration,
  FidelityOptions,
  RunFidelity,
  ThreadFidelity,
} from './fidelity.js';
export { buildFidelity, DEFAULT_CLIENT_BOUND_P99_MS, MIN_FIDELITY_SAMPLES } from './fidelity.js';
export type { DistributionSummary } from './histogram.js';
export { DISTRIBUTION_STATISTICS, LatencyHistogram } from './histogram.js';
export type {
  AddSample,
  Collector,
  LatencyMetric,
  MetricName,
  RateMetric,
} from './metric-definitions.js';
export {
  decodeTokensPerS,
  LATENCY_COLLECTORS,
  LATENCY_METRICS,
  outputTokensPerS,
  PER_EVENT_METRICS,
  RATE_COLLECTORS,
  RATE_METRICS,
} from './metric-definitions.js';
export type { MetricsErrorCode } from './metrics-error.js';
export { MetricsError } from './metrics-error.js';
export { createParentDirectories, outputPathProblem, probeOutputPath } from './output-files.js';
export { RateHistogram } from './rate-histogram.js';
export type {
  RepeatGroup,
  RepeatReport,
  RepeatSpread,
  RepeatStatistic,
} from './repeats.js';
export { analyzeRepeats, REPEAT_STATISTICS, spreadOf, tCritical95 } from './repeats.js';
export type { ItlSample, TokenEventSeries } from './request-metrics.js';
export { chunkGapsNs, itlSamples } from './request-metrics.js';
export type {
  BreakerState,
  BreakerSummary,
  BreakerTransitionSummary,
  BudgetReport,
  BudgetStop,
  ProviderResilience,
  RateLimitReport,
  ResilienceSummary,
} from './resilience-summary.js';
export type { RetrySummary } from './retry-counts.js';
export { RetryCounts } from './retry-counts.js';
export type { RunSummary, RunSummaryInput } from './run-summary.js';
export { buildRunSummary } from './run-summary.js';
export type {
  EncodedSessions,
  EncodedTurn,
  SessionSummary,
  SessionTurnSummary,
} from './session-counts.js';
export { SESSION_TURNS_APART, SessionCounts } from './session-counts.js';
export type { SloTargets } from './slo.js';
export { describeSlo, hasSlo, meetsSlo, SLO_NAMES } from './slo.js';
export type { KneeThresholds, SweepLevel, SweepParameter, SweepReport } from './sweep.js';
export { analyzeSweep } from './sweep.js';
