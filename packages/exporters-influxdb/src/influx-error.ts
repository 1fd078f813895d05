/** Stable codes of {@link InfluxExportError}. */
export type InfluxExportErrorCode =
  /** The `--influx-*` options do not say where to write, or say it twice. */
  | 'LENS_EXPORT_INFLUX_OPTIONS'
  /** A point cannot be written as line protocol (no field, a non-finite timestamp). */
  | 'LENS_EXPORT_INFLUX_POINT'
  /** InfluxDB refused a write, or could not be reached. */
  | 'LENS_EXPORT_INFLUX_WRITE';

/**
 * An error of the InfluxDB exporter. Its message names the option, URL or point at fault and
 * never holds the token: URLs lose their user info and any text a server sends back has the
 * token cut out before it is quoted.
 */
export class InfluxExportError extends Error {
  override readonly name = 'InfluxExportError';

  constructor(
    readonly code: InfluxExportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
