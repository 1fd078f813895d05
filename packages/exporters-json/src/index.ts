export { recordToJson } from './record-json.js';
export type { RecordJson, RecordJsonOptions } from './record-json.js';
export { JsonlRecordWriter } from './jsonl-writer.js';
export { formatSummaryJson, writeSummaryJson } from './summary-json.js';
