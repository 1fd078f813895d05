export { exporterFactories, recordsJsonlFormat, summaryJsonFormat } from './exporter-factories.js';
export { JsonlRecordWriter } from './jsonl-writer.js';
export type { RecordJson, RecordJsonOptions } from './record-json.js';
export { recordToJson } from './record-json.js';
export { formatSummaryJson, SummaryJsonExporter, writeSummaryJson } from './summary-json.js';
