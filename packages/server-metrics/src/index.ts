export type {
  ExpositionFormat,
  ExpositionSample,
  Labels,
  MetricFamily,
  MetricType,
  ParsedExposition,
  ParseExpositionOptions,
} from './exposition-parser.js';
export { parseExposition } from './exposition-parser.js';
export type { HistogramSeries, SummarySeries, ValueSeries } from './family-series.js';
export { histogramSeries, summarySeries, valueSeries } from './family-series.js';
export type { Bucket } from './histogram-quantile.js';
export { histogramQuantile } from './histogram-quantile.js';
export type {
  RoleDefinition,
  RoleKind,
  RoleSource,
  ServerKind,
  ServerMetricRole,
} from './known-metrics.js';
export {
  EXTRA_KNOWN_METRICS,
  KNOWN_METRICS,
  ROLE_DEFINITIONS,
  SERVER_METRIC_ROLES,
} from './known-metrics.js';
export type { RawMetricReport, RawSeriesReport, RoleReport } from './metrics-recorder.js';
export type {
  CounterStats,
  GaugeStats,
  HistogramStats,
  SeriesPoint,
  SummaryStats,
} from './series-trackers.js';
export type { ServerMetricsErrorCode } from './server-metrics-error.js';
export { SERVER_METRICS_ERROR_CODES, ServerMetricsError } from './server-metrics-error.js';
export type {
  ScrapeFailureKind,
  ScrapeStats,
  ServerMetricsReport,
  ServerView,
} from './server-metrics-report.js';
export { SCRAPE_FAILURE_KINDS, serverView } from './server-metrics-report.js';
export type {
  ScrapeOutcome,
  ServerMetricsOptions,
  ServerMetricsScrape,
} from './server-metrics-scraper.js';
export { startServerMetrics } from './server-metrics-scraper.js';
