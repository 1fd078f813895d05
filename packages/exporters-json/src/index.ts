export { exporterFactories, recordsJsonlFormat, summaryJsonFormat } from './exporter-factories.js';
export { readRecordsJsonl } from './jsonl-reader.js';
export { JsonlRecordWriter } from './jsonl-writer.js';
export { parseRecordLine, RecordJsonError, recordFromJson } from './record-from-json.js';
export type { RecordJson, RecordJsonOptions } from './record-json.js';
export { recordToJson } from './record-json.js';
export { formatSummaryJson, SummaryJsonExporter, writeSummaryJson } from './summary-json.js';
