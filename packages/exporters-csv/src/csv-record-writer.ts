import type { RequestRecord } from '@llm-lens/core-timing';
import { BatchedFileWriter, type RecordSink } from '@llm-lens/metrics';
import { CsvExportError } from './csv-export-error.js';
import { formatRecordCsvHeader, formatRecordCsvRow, type RecordCsvOptions } from './record-csv.js';

/**
 * Streams records to a CSV file as requests finish: the header at once, then one row per
 * record within 50 ms (or 64 KB of rows; see {@link BatchedFileWriter}), so an interrupted
 * run keeps every row that finished and memory stays flat. A {@link RecordSink}: `write`
 * returns false while the file stream's buffer is full, and the caller waits for `drain()`.
 */
export class CsvRecordWriter implements RecordSink {
  readonly #file: BatchedFileWriter<string>;
  #count = 0;

  constructor(
    readonly path: string,
    private readonly options: RecordCsvOptions = {},
  ) {
    this.#file = new BatchedFileWriter<string>(
      path,
      (error) =>
        new CsvExportError(
          'LENS_EXPORT_CSV_WRITE',
          `cannot write the records CSV ${path}: ${error.message}. Give a file path in a writable directory (--records FILE.csv).`,
          { cause: error },
        ),
    );
    this.#file.push(formatRecordCsvHeader(options));
  }

  /** Takes one record as a row; false when the file stream's buffer is full. */
  write(record: RequestRecord): boolean {
    this.#count++;
    return this.#file.push(formatRecordCsvRow(record, this.options));
  }

  drain(): Promise<void> {
    return this.#file.drain();
  }

  /**
   * What is held and not yet on disk: rows waiting for the next batch plus bytes in the file
   * stream's buffer. Bounded (about 1 MiB + 64 KB) when the caller honours `write`'s false.
   */
  get buffered(): number {
    return this.#file.buffered;
  }

  /** Records taken so far. */
  get written(): number {
    return this.#count;
  }

  /** Writes what waits, flushes and closes the file; rejects if any write failed. */
  close(): Promise<void> {
    return this.#file.close();
  }
}
