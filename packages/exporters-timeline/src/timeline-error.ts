/** Stable codes of {@link TimelineExportError}. */
export type TimelineExportErrorCode = 'LENS_EXPORT_TIMELINE_PATH' | 'LENS_EXPORT_TIMELINE_WRITE';

/** A timeline that cannot be written: no file given, or the file system refused it. */
export class TimelineExportError extends Error {
  constructor(
    readonly code: TimelineExportErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TimelineExportError';
  }
}
