import type { ExporterFactory, ExportTarget } from '@llm-lens/metrics';
import { DEFAULT_JOB, PrometheusRunExporter } from './prometheus-run-exporter.js';

/** `prometheus`: histograms, counters and exact quantile gauges, to a `.prom` file and/or a Pushgateway. */
export const prometheusFormat: ExporterFactory = {
  format: 'prometheus',
  description: 'Prometheus text exposition (OpenTelemetry GenAI names), to a file or a Pushgateway',
  extensions: ['.prom'],
  options: {
    pushgateway: {
      type: 'string',
      describe:
        'push the run to this Prometheus Pushgateway (e.g. http://localhost:9091), grouped by job and run_id',
      selectsFormat: true,
    },
    job: {
      type: 'string',
      describe: 'the Pushgateway job name',
      default: DEFAULT_JOB,
    },
  },
  createRunExporter: (target) =>
    new PrometheusRunExporter({
      path: target.path,
      pushgateway: stringOption(target, 'pushgateway'),
      job: stringOption(target, 'job'),
    }),
};

function stringOption(target: ExportTarget, name: string): string | undefined {
  const value = target.options?.[name];
  return value === undefined ? undefined : String(value);
}

/** The formats of this package, as the CLI discovers them. */
export const exporterFactories: readonly ExporterFactory[] = [prometheusFormat];
