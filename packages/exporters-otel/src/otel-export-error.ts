/** Stable codes of {@link OtelExportError}. */
export type OtelExportErrorCode =
  /** The options say nowhere to write (no file, no endpoint), or give an endpoint that is no http(s) URL. */
  | 'LENS_EXPORT_OTEL_OPTIONS'
  /** The OTLP endpoint refused an export, or could not be reached within the timeout. */
  | 'LENS_EXPORT_OTEL_PUSH'
  /** The OTLP JSON Lines file could not be written. */
  | 'LENS_EXPORT_OTEL_WRITE'
  /** Spans were left out because the caller kept writing past backpressure. */
  | 'LENS_EXPORT_OTEL_DROPPED';

/**
 * An error of the OpenTelemetry exporter. Its message names the option, file or URL at fault
 * and never holds a credential: URLs lose their user info and query, and the headers the OTLP
 * exporter reads from `OTEL_EXPORTER_OTLP_HEADERS` are never quoted (text a server sends back
 * has their values cut out).
 */
export class OtelExportError extends Error {
  override readonly name = 'OtelExportError';

  constructor(
    readonly code: OtelExportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
