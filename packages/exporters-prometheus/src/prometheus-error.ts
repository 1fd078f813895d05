/** Stable codes of the errors this package throws. */
export type PrometheusErrorCode =
  /** The format was selected with neither a file nor `--pushgateway`, or with a bad option value. */
  | 'LENS_EXPORT_PROMETHEUS_TARGET'
  /** The `.prom` file could not be written. */
  | 'LENS_EXPORT_PROMETHEUS_WRITE'
  /** The Pushgateway refused the push or could not be reached. */
  | 'LENS_EXPORT_PROMETHEUS_PUSH';

/** The one error class of @llm-lens/exporters-prometheus; `code` is stable, the message says what to fix. */
export class PrometheusExportError extends Error {
  readonly code: PrometheusErrorCode;

  constructor(code: PrometheusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PrometheusExportError';
    this.code = code;
  }
}
