import { createWriteStream, type WriteStream } from 'node:fs';
import type { RequestRecord } from '@llm-lens/core-timing';
import { createParentDirectories, type RecordSink } from '@llm-lens/metrics';
import { type RecordJsonOptions, recordToJson } from './record-json.js';

/**
 * How long lines wait to be written together, ms. A wave of requests that finish together
 * then costs one write, not one per record: each write is a thread-pool job whose completion
 * wakes the thread that stamps responses, and on a client pinned to one core every wake-up
 * takes that core from it (measured: 560–800 involuntary context switches per C = 256 run
 * with a write per record, against 230–370 without the file).
 */
const FLUSH_INTERVAL_MS = 50;
/** Characters of waiting lines that are written at once, without waiting for the interval. */
const BATCH_CHARS = 64 * 1024;
/**
 * Bytes the file stream may hold before `write` reports a full buffer (Node's default is
 * 16 KB). With the default, every 64 KB batch filled it at once, and until the disk write
 * came back the executor held the next records as objects (about 1 KB each, against 0.4 KB
 * as a line); a zero-latency server finishing 12,000 requests a second left thousands of
 * them alive long enough to be copied into the old generation. Buffered bytes live outside
 * the JS heap, and this bounds them to 1 MiB.
 */
const STREAM_BUFFER_BYTES = 1024 * 1024;

/**
 * Streams records to a JSONL file as requests finish, so an interrupted run keeps every
 * record that finished and memory stays flat however long the run: lines are written
 * within 50 ms of their record (or 64 KB of lines), and `close()` writes the rest. A
 * {@link RecordSink}: `write` returns false while the file stream's buffer is full, and the
 * caller waits for `drain()`.
 */
export class JsonlRecordWriter implements RecordSink {
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  private count = 0;
  private waiting: string[] = [];
  private waitingChars = 0;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly options: RecordJsonOptions = {},
  ) {
    createParentDirectories(path);
    this.stream = createWriteStream(path, { flags: 'w', highWaterMark: STREAM_BUFFER_BYTES });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  /** Takes one record as a line; false when the file stream's buffer is full. */
  write(record: RequestRecord): boolean {
    if (this.failure) throw this.failure;
    this.count++;
    const line = `${JSON.stringify(recordToJson(record, this.options))}\n`;
    this.waiting.push(line);
    this.waitingChars += line.length;
    if (this.waitingChars >= BATCH_CHARS) return this.flush();
    if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(this.flushLater, FLUSH_INTERVAL_MS);
      // close() writes what waits; the timer alone must not keep a finished process alive.
      this.flushTimer.unref();
    }
    return !this.stream.writableNeedDrain;
  }

  private readonly flushLater = (): void => {
    this.flush();
  };

  /** Writes the waiting lines in one go; false when the stream's buffer is full. */
  private flush(): boolean {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.waiting.length === 0) return !this.stream.writableNeedDrain;
    const text = this.waiting.join('');
    this.waiting = [];
    this.waitingChars = 0;
    return this.stream.write(text);
  }

  drain(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.flush();
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

  /** Records taken so far. */
  get written(): number {
    return this.count;
  }

  /** Writes what waits, flushes and closes the file. */
  close(): Promise<void> {
    this.flush();
    return new Promise((resolve, reject) => {
      this.stream.end(() => (this.failure ? reject(this.failure) : resolve()));
    });
  }
}
