export type { CsvCell } from './csv-dialect.js';
export { CSV_RECORD_DELIMITER, formatCsvLine, formatCsvLines } from './csv-dialect.js';
export type { CsvExportErrorCode } from './csv-export-error.js';
export { CsvExportError } from './csv-export-error.js';
export { CsvRecordWriter } from './csv-record-writer.js';
export { exporterFactories, recordsCsvFormat, summaryCsvFormat } from './exporter-factories.js';
export type {
  RecordCsvColumn,
  RecordCsvOptions,
  RecordJsonFieldsWithoutColumn,
} from './record-csv.js';
export {
  formatRecordCsvHeader,
  formatRecordCsvRow,
  RECORD_CSV_COLUMNS,
  RECORD_CSV_TOKEN_COLUMNS,
  recordCsvColumns,
  recordToCsvCells,
} from './record-csv.js';
export type { SummaryCsvRow } from './summary-csv.js';
export {
  formatSummaryCsv,
  SUMMARY_CSV_COLUMNS,
  SummaryCsvExporter,
  summaryToCsvRows,
  writeSummaryCsv,
} from './summary-csv.js';
