export { JsonlRecordWriter } from './jsonl-writer.js';
export type { RecordJson, RecordJsonOptions } from './record-json.js';
export { recordToJson } from './record-json.js';
export { formatSummaryJson, writeSummaryJson } from './summary-json.js';
