export type { BootstrapReplicates, DistributionStatistic, ResamplingLayout } from './bootstrap.js';
export {
  bootstrapLayouts,
  DISTRIBUTION_STATISTICS,
  differenceInterval,
  layoutOfItl,
  layoutOfRequestValues,
  pointStatistics,
  statisticsUnder,
} from './bootstrap.js';
export { BootstrapRandom, streamSeed } from './bootstrap-random.js';
export type {
  CompareOptions,
  ComparisonInput,
  ComparisonRow,
  GroupComparison,
  GroupKey,
  GroupMethod,
  MetricTest,
  ResolvedCompareOptions,
  RowMethod,
  RunComparison,
  Verdict,
} from './compare-runs.js';
export {
  compareRuns,
  DEFAULT_COMPARISON_SEED,
  MIN_TESTED_SAMPLES,
  perRequestMeanItl,
} from './compare-runs.js';
export type { ComparisonErrorCode } from './comparison-error.js';
export { ComparisonError } from './comparison-error.js';
export type { ComparedDistribution, ComparisonMetric } from './comparison-metrics.js';
export {
  COMPARED_DISTRIBUTIONS,
  COMPARISON_METRICS,
  isHigherBetter,
  METRIC_STATISTICS,
  unitOf,
} from './comparison-metrics.js';
export type { TextTableOptions } from './comparison-table.js';
export {
  renderComparisonMarkdown,
  renderComparisonText,
  rowCells,
  VERDICT_LABELS,
} from './comparison-table.js';
export { holmAdjust } from './holm-adjustment.js';
export type { MannWhitneyResult } from './mann-whitney.js';
export { mannWhitney } from './mann-whitney.js';
export type {
  RegressionResult,
  RegressionSpec,
  RegressionTolerance,
} from './regression-spec.js';
export {
  evaluateRegression,
  evaluateRegressions,
  parseRegressionSpec,
  regressionMetricNames,
} from './regression-spec.js';
export type { GroupSamples, ItlSamples, RunSamples, RunSamplesCollector } from './run-samples.js';
export { collectRunSamples } from './run-samples.js';
export type { DistributionView, SummaryRuleOutcome } from './summary-rule.js';
export {
  judgeDistributionStatistic,
  judgeRatio,
  SUMMARY_RULE_MARGIN,
  SUMMARY_RULE_MIN_SAMPLES,
} from './summary-rule.js';
export type { TwoProportionResult } from './two-proportions.js';
export { compareProportions, fisherExactTwoSided, wilsonInterval } from './two-proportions.js';
