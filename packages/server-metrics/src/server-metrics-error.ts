/** Stable codes of {@link ServerMetricsError}; users and scripts may match on them. */
export const SERVER_METRICS_ERROR_CODES = [
  /** The scrape URL is not an absolute http(s) URL. */
  'LENS_SERVER_METRICS_URL_INVALID',
  /** An option of `startServerMetrics` is out of range or of the wrong type. */
  'LENS_SERVER_METRICS_OPTION_INVALID',
] as const;

export type ServerMetricsErrorCode = (typeof SERVER_METRICS_ERROR_CODES)[number];

/**
 * The one error class of @llm-lens/server-metrics; `code` is stable, `message` says what to
 * fix. Only bad options throw: nothing a scraped server sends does.
 */
export class ServerMetricsError extends Error {
  override readonly name = 'ServerMetricsError';
  readonly code: ServerMetricsErrorCode;

  constructor(code: ServerMetricsErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
