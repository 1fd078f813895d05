import type { ExporterFactory } from '@llm-lens/metrics';
import { HtmlReportExporter, MarkdownReportExporter } from './report-files.js';

/** `markdown`: the run summary as a GitHub-flavoured Markdown report, for a pull-request comment. */
export const markdownReportFormat: ExporterFactory = {
  format: 'markdown',
  description: 'a Markdown report of the run (tables for a pull-request comment)',
  extensions: ['.md'],
  createSummaryExporter: (target) => new MarkdownReportExporter(target.path),
};

/** `html`: one self-contained HTML page with the report's tables and charts. */
export const htmlReportFormat: ExporterFactory = {
  format: 'html',
  description: 'a self-contained HTML report with charts (works offline)',
  extensions: ['.html', '.htm'],
  createRunExporter: (target) => new HtmlReportExporter(target.path),
};

/** The formats of this package, as the CLI discovers them. */
export const exporterFactories: readonly ExporterFactory[] = [
  markdownReportFormat,
  htmlReportFormat,
];
