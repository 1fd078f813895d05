import { stringify } from 'csv-stringify/sync';

/**
 * The one CSV dialect every file of this package is written in: RFC 4180 (comma separated,
 * CRLF between records, a field quoted when it holds a comma, a double quote, CR or LF, and
 * its quotes doubled). CRLF because RFC 4180 §2 says so and spreadsheet importers expect it;
 * LF inside a quoted field is kept as it was.
 */
const DIALECT = {
  delimiter: ',',
  quote: '"',
  escape: '"',
  record_delimiter: 'windows',
  // csv-stringify stops quoting lone CR/LF once a record delimiter is given, unless told.
  quote_record_delimiter: true,
  eof: true,
} as const;

/** Line ending between records. */
export const CSV_RECORD_DELIMITER = '\r\n';

/** A cell: text as it is written, or null for an empty cell. */
export type CsvCell = string | null;

/** One CSV line (with its CRLF) from cells already turned into text. */
export function formatCsvLine(cells: readonly CsvCell[]): string {
  return stringify([cells as CsvCell[]], DIALECT);
}

/** Several CSV lines at once. */
export function formatCsvLines(rows: readonly (readonly CsvCell[])[]): string {
  if (rows.length === 0) return '';
  return stringify(rows as CsvCell[][], DIALECT);
}

/** A number as a cell: JavaScript's shortest round-trip text; null for a missing value. */
export function numberCell(value: number | null | undefined): CsvCell {
  return value === null || value === undefined ? null : String(value);
}
