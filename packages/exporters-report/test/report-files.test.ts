// The two formats as the CLI uses them: through exporterFactories, to real files.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exporterFactories,
  htmlReportFormat,
  markdownReportFormat,
  ReportExportError,
  renderMarkdownReport,
} from '../src/index.js';
import { buildRealisticRun } from './realistic-run.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-report-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exporterFactories', () => {
  it('registers markdown (.md) as a summary exporter and html (.html, .htm) as a run exporter', () => {
    expect(exporterFactories.map((f) => [f.format, f.extensions])).toEqual([
      ['markdown', ['.md']],
      ['html', ['.html', '.htm']],
    ]);
    expect(markdownReportFormat.createSummaryExporter).toBeTypeOf('function');
    expect(htmlReportFormat.createRunExporter).toBeTypeOf('function');
  });

  it('writes the Markdown report to a new directory, leaving no temp file', async () => {
    const { summary } = buildRealisticRun();
    const path = join(dir, 'reports', 'run.md');
    await markdownReportFormat.createSummaryExporter!({ path }).export(summary);
    expect(readFileSync(path, 'utf8')).toBe(renderMarkdownReport(summary));
    expect(readdirSync(join(dir, 'reports'))).toEqual(['run.md']);
  });

  it('writes an HTML report from the records and the summary, and from a summary alone', async () => {
    const { records, summary } = buildRealisticRun();
    const withRecords = htmlReportFormat.createRunExporter!({ path: join(dir, 'run.html') });
    for (const record of records) expect(withRecords.write(record)).toBe(true);
    await withRecords.drain();
    await withRecords.close();
    await withRecords.export(summary);
    const full = readFileSync(join(dir, 'run.html'), 'utf8');
    expect(full).toContain('<canvas id="ttft-histogram"');
    expect(full).not.toContain('Charts not drawn');

    const summaryOnly = htmlReportFormat.createRunExporter!({ path: join(dir, 'summary.htm') });
    await summaryOnly.close();
    await summaryOnly.export(summary);
    const partial = readFileSync(join(dir, 'summary.htm'), 'utf8');
    expect(partial).not.toContain('<canvas id="ttft-histogram"');
    expect(partial).toContain('<canvas id="ttft-cdf"');
    expect(partial).toContain('need the per-request records');
  });

  it('fails with LENS_EXPORT_REPORT_PATH without a file, naming the flag to give', () => {
    expect(() => htmlReportFormat.createRunExporter!({})).toThrow(
      expect.objectContaining({
        code: 'LENS_EXPORT_REPORT_PATH',
        message: expect.stringContaining('--export html=report.html'),
      }),
    );
  });

  it('fails with LENS_EXPORT_REPORT_WRITE when the file cannot be written, and cleans up', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const path = join(blocker, 'report.md');
    const error = await markdownReportFormat.createSummaryExporter!({ path })
      .export(buildRealisticRun().summary)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportExportError);
    expect(error).toMatchObject({ code: 'LENS_EXPORT_REPORT_WRITE' });
    expect((error as Error).message).toContain(path);
    expect(readdirSync(dir)).not.toContain('a-file.tmp');
  });
});
