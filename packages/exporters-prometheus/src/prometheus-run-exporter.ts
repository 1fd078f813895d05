import type { RequestRecord } from '@llm-lens/core-timing';
import type { RunExporter, RunSummary } from '@llm-lens/metrics';
import { PrometheusExportError } from './prometheus-error.js';
import { writePrometheusFile } from './prometheus-file.js';
import { PrometheusRunSerializer } from './prometheus-serializer.js';
import { parseGatewayUrl, pushToGateway } from './pushgateway.js';

/** The Pushgateway `job` when `--job` is not given. */
export const DEFAULT_JOB = 'llm-lens';

/** Where a run's metrics go: a file, a Pushgateway, or both. */
export interface PrometheusRunExporterOptions {
  /** The `.prom` file, written atomically once the summary is in. */
  path?: string | undefined;
  /** The Pushgateway's base URL; the run is pushed to `<url>/metrics/job/<job>/run_id/<run id>`. */
  pushgateway?: string | undefined;
  /** The Pushgateway `job`. Default {@link DEFAULT_JOB}. */
  job?: string | undefined;
  /** Push timeout, ms. Default 30,000. */
  pushTimeoutMs?: number | undefined;
}

/**
 * A RunExporter for Prometheus: every record goes to a {@link PrometheusRunSerializer} as
 * it finishes (memory is per series, not per record), and the summary's `export` writes the
 * text to the file and/or pushes it. A run that ends without a summary writes nothing.
 */
export class PrometheusRunExporter implements RunExporter {
  readonly serializer = new PrometheusRunSerializer();
  readonly path: string | undefined;
  readonly pushgateway: string | undefined;
  readonly job: string;
  readonly #pushTimeoutMs: number | undefined;

  constructor(options: PrometheusRunExporterOptions) {
    if (options.path === undefined && options.pushgateway === undefined) {
      throw new PrometheusExportError(
        'LENS_EXPORT_PROMETHEUS_TARGET',
        'the prometheus format needs a file or a Pushgateway: give --export prometheus=FILE.prom, or --pushgateway http://HOST:9091 (or both)',
      );
    }
    if (options.pushgateway !== undefined) parseGatewayUrl(options.pushgateway);
    const job = options.job ?? DEFAULT_JOB;
    if (job.trim() === '') {
      throw new PrometheusExportError(
        'LENS_EXPORT_PROMETHEUS_TARGET',
        `--job ${JSON.stringify(job)} is empty: give the Pushgateway job a name, e.g. --job ci (default ${DEFAULT_JOB})`,
      );
    }
    this.path = options.path;
    this.pushgateway = options.pushgateway;
    this.job = job;
    this.#pushTimeoutMs = options.pushTimeoutMs;
  }

  write(record: RequestRecord): boolean {
    this.serializer.observe(record);
    return true;
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {}

  async export(summary: RunSummary): Promise<void> {
    this.serializer.setSummary(summary);
    const text = await this.serializer.serialize();
    if (this.path !== undefined) writePrometheusFile(this.path, text);
    if (this.pushgateway !== undefined) {
      await pushToGateway({
        url: this.pushgateway,
        job: this.job,
        groupingKey: { run_id: summary.run.run_id },
        body: text,
        ...(this.#pushTimeoutMs === undefined ? {} : { timeoutMs: this.#pushTimeoutMs }),
      });
    }
  }
}
