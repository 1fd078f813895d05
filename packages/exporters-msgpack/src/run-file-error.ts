/** Stable codes of {@link RunFileError}. */
export type RunFileErrorCode =
  | 'LENS_EXPORT_MSGPACK_PATH'
  | 'LENS_EXPORT_MSGPACK_WRITE'
  | 'LENS_EXPORT_MSGPACK_READ'
  | 'LENS_EXPORT_MSGPACK_NOT_RUN_FILE'
  | 'LENS_EXPORT_MSGPACK_CORRUPT';

/** A run file that cannot be written or read, with the path it is about. */
export class RunFileError extends Error {
  constructor(
    readonly code: RunFileErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RunFileError';
  }
}
