import { createWriteStream, type WriteStream } from 'node:fs';
import type { RequestRecord } from '@llm-lens/core-timing';
import { createParentDirectories, type RecordSink } from '@llm-lens/metrics';
import { type RecordJsonOptions, recordToJson } from './record-json.js';

/**
 * Streams records to a JSONL file as requests finish, so nothing is lost if the run is
 * interrupted and memory stays flat however long the run. A {@link RecordSink}: `write`
 * returns false while the file stream's buffer is full, and the caller waits for `drain()`.
 */
export class JsonlRecordWriter implements RecordSink {
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  private count = 0;

  constructor(
    readonly path: string,
    private readonly options: RecordJsonOptions = {},
  ) {
    createParentDirectories(path);
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  /** Appends one record as a line; false when the stream's buffer is full. */
  write(record: RequestRecord): boolean {
    if (this.failure) throw this.failure;
    this.count++;
    return this.stream.write(`${JSON.stringify(recordToJson(record, this.options))}\n`);
  }

  drain(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.stream.off('error', onError);
        resolve();
      };
      const onError = (error: Error) => {
        this.stream.off('drain', onDrain);
        reject(error);
      };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
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
