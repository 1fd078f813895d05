export { inlineScript, loadChartJsSource } from './chart-library.js';
export {
  exporterFactories,
  htmlReportFormat,
  markdownReportFormat,
} from './exporter-factories.js';
export type { HtmlReportInput } from './html-report.js';
export {
  escapeHtml,
  inlineJson,
  REPORT_CSP,
  renderHtmlReport,
  renderHtmlTable,
} from './html-report.js';
export { LogHistogram } from './log-histogram.js';
export { escapeMarkdown, renderMarkdownReport, renderMarkdownTable } from './markdown-report.js';
export type {
  AxisUnit,
  ChartAxis,
  ChartSection,
  ChartSeries,
  ChartSpec,
  ReportCharts,
} from './report-charts.js';
export { buildReportCharts, TARGET_COLORS, targetColor } from './report-charts.js';
export type { ReportErrorCode } from './report-error.js';
export { ReportExportError } from './report-error.js';
export { HtmlReportExporter, MarkdownReportExporter, writeReportFile } from './report-files.js';
export type {
  ReportCell,
  ReportColumn,
  ReportContent,
  ReportTable,
  SweepSection,
} from './report-tables.js';
export { buildReportContent, targetLabel } from './report-tables.js';
export type { TargetDistributions, TargetKey, WindowCounts } from './run-distributions.js';
export { MAX_WINDOWS, RunDistributions, targetId } from './run-distributions.js';
export type { TrendReportInput, TrendSeries } from './trend-report.js';
export { renderTrendHtml } from './trend-report.js';
