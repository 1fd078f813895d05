// Where the reports go: whole files, written atomically.
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestRecord } from '@llm-lens/core-timing';
import {
  createParentDirectories,
  type RunExporter,
  type RunSummary,
  type SummaryExporter,
} from '@llm-lens/metrics';
import { loadChartJsSource } from './chart-library.js';
import { renderHtmlReport } from './html-report.js';
import { renderMarkdownReport } from './markdown-report.js';
import { ReportExportError } from './report-error.js';
import { RunDistributions } from './run-distributions.js';

/**
 * Writes `text` to `path` through a temp file and a rename, so a reader never sees half a
 * report; creates the missing parent directories; on failure removes the temp file.
 */
export function writeReportFile(path: string, text: string, format: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    createParentDirectories(path);
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (cause) {
    // existsSync, unlike rmSync, does not throw when a parent is a file (ENOTDIR).
    if (existsSync(temp)) rmSync(temp, { force: true });
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ReportExportError(
      'LENS_EXPORT_REPORT_WRITE',
      `could not write the ${format} report to ${path}: ${reason}; give a writable file path (--export ${format}=FILE)`,
      { cause },
    );
  }
}

function requirePath(path: string | undefined, format: string, extension: string): string {
  if (path === undefined || path === '') {
    throw new ReportExportError(
      'LENS_EXPORT_REPORT_PATH',
      `the ${format} report needs a file to write: give one with --export ${format}=report${extension} or --output report${extension}`,
    );
  }
  return path;
}

/** The Markdown report as a {@link SummaryExporter}: `export` writes {@link renderMarkdownReport} to one file. */
export class MarkdownReportExporter implements SummaryExporter {
  readonly path: string;

  constructor(path: string | undefined) {
    this.path = requirePath(path, 'markdown', '.md');
  }

  async export(summary: RunSummary): Promise<void> {
    writeReportFile(this.path, renderMarkdownReport(summary), 'markdown');
  }
}

/**
 * The HTML report as a {@link RunExporter}: `write` folds each record into bounded
 * histograms and time windows (never keeping the record), `export` renders the page with
 * the summary and writes it. Without records, the page is drawn from the summary alone.
 */
export class HtmlReportExporter implements RunExporter {
  readonly path: string;
  readonly distributions = new RunDistributions();

  constructor(path: string | undefined) {
    this.path = requirePath(path, 'html', '.html');
    // Read before the run starts: a missing Chart.js fails the export now, not after an hour of load.
    loadChartJsSource();
  }

  /** Takes one record; never asks the caller to wait (the work per record is small and synchronous). */
  write(record: RequestRecord): boolean {
    this.distributions.add(record);
    return true;
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {}

  async export(summary: RunSummary): Promise<void> {
    const html = renderHtmlReport(summary, {
      distributions: this.distributions,
      chartJsSource: loadChartJsSource(),
    });
    writeReportFile(this.path, html, 'html');
  }
}
