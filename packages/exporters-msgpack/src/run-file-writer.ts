import { appendFile } from 'node:fs/promises';
import type { RequestRecord } from '@llm-lens/core-timing';
import { BatchedFileWriter, type RunExporter, type RunSummary } from '@llm-lens/metrics';
import { encodeRunHeader, encodeRunRecord, encodeRunSummary } from './run-file-codec.js';
import { RunFileError } from './run-file-error.js';

/**
 * Writes a whole run to one MessagePack file as it happens: the header at once, each record
 * within 50 ms of finishing (or 64 KB of records; see {@link BatchedFileWriter}), and the
 * summary last, appended by `export()` after `close()`. A crash leaves every record written
 * so far readable, and no summary. A {@link RunExporter}: `write` returns false while the
 * file stream's buffer is full, and the caller waits for `drain()`; memory stays flat
 * however long the run.
 */
export class MsgpackRunWriter implements RunExporter {
  readonly #file: BatchedFileWriter<Uint8Array>;
  #count = 0;

  constructor(
    readonly path: string,
    options: { runId?: string | undefined } = {},
  ) {
    this.#file = new BatchedFileWriter<Uint8Array>(path, (error) => this.#writeError(error));
    this.#file.push(encodeRunHeader(new Date(), options.runId));
  }

  /** Takes one record; false when the file stream's buffer is full. */
  write(record: RequestRecord): boolean {
    if (this.#file.isClosed) {
      throw new RunFileError(
        'LENS_EXPORT_MSGPACK_WRITE',
        `the run file ${this.path} is closed: a record came after close(), which takes the last one`,
      );
    }
    this.#count++;
    return this.#file.push(encodeRunRecord(record));
  }

  drain(): Promise<void> {
    return this.#file.drain();
  }

  /**
   * What is held and not yet on disk: bytes of records waiting for the next batch plus bytes
   * in the file stream's buffer. Bounded (about 1 MiB + 64 KB) when the caller honours
   * `write`'s false.
   */
  get buffered(): number {
    return this.#file.buffered;
  }

  /** Records taken so far. */
  get written(): number {
    return this.#count;
  }

  /** Writes what waits and closes the file: every record is on disk when it resolves. */
  close(): Promise<void> {
    return this.#file.close();
  }

  /**
   * Appends the summary as the file's last value (closing first when `close()` was not
   * called). With no records, the file holds the header and the summary.
   */
  async export(summary: RunSummary): Promise<void> {
    await this.close();
    try {
      await appendFile(this.path, encodeRunSummary(summary));
    } catch (error) {
      throw this.#writeError(error as Error);
    }
  }

  #writeError(error: Error): RunFileError {
    return new RunFileError(
      'LENS_EXPORT_MSGPACK_WRITE',
      `cannot write the run file ${this.path}: ${error.message}. Give a file path in a writable directory (--export msgpack=FILE.msgpack).`,
      { cause: error },
    );
  }
}
