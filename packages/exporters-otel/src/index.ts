export { exporterFactories, otelFormat } from './exporter-factories.js';
export type { GenAiInstruments } from './genai-metrics.js';
export {
  createGenAiInstruments,
  isMeasured,
  metricAttributes,
  recordRequestMetrics,
} from './genai-metrics.js';
export { OnDemandMetricReader } from './on-demand-metric-reader.js';
export type { OtelExportErrorCode } from './otel-export-error.js';
export { OtelExportError } from './otel-export-error.js';
export type { OtelRunExporterOptions } from './otel-run-exporter.js';
export {
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_OTLP_TIMEOUT_MS,
  DEFAULT_SERVICE_NAME,
  OtelRunExporter,
} from './otel-run-exporter.js';
export type { OtlpEndpoint } from './otlp-endpoint.js';
export { otlpEndpoint } from './otlp-endpoint.js';
export { OtlpFileMetricExporter, OtlpFileSpanExporter, OtlpJsonLinesFile } from './otlp-file.js';
export type { OtlpAnyValue, OtlpKeyValue } from './otlp-json.js';
export {
  encodeMetricsRequest,
  encodeTraceRequest,
  hrTimeToUnixNano,
  otlpAttributes,
} from './otlp-json.js';
export type { RequestPhase, RequestSpanOptions, SpanIds, SpanSource } from './request-span.js';
export {
  epochMsToNs,
  genAiProviderName,
  hrTimeOfNs,
  phaseOf,
  requestSpan,
  requestSpanAttributes,
  runSpan,
  spanDurationNs,
} from './request-span.js';
export * as semconv from './semconv.js';
