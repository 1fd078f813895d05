import type { RequestRecord } from '@llm-lens/core-timing';
import { BatchedFileWriter, type RecordSink } from '@llm-lens/metrics';
import { type RecordJsonOptions, recordToJson } from './record-json.js';

/**
 * Streams records to a JSONL file as requests finish, so an interrupted run keeps every
 * record that finished and memory stays flat however long the run: lines are written
 * within 50 ms of their record (or 64 KB of lines), and `close()` writes the rest (see
 * {@link BatchedFileWriter}). A {@link RecordSink}: `write` returns false while the file
 * stream's buffer is full, and the caller waits for `drain()`.
 */
export class JsonlRecordWriter implements RecordSink {
  readonly #file: BatchedFileWriter<string>;
  #count = 0;

  constructor(
    readonly path: string,
    private readonly options: RecordJsonOptions = {},
  ) {
    this.#file = new BatchedFileWriter<string>(path);
  }

  /** Takes one record as a line; false when the file stream's buffer is full. */
  write(record: RequestRecord): boolean {
    this.#count++;
    return this.#file.push(`${JSON.stringify(recordToJson(record, this.options))}\n`);
  }

  drain(): Promise<void> {
    return this.#file.drain();
  }

  /** Records taken so far. */
  get written(): number {
    return this.#count;
  }

  /** Writes what waits, flushes and closes the file. */
  close(): Promise<void> {
    return this.#file.close();
  }
}
