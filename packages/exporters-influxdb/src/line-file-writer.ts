import { BatchedFileWriter } from '@llm-lens/metrics';

/**
 * Streams line-protocol lines to a file (created, or replaced, with its missing parent
 * directories), so an interrupted run keeps every point written and memory stays flat
 * however long the run: lines reach the file within 50 ms (or 64 KB of lines; see
 * {@link BatchedFileWriter}), and `close()` writes the rest. `writeLine` returns false while
 * the stream's buffer is full; the caller then waits for `drain()`.
 */
export class LineFileWriter {
  readonly #file: BatchedFileWriter<string>;
  #lines = 0;

  constructor(readonly path: string) {
    this.#file = new BatchedFileWriter<string>(path);
  }

  /** Takes one line (without its newline); false when the file stream's buffer is full. */
  writeLine(line: string): boolean {
    this.#lines++;
    return this.#file.push(`${line}\n`);
  }

  /** Resolves once the stream can take more; rejects if a write failed. */
  drain(): Promise<void> {
    return this.#file.drain();
  }

  /** Lines taken so far. */
  get written(): number {
    return this.#lines;
  }

  /** Writes what waits, flushes and closes the file; rejects if a write failed. */
  close(): Promise<void> {
    return this.#file.close();
  }
}
