export { exporterFactories, prometheusFormat } from './exporter-factories.js';
export type { PrometheusErrorCode } from './prometheus-error.js';
export { PrometheusExportError } from './prometheus-error.js';
export { writePrometheusFile } from './prometheus-file.js';
export type { PrometheusRunExporterOptions } from './prometheus-run-exporter.js';
export { DEFAULT_JOB, PrometheusRunExporter } from './prometheus-run-exporter.js';
export type { PrometheusLabels } from './prometheus-serializer.js';
export {
  METRIC_NAMES,
  PROMETHEUS_CONTENT_TYPE,
  PrometheusRunSerializer,
  QUANTILE_GAUGE_METRICS,
  quantileGaugeName,
} from './prometheus-serializer.js';
export type { PushgatewayPush } from './pushgateway.js';
export {
  DEFAULT_PUSH_TIMEOUT_MS,
  pushgatewayUrl,
  pushToGateway,
  redactUrl,
} from './pushgateway.js';
export {
  GEN_AI_ATTRIBUTES,
  GEN_AI_METRICS,
  GEN_AI_OPERATION_CHAT,
  prometheusName,
  SEMCONV_BUCKETS,
} from './semconv.js';
