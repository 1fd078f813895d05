import type { ExporterFactory } from '@llm-lens/metrics';
import { requireCsvPath } from './csv-export-error.js';
import { CsvRecordWriter } from './csv-record-writer.js';
import { SummaryCsvExporter } from './summary-csv.js';

/** `csv`: one row per request, streamed as requests finish. */
export const recordsCsvFormat: ExporterFactory = {
  format: 'csv',
  description: 'one CSV row per request (the JSONL fields as columns), written as requests finish',
  extensions: ['.csv'],
  createRecordSink: (target) =>
    new CsvRecordWriter(requireCsvPath(target.path, 'csv'), {
      recordTokens: target.recordTokens === true,
    }),
};

/** `csv-summary`: the run summary in long format, written atomically. */
export const summaryCsvFormat: ExporterFactory = {
  format: 'csv-summary',
  description: 'the run summary as CSV, one row per group, metric and statistic',
  extensions: ['.csv'],
  createSummaryExporter: (target) =>
    new SummaryCsvExporter(requireCsvPath(target.path, 'csv-summary')),
};

/** The formats of this package, as the CLI discovers them. */
export const exporterFactories: readonly ExporterFactory[] = [recordsCsvFormat, summaryCsvFormat];
