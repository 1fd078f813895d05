export { exporterFactories, influxdbFormat } from './exporter-factories.js';
export type { InfluxExportErrorCode } from './influx-error.js';
export { InfluxExportError } from './influx-error.js';
export type { InfluxHttpWriterOptions } from './influx-http-writer.js';
export { InfluxHttpWriter, postLineProtocol } from './influx-http-writer.js';
export type { InfluxHttpTarget } from './influx-options.js';
export { DEFAULT_TOKEN_ENV, INFLUX_OPTIONS, resolveInfluxTarget } from './influx-options.js';
export {
  ERROR_MESSAGE_MAX_CHARS,
  formatRequestLine,
  formatSummaryLines,
  REQUEST_MEASUREMENT,
  requestPhase,
  requestPoint,
  SUMMARY_MEASUREMENT,
  summaryPoints,
} from './influx-points.js';
export type { InfluxRunExporterOptions } from './influx-run-exporter.js';
export { InfluxRunExporter } from './influx-run-exporter.js';
export { LineFileWriter } from './line-file-writer.js';
export type { FieldValue, Point } from './line-protocol.js';
export {
  epochMsToNs,
  escapeKey,
  escapeMeasurement,
  formatFieldSet,
  formatFieldValue,
  formatPoint,
  formatSeriesKey,
  formatStringField,
} from './line-protocol.js';
export { UniqueTimestamps } from './unique-timestamps.js';
