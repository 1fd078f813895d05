export { THRESHOLD_EXIT_CODE } from './exit-code.js';
export type { GatesErrorCode } from './gates-error.js';
export { GatesError } from './gates-error.js';
export type { GatesMarkdownInput } from './gates-markdown.js';
export { renderGatesMarkdown } from './gates-markdown.js';
export type { JUnitInput } from './junit-xml.js';
export { renderJUnit } from './junit-xml.js';
export type { ComparisonTableRow, RegressionCheck } from './regression-check.js';
export { appendStepSummary } from './step-summary.js';
export type { Threshold, ThresholdOperator, ThresholdScope } from './threshold.js';
export { formatLimit, formatValue, groupLabel, inScope, parseThreshold } from './threshold.js';
export type { ThresholdGroupResult, ThresholdResult } from './threshold-evaluation.js';
export { evaluateThresholds, thresholdsPassed } from './threshold-evaluation.js';
export type {
  DistributionStatistic,
  MetricSource,
  MetricUnit,
  ThresholdMetric,
} from './threshold-metrics.js';
export { describeThresholdMetrics, readMetric, THRESHOLD_METRICS } from './threshold-metrics.js';
export type { ThresholdBreach, ThresholdMonitorOptions } from './threshold-monitor.js';
export {
  DEFAULT_MONITOR_MIN_SAMPLES,
  isLiveThreshold,
  ThresholdMonitor,
} from './threshold-monitor.js';
