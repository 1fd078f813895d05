import { createWriteStream, type WriteStream } from 'node:fs';
import { createParentDirectories } from './output-files.js';

/**
 * How long chunks wait to be written together, ms. A wave of requests that finish together
 * then costs one write, not one per record: each write is a thread-pool job whose completion
 * wakes the thread that stamps responses, and on a client pinned to one core every wake-up
 * takes that core from it (measured: 560–800 involuntary context switches per C = 256 run
 * with a write per record, against 230–370 without the file).
 */
const FLUSH_INTERVAL_MS = 50;

/** Characters (or bytes) of waiting chunks that are written at once, without the interval. */
const BATCH_SIZE = 64 * 1024;

/**
 * Bytes the file stream may hold before `push` reports a full buffer (Node's default is
 * 16 KB). With the default, every 64 KB batch filled it at once, and until the disk write
 * came back the executor held the next records as objects (about 1 KB each, against 0.4 KB
 * as a line); a zero-latency server finishing 12,000 requests a second left thousands of
 * them alive long enough to be copied into the old generation. Buffered bytes live outside
 * the JS heap, and this bounds them to 1 MiB.
 */
const STREAM_BUFFER_BYTES = 1024 * 1024;

/** How a format's writer names a failed write: its own error class, its flag. */
export type FileErrorWrapper = (error: Error) => Error;

/**
 * The file end of every streamed output (JSONL, CSV rows, the run file, the timeline,
 * line protocol): chunks of text or bytes are written together within 50 ms (or 64 KB),
 * the stream's buffer is bounded to 1 MiB outside the JS heap, and `push` returns false
 * while it is full, like a Node stream, so a record sink built on it passes the executor's
 * backpressure on. The file is created (or replaced) with its missing parent directories.
 * A write error is kept, wrapped by the format's own `wrapError`, and thrown by the next
 * `push` and rejected by `drain` and `close`.
 */
export class BatchedFileWriter<Chunk extends string | Uint8Array> {
  readonly #stream: WriteStream;
  readonly #wrapError: FileErrorWrapper;
  #failure: Error | undefined;
  #waiting: Chunk[] = [];
  #waitingSize = 0;
  #flushTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    wrapError: FileErrorWrapper = (error) => error,
  ) {
    this.#wrapError = wrapError;
    createParentDirectories(path);
    this.#stream = createWriteStream(path, { flags: 'w', highWaterMark: STREAM_BUFFER_BYTES });
    this.#stream.on('error', (error) => {
      this.#failure ??= wrapError(error);
    });
  }

  /** The write error, wrapped, once one happened. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** True once `close()` was called: nothing more may be pushed. */
  get isClosed(): boolean {
    return this.#closing !== undefined;
  }

  /** Queues a chunk; false when the file stream's buffer is full (wait for `drain()`). */
  push(chunk: Chunk): boolean {
    if (this.#failure) throw this.#failure;
    if (this.#closing !== undefined) {
      throw this.#wrapError(
        new Error(`${this.path} is closed: nothing can be written after close()`),
      );
    }
    this.#waiting.push(chunk);
    this.#waitingSize += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (this.#waitingSize >= BATCH_SIZE) return this.#flush();
    if (this.#flushTimer === undefined) {
      this.#flushTimer = setTimeout(this.#flushLater, FLUSH_INTERVAL_MS);
      // close() writes what waits; the timer alone must not keep a finished process alive.
      this.#flushTimer.unref();
    }
    return !this.#stream.writableNeedDrain;
  }

  readonly #flushLater = (): void => {
    this.#flush();
  };

  /** Writes the waiting chunks in one go; false when the stream's buffer is full. */
  #flush(): boolean {
    if (this.#flushTimer !== undefined) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    }
    if (this.#waiting.length === 0) return !this.#stream.writableNeedDrain;
    const waiting = this.#waiting;
    const size = this.#waitingSize;
    this.#waiting = [];
    this.#waitingSize = 0;
    const batch =
      typeof waiting[0] === 'string'
        ? (waiting as string[]).join('')
        : Buffer.concat(waiting as Uint8Array[], size);
    return this.#stream.write(batch);
  }

  /** Resolves once more can be pushed; at once when it already can. */
  drain(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#flush();
    if (!this.#stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.#stream.off('error', onError);
        resolve();
      };
      const onError = () => {
        this.#stream.off('drain', onDrain);
        reject(this.#failure);
      };
      this.#stream.once('drain', onDrain);
      this.#stream.once('error', onError);
    });
  }

  /**
   * What is held and not yet on disk: chunks waiting for the next batch plus bytes in the
   * stream's buffer. Bounded (about 1 MiB + 64 KB) when the caller honours `push`'s false.
   */
  get buffered(): number {
    return this.#waitingSize + this.#stream.writableLength;
  }

  /**
   * Writes what waits, then `last` (a closing bracket), and closes the file; every chunk is
   * on disk when it resolves. Calling it again returns the same promise.
   */
  close(last?: Chunk): Promise<void> {
    if (this.#closing === undefined) {
      if (last !== undefined && this.#failure === undefined) {
        this.#waiting.push(last);
        this.#waitingSize += typeof last === 'string' ? last.length : last.byteLength;
      }
      this.#closing = this.#end();
    }
    return this.#closing;
  }

  #end(): Promise<void> {
    if (this.#failure === undefined) this.#flush();
    return new Promise((resolve, reject) => {
      if (this.#stream.destroyed) {
        if (this.#failure) reject(this.#failure);
        else resolve();
        return;
      }
      this.#stream.end((error?: Error | null) => {
        // The callback may run before the 'error' listener has wrapped the same error.
        if (error) this.#failure ??= this.#wrapError(error);
        if (this.#failure) reject(this.#failure);
        else resolve();
      });
    });
  }
}
