/** Stable codes of {@link HistoryError}. */
export type HistoryErrorCode =
  /** `openHistory`'s location is neither a file path nor a PostgreSQL URL. */
  | 'LENS_HISTORY_LOCATION_INVALID'
  /** The database could not be opened, read or written. */
  | 'LENS_HISTORY_DATABASE_FAILED'
  /** The database was migrated by a newer llm-lens than this one. */
  | 'LENS_HISTORY_SCHEMA_NEWER'
  /** No run has this id or id prefix. */
  | 'LENS_HISTORY_RUN_NOT_FOUND'
  /** More than one run starts with this id prefix. */
  | 'LENS_HISTORY_RUN_AMBIGUOUS'
  /** A run with this id is already stored. */
  | 'LENS_HISTORY_RUN_EXISTS'
  /** A field of an entry or of a query is not valid. */
  | 'LENS_HISTORY_VALUE_INVALID'
  /** Another process held the database's lock file for longer than the lock timeout. */
  | 'LENS_HISTORY_LOCK_TIMEOUT'
  /** The stored records of a run cannot be decoded. */
  | 'LENS_HISTORY_RECORDS_INVALID'
  /** The store was used after `close()`. */
  | 'LENS_HISTORY_CLOSED';

/** Every failure of this package; `code` is stable, the message says what to do. */
export class HistoryError extends Error {
  override readonly name = 'HistoryError';
  readonly code: HistoryErrorCode;

  constructor(code: HistoryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
