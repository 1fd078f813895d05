import type { RequestRecord } from '@llm-lens/core-timing';
import { type RecordJson, recordToJson } from '@llm-lens/exporters-json';
import { type CsvCell, formatCsvLine, numberCell } from './csv-dialect.js';

/**
 * The columns of a records CSV, in order: the fields of the JSONL record (`RecordJson`) in
 * the order it declares them, so the two files of a run line up column for column.
 */
export const RECORD_CSV_COLUMNS = [
  'request_id',
  'started_at',
  'provider',
  'model',
  'scenario',
  'warmup',
  'phase',
  'status',
  'repeat',
  'session_id',
  'turn',
  'attempt',
  'first_request_id',
  'retried',
  'retry_delay_ms',
  'retry_gave_up',
  'http_status',
  'error_class',
  'error_message',
  'queue_ms',
  'send_delay_ms',
  'dns_ms',
  'connect_ms',
  'tls_ms',
  'protocol',
  'ttfb_ms',
  'ttft_ms',
  'ttfo_ms',
  'e2e_ms',
  'e2e_from_schedule_ms',
  'ttft_from_schedule_ms',
  'schedule_lag_ms',
  'tpot_ms',
  'input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cached_input_tokens',
  'token_count_source',
  'reported_output_tokens',
  'token_count_mismatch',
  'token_count_estimated',
  'usage_ignored',
  'cost_usd',
  'server_timings',
  'token_events',
] as const satisfies readonly (keyof RecordJson)[];

/** The two columns added with `recordTokens`, each a space-separated list of numbers. */
export const RECORD_CSV_TOKEN_COLUMNS = [
  'token_offsets_ms',
  'token_counts',
] as const satisfies readonly (keyof RecordJson)[];

export type RecordCsvColumn =
  | (typeof RECORD_CSV_COLUMNS)[number]
  | (typeof RECORD_CSV_TOKEN_COLUMNS)[number];

/** Fields of RecordJson that have no column: `never`, which the tests check at compile time. */
export type RecordJsonFieldsWithoutColumn = Exclude<keyof RecordJson, RecordCsvColumn>;

export interface RecordCsvOptions {
  /** Add `token_offsets_ms` and `token_counts`. Default false. */
  recordTokens?: boolean;
}

/** The header of a records CSV with these options. */
export function recordCsvColumns(options: RecordCsvOptions = {}): readonly RecordCsvColumn[] {
  return options.recordTokens === true
    ? [...RECORD_CSV_COLUMNS, ...RECORD_CSV_TOKEN_COLUMNS]
    : RECORD_CSV_COLUMNS;
}

function cellOf(value: RecordJson[RecordCsvColumn]): CsvCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberCell(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return value.join(' ');
  return JSON.stringify(value);
}

/** A record as the cells of its CSV row, in {@link recordCsvColumns} order. */
export function recordToCsvCells(record: RequestRecord, options: RecordCsvOptions = {}): CsvCell[] {
  const json = recordToJson(record, { recordTokens: options.recordTokens === true });
  return recordCsvColumns(options).map((column) => cellOf(json[column]));
}

/** The header line of a records CSV (with its CRLF). */
export function formatRecordCsvHeader(options: RecordCsvOptions = {}): string {
  return formatCsvLine(recordCsvColumns(options));
}

/** One record as a CSV line (with its CRLF). */
export function formatRecordCsvRow(record: RequestRecord, options: RecordCsvOptions = {}): string {
  return formatCsvLine(recordToCsvCells(record, options));
}
