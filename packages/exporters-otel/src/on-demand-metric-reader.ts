import { ExportResultCode } from '@opentelemetry/core';
import { MetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';

/**
 * A metric reader that collects and exports only when flushed: a benchmark's metrics go out
 * once, with the summary, not on a timer that would split a run across exports. A failed
 * collection or export rejects `forceFlush()`.
 */
export class OnDemandMetricReader extends MetricReader {
  constructor(
    private readonly exporter: PushMetricExporter,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  protected override async onForceFlush(): Promise<void> {
    const { resourceMetrics, errors } = await this.collect({ timeoutMillis: this.timeoutMs });
    if (errors.length > 0) throw errors[0];
    // An export from a summary alone recorded nothing: no empty request is sent.
    if (resourceMetrics.scopeMetrics.every((scope) => scope.metrics.length === 0)) return;
    await new Promise<void>((resolve, reject) => {
      this.exporter.export(resourceMetrics, (result) => {
        if (result.code === ExportResultCode.SUCCESS) resolve();
        else reject(result.error ?? new Error('the metrics export failed'));
      });
    });
  }

  protected override async onShutdown(): Promise<void> {
    await this.exporter.shutdown();
  }
}
