// The contract every output format implements (the `exporters-<format>` packages), kept
// next to the RunSummary it writes. A format is a serializer plus where its bytes go; the
// CLI selects formats by name or file extension from what packages register, so a new
// format needs no edit of the CLI.
import type { RequestRecord } from '@llm-lens/core-timing';
import { MetricsError } from './metrics-error.js';
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
  /**
   * File path (relative paths are relative to the working directory). Undefined only for a
   * format whose output can go elsewhere than a file (a Pushgateway, an OTLP endpoint) when
   * the user gave no file: one of its {@link ExporterFactory.options} then says where.
   */
  path?: string | undefined;
  /** Include every token event's arrival offset in each record. Default false. */
  recordTokens?: boolean;
  /**
   * The run's id, which becomes the summary's `run.run_id`, known before the first record so
   * per-record outputs can carry it; absent when the caller does not know it yet.
   */
  runId?: string;
  /**
   * The values of the format's own options ({@link ExporterFactory.options}), by option name;
   * an option the user did not give is absent (or its declared default).
   */
  options?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/**
 * The file a file-only format writes to; throws `LENS_EXPORT_PATH_MISSING` when the target
 * has none, naming the format and how to give one.
 */
export function filePathOf(target: ExportTarget, format: string): string {
  if (target.path !== undefined && target.path !== '') return target.path;
  throw new MetricsError(
    'LENS_EXPORT_PATH_MISSING',
    `the ${format} format writes a file and was given none: name one with --export ${format}=FILE`,
  );
}

/** An option of one output format, which the CLI offers as `--<name>` (e.g. `--pushgateway`). */
export interface ExporterOption {
  readonly type: 'string' | 'number' | 'boolean';
  /** One line for `--help`. */
  readonly describe: string;
  /** Used when the user does not give the option. */
  readonly default?: string | number | boolean;
  /**
   * Giving this option selects the format even without `--export` and needs no file
   * (`--pushgateway URL` pushes a run to a Pushgateway).
   */
  readonly selectsFormat?: boolean;
}

/**
 * A format that needs the records and the summary both (a report, a run file, metrics with
 * histogram buckets): it takes every record as it finishes (`write`, with backpressure as
 * any {@link RecordSink}), then `close()` once the last record is in, then `export()` once
 * with the summary. An export from a summary alone (no records) calls `close()` then
 * `export()`. When a run fails before it has a summary, only `close()` is called.
 */
export interface RunExporter extends RecordSink, SummaryExporter {}

/**
 * An output format, as a package registers it (exported as `exporterFactories`): the CLI
 * offers `--export <format>[=FILE]`, picks the format of `--output` / `--records` from the
 * file extension, and adds the format's own options, for every registered format.
 */
export interface ExporterFactory {
  /** Name used by `--export` and in messages (`json`, `jsonl`, `csv`, ...). */
  readonly format: string;
  /** One line for `--help`. */
  readonly description: string;
  /** File extensions written in this format, with the dot (`.json`); the first is the default. */
  readonly extensions: readonly string[];
  /** The format's own options, by name without the dashes (`pushgateway`, `job`). */
  readonly options?: Readonly<Record<string, ExporterOption>>;
  /** A writer of run summaries, when the format has one. */
  createSummaryExporter?(target: ExportTarget): SummaryExporter;
  /** A streaming writer of per-request records, when the format has one. */
  createRecordSink?(target: ExportTarget): RecordSink;
  /** A writer that takes the records and then the summary, when the format needs both. */
  createRunExporter?(target: ExportTarget): RunExporter;
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
