import pg from 'pg';
import { HistoryError } from './history-error.js';
import type { SqlBackend, SqlRow, SqlSession, SqlValue } from './sql-backend.js';

// Any constant works, as long as every llm-lens process uses the same one: it names the
// advisory lock that serializes migrations of one database.
const MIGRATION_LOCK_KEY = 0x6c656e73; // "lens"

export interface PostgresBackendOptions {
  /** Connections kept by the pool. Default 4. */
  maxConnections?: number;
}

/** A history in a PostgreSQL database. */
export class PostgresBackend implements SqlBackend {
  readonly name = 'postgres' as const;
  readonly dialect = 'postgres' as const;
  readonly location: string;
  readonly #pool: pg.Pool;

  constructor(url: string, options: PostgresBackendOptions = {}) {
    this.location = withoutPassword(url);
    this.#pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 4 });
    // An idle connection the server drops must not crash the process; the next query reports it.
    this.#pool.on('error', () => {});
  }

  write<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.#transaction(work, false);
  }

  read<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.#transaction(work, false);
  }

  migrate<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.#transaction(work, true);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #transaction<T>(
    work: (session: SqlSession) => Promise<T>,
    isMigration: boolean,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.#failure('cannot connect', error);
    }
    try {
      await this.#query(client, 'BEGIN', []);
      if (isMigration) {
        // Held until COMMIT: a second process migrating waits, then sees the migrations applied.
        await this.#query(client, 'SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      }
      const result = await work({
        run: async (sql, params = []) => (await this.#query(client, sql, params)).rowCount ?? 0,
        all: async (sql, params = []) => (await this.#query(client, sql, params)).rows,
      });
      await this.#query(client, 'COMMIT', []);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        // The connection is gone; the server rolled back. The first error is the one to report.
      });
      throw error;
    } finally {
      client.release();
    }
  }

  async #query(
    client: pg.PoolClient,
    sql: string,
    params: readonly SqlValue[],
  ): Promise<pg.QueryResult<SqlRow>> {
    try {
      return await client.query<SqlRow>(numberedPlaceholders(sql), [...params]);
    } catch (error) {
      throw this.#failure('query failed', error);
    }
  }

  #failure(what: string, error: unknown): HistoryError {
    return new HistoryError(
      'LENS_HISTORY_DATABASE_FAILED',
      `history: PostgreSQL at ${this.location}: ${what} (${(error as Error).message}); check the URL, that the server runs and that the user may create tables in the database`,
      { cause: error },
    );
  }
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`, ... (the store's SQL has no other `?`). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The URL with its password replaced by `***`, for messages and `location`. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}
