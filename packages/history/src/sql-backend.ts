// The few things the history store needs from a database, so one store serves SQLite
// (either driver) and PostgreSQL with the same SQL: `?` placeholders, standard types.

/** A value bound to a placeholder or read from a column. */
export type SqlValue = string | number | null | Uint8Array;

/** A row as the database returned it, by lower-case column name. */
export type SqlRow = Record<string, unknown>;

/** Statements run inside one transaction. */
export interface SqlSession {
  /** Runs a statement with `?` placeholders; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a query with `?` placeholders; resolves to its rows. */
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
}

/** Which SQL the backend speaks, where the two differ (column types, locking). */
export type SqlDialect = 'sqlite' | 'postgres';

/** The name of a backend, as `HistoryStore.backend` reports it. */
export type HistoryBackendName = 'sqlite-node' | 'sqlite-wasm' | 'postgres';

export interface SqlBackend {
  readonly name: HistoryBackendName;
  readonly dialect: SqlDialect;
  /** Where the data is: a file path, or a PostgreSQL URL without its password. */
  readonly location: string;
  /** Runs `work` in one transaction that may write, excluding every other writer. */
  write<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Runs `work` in one transaction that only reads. */
  read<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in a write transaction that no other process migrating the same database
   * runs at the same time.
   */
  migrate<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
