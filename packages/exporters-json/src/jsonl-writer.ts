import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { RequestRecord } from '@llm-lens/core-timing';
import { type RecordJsonOptions, recordToJson } from './record-json.js';

/**
 * Streams records to a JSONL file as requests finish, so nothing is lost if the run is
 * interrupted and memory stays flat however long the run.
 */
export class JsonlRecordWriter {
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  private count = 0;

  constructor(
    readonly path: string,
    private readonly options: RecordJsonOptions = {},
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  /** Appends one record as a line. */
  write(record: RequestRecord): void {
    if (this.failure) throw this.failure;
    this.stream.write(`${JSON.stringify(recordToJson(record, this.options))}\n`);
    this.count++;
  }

  /** Records written so far. */
  get written(): number {
    return this.count;
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.end(() => (this.failure ? reject(this.failure) : resolve()));
    });
  }
}
