import type { ExporterFactory, ExportTarget } from '@llm-lens/metrics';
import { DEFAULT_SERVICE_NAME, OtelRunExporter } from './otel-run-exporter.js';

/** The `otel` options' values, as the CLI passes them. */
function optionString(target: ExportTarget, name: string): string | undefined {
  const value = target.options?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * `otel`: a span per request and the GenAI client metrics, pushed over OTLP/HTTP (JSON) to
 * `--otlp-endpoint`, written as OTLP JSON Lines to a file, or both. With neither,
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is the endpoint, as for any OpenTelemetry exporter.
 */
export const otelFormat: ExporterFactory = {
  format: 'otel',
  description:
    'OpenTelemetry spans and GenAI metrics, to an OTLP/HTTP endpoint or an OTLP JSON Lines file',
  extensions: ['.otlp.jsonl'],
  options: {
    'otlp-endpoint': {
      type: 'string',
      describe:
        'push spans and metrics to this OTLP/HTTP receiver (base URL, e.g. http://localhost:4318); headers from OTEL_EXPORTER_OTLP_HEADERS',
      selectsFormat: true,
    },
    'otel-service-name': {
      type: 'string',
      describe: 'service.name of the exported resource',
      default: DEFAULT_SERVICE_NAME,
    },
  },
  createRunExporter: (target) => {
    const path = target.path !== undefined && target.path !== '' ? target.path : undefined;
    const endpoint =
      optionString(target, 'otlp-endpoint') ??
      (path === undefined ? process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined : undefined);
    return new OtelRunExporter({
      endpoint,
      path,
      serviceName: optionString(target, 'otel-service-name'),
      recordTokens: target.recordTokens === true,
    });
  },
};

/** The formats of this package, as the CLI discovers them. */
export const exporterFactories: readonly ExporterFactory[] = [otelFormat];
