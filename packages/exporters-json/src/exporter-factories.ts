import { type ExporterFactory, filePathOf } from '@llm-lens/metrics';
import { JsonlRecordWriter } from './jsonl-writer.js';
import { SummaryJsonExporter } from './summary-json.js';

/** `json`: the run summary, pretty-printed, written atomically. */
export const summaryJsonFormat: ExporterFactory = {
  format: 'json',
  description: 'the run summary as JSON (schema in the CLI README)',
  extensions: ['.json'],
  createSummaryExporter: (target) => new SummaryJsonExporter(filePathOf(target, 'json')),
};

/** `jsonl`: one JSON object per request, streamed as requests finish. */
export const recordsJsonlFormat: ExporterFactory = {
  format: 'jsonl',
  description: 'one JSON line per request, written as requests finish',
  extensions: ['.jsonl', '.ndjson'],
  createRecordSink: (target) =>
    new JsonlRecordWriter(filePathOf(target, 'jsonl'), {
      recordTokens: target.recordTokens === true,
    }),
};

/** The formats of this package, as the CLI discovers them. */
export const exporterFactories: readonly ExporterFactory[] = [
  summaryJsonFormat,
  recordsJsonlFormat,
];
