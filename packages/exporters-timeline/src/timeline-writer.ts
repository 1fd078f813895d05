import type { RequestRecord } from '@llm-lens/core-timing';
import { BatchedFileWriter, type RecordSink } from '@llm-lens/metrics';
import { TimelineExportError } from './timeline-error.js';
import { type TraceOptions, TraceSerializer } from './trace-events.js';

/**
 * Streams a Chrome trace (JSON object format) of the run as requests finish: the events of
 * each request within 50 ms (or 64 KB of events), and on `close()` the closing bracket and
 * `otherData`, so a run stopped after any number of records still leaves valid JSON. A
 * {@link RecordSink}: `write` returns false while the file stream's buffer is full, and the
 * caller waits for `drain()`.
 */
export class TimelineWriter implements RecordSink {
  readonly #file: BatchedFileWriter<string>;
  readonly #serializer: TraceSerializer;
  #count = 0;

  constructor(
    readonly path: string,
    options: TraceOptions = {},
  ) {
    this.#serializer = new TraceSerializer(options);
    this.#file = new BatchedFileWriter<string>(
      path,
      (error) =>
        new TimelineExportError(
          'LENS_EXPORT_TIMELINE_WRITE',
          `cannot write the timeline ${path}: ${error.message}. Give a file path in a writable directory (--export timeline=FILE.trace.json).`,
          { cause: error },
        ),
    );
    this.#file.push(this.#serializer.begin());
  }

  /** Takes one record's events; false when the file stream's buffer is full. */
  write(record: RequestRecord): boolean {
    if (this.#file.isClosed) {
      throw new TimelineExportError(
        'LENS_EXPORT_TIMELINE_WRITE',
        `the timeline ${this.path} is closed: a record came after close(), which takes the last one`,
      );
    }
    this.#count++;
    return this.#file.push(this.#serializer.record(record));
  }

  drain(): Promise<void> {
    return this.#file.drain();
  }

  /**
   * What is held and not yet on disk: events waiting for the next batch plus bytes in the
   * file stream's buffer. Bounded (about 1 MiB + 64 KB) when the caller honours `write`'s
   * false.
   */
  get buffered(): number {
    return this.#file.buffered;
  }

  /** Records taken so far. */
  get written(): number {
    return this.#count;
  }

  /** Writes what waits and the end of the JSON, and closes the file. */
  close(): Promise<void> {
    return this.#file.isClosed ? this.#file.close() : this.#file.close(this.#serializer.end());
  }
}
