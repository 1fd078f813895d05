/** Stable codes of the errors this package throws. */
export type MetricsErrorCode =
  | 'LENS_METRICS_VALUE_INVALID'
  | 'LENS_METRICS_DECODE_FAILED'
  | 'LENS_METRICS_ENCODING_UNSUPPORTED'
  | 'LENS_EXPORT_PATH_MISSING';

/** The one error class of @llm-lens/metrics; `code` is stable, the message says what to fix. */
export class MetricsError extends Error {
  readonly code: MetricsErrorCode;

  constructor(code: MetricsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricsError';
    this.code = code;
  }
}
