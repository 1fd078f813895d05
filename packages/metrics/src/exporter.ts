// The contract every output format implements (the `exporters-<format>` packages), kept
// next to the RunSummary it writes. A format is a serializer plus where its bytes go; the
// CLI selects formats by name or file extension from what packages register, so a new
// format needs no edit of the CLI.
import type { RequestRecord } from '@llm-lens/core-timing';
import type { RunSummary } from './run-summary.js';

/** Receives every record of a run as it finishes, in completion order. */
export interface RecordSink {
  /**
   * Takes one record. Returns false when the sink holds more than it wants buffered: the
   * caller then waits for `drain()` before writing more (like a Node stream's `write`).
   */
  write(record: RequestRecord): boolean;
  /** Resolves once the sink can take more records; at once when it already can. */
  drain(): Promise<void>;
  /** Flushes and closes; resolves once every record is written. Rejects on a write error. */
  close(): Promise<void>;
}

/** Writes the summary of a finished run. */
export interface SummaryExporter {
  export(summary: RunSummary): Promise<void>;
}

/** Where an exporter writes and what to include, as the user chose it. */
export interface ExportTarget {
  /** File path (relative paths are relative to the working directory). */
  path: string;
  /** Include every token event's arrival offset in each record. Default false. */
  recordTokens?: boolean;
}

/**
 * An output format, as a package registers it (exported as `exporterFactories`): the CLI
 * offers `--export <format>` and picks the format of `--output` / `--records` from the file
 * extension, for every registered format.
 */
export interface ExporterFactory {
  /** Name used by `--export` and in messages (`json`, `jsonl`, `csv`, ...). */
  readonly format: string;
  /** One line for `--help`. */
  readonly description: string;
  /** File extensions written in this format, with the dot (`.json`). */
  readonly extensions: readonly string[];
  /** A writer of run summaries, when the format has one. */
  createSummaryExporter?(target: ExportTarget): SummaryExporter;
  /** A streaming writer of per-request records, when the format has one. */
  createRecordSink?(target: ExportTarget): RecordSink;
}

/**
 * A record sink that keeps records in memory, for tests and embedding. With a `highWaterMark`
 * it reports backpressure once that many records are waiting, until `release()` empties it.
 */
export class MemoryRecordSink implements RecordSink {
  readonly records: RequestRecord[] = [];
  isClosed = false;
  #pending = 0;
  #waiters: Array<() => void> = [];

  constructor(private readonly highWaterMark = Number.POSITIVE_INFINITY) {}

  write(record: RequestRecord): boolean {
    this.records.push(record);
    this.#pending++;
    return this.#pending < this.highWaterMark;
  }

  drain(): Promise<void> {
    if (this.#pending < this.highWaterMark) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks every record taken as written (the backpressure ends). */
  release(): void {
    this.#pending = 0;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async close(): Promise<void> {
    this.release();
    this.isClosed = true;
  }
}

/** A summary exporter that keeps the summaries it is given, for tests and embedding. */
export class MemorySummaryExporter implements SummaryExporter {
  readonly summaries: RunSummary[] = [];

  async export(summary: RunSummary): Promise<void> {
    this.summaries.push(summary);
  }
}
