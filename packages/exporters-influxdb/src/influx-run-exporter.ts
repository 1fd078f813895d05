import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { RequestRecord } from '@llm-lens/core-timing';
import type { RunExporter, RunSummary } from '@llm-lens/metrics';
import { Agent } from 'undici';
import { InfluxExportError } from './influx-error.js';
import {
  InfluxHttpWriter,
  type InfluxHttpWriterOptions,
  postLineProtocol,
} from './influx-http-writer.js';
import type { InfluxHttpTarget } from './influx-options.js';
import { formatSummaryLines, requestPoint } from './influx-points.js';
import { LineFileWriter } from './line-file-writer.js';
import { formatFieldSet, formatSeriesKey } from './line-protocol.js';
import { UniqueTimestamps } from './unique-timestamps.js';

export interface InfluxRunExporterOptions {
  /** Line-protocol file to write (created or replaced, parent directories too); none when undefined. */
  path?: string | undefined;
  /** Where to POST the points too; none when undefined. At least one of `path` and `http`. */
  http?: InfluxHttpTarget | undefined;
  /**
   * The run's id, for the `run_id` tag of every request point. Default a new UUID: the
   * summary points always carry the summary's own `run.run_id`, so pass it to join the two.
   */
  runId?: string | undefined;
  /** Batching and connection of the HTTP writes. */
  httpOptions?: InfluxHttpWriterOptions;
}

/**
 * The `influxdb` format: an `llm_request` point per record as requests finish, streamed to
 * a line-protocol file, POSTed to InfluxDB in batches, or both; then an `llm_summary` point
 * per group at the run's end. A {@link RunExporter}: `write` returns false while either
 * destination is backed up, and the caller waits for `drain()`.
 */
export class InfluxRunExporter implements RunExporter {
  readonly runId: string;
  private readonly file: LineFileWriter | undefined;
  private readonly http: InfluxHttpWriter | undefined;
  private readonly timestamps = new UniqueTimestamps();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: InfluxRunExporterOptions) {
    if (options.path === undefined && options.http === undefined) {
      throw new InfluxExportError(
        'LENS_EXPORT_INFLUX_OPTIONS',
        'the influxdb format needs somewhere to write: a file (--export influxdb=run.lp) or --influx-url with --influx-db (1.x) or --influx-org and --influx-bucket (2.x/3.x)',
      );
    }
    this.runId = options.runId ?? randomUUID();
    this.file = options.path === undefined ? undefined : new LineFileWriter(options.path);
    this.http =
      options.http === undefined
        ? undefined
        : new InfluxHttpWriter(options.http, options.httpOptions);
  }

  /** Takes one record as an `llm_request` point; false when a destination is backed up. */
  write(record: RequestRecord): boolean {
    const point = requestPoint(record, this.runId);
    const series = formatSeriesKey(point);
    const time = this.timestamps.claim(series, point.timestampNs);
    const line = `${series} ${formatFieldSet(point)} ${time}`;
    const fileHasRoom = this.file?.writeLine(line) ?? true;
    const httpHasRoom = this.http?.add(line) ?? true;
    return fileHasRoom && httpHasRoom;
  }

  async drain(): Promise<void> {
    await Promise.all([this.file?.drain(), this.http?.drain()]);
  }

  /**
   * Writes every record taken: closes the file and sends the last batch (the HTTP
   * connection closes too; the summary goes on its own). Rejects with the first failure,
   * after both destinations had their chance to finish.
   */
  close(): Promise<void> {
    this.closing ??= settleAll([this.file?.close(), this.http?.close()]);
    return this.closing;
  }

  /** Appends the `llm_summary` points to the file and POSTs them, after `close()`. */
  async export(summary: RunSummary): Promise<void> {
    if (this.closing === undefined) await this.close();
    else {
      await this.closing.catch(() => {
        // close() already rejected to its caller with this failure; the summary still goes out.
      });
    }
    const lines = formatSummaryLines(summary);
    if (lines === '') return;
    const { path, http, httpOptions } = this.options;
    await settleAll([
      path === undefined ? undefined : appendFile(path, lines),
      http === undefined ? undefined : this.postSummary(http, lines, httpOptions),
    ]);
  }

  /** One write for the summary, on a connection of its own that is closed after it. */
  private async postSummary(
    http: InfluxHttpTarget,
    lines: string,
    httpOptions: InfluxHttpWriterOptions | undefined,
  ): Promise<void> {
    const dispatcher = httpOptions?.dispatcher ?? new Agent({ connections: 1 });
    try {
      await postLineProtocol(http, lines, {
        dispatcher,
        ...(httpOptions?.timeoutMs === undefined ? {} : { timeoutMs: httpOptions.timeoutMs }),
      });
    } finally {
      if (httpOptions?.dispatcher === undefined) await dispatcher.close();
    }
  }
}

/** Waits for every promise, then rejects with the first failure, if any. */
async function settleAll(promises: Array<Promise<void> | undefined>): Promise<void> {
  const results = await Promise.allSettled(promises);
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason;
  }
}
