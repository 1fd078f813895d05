import { rmdirSync } from 'node:fs';
import { HistoryError } from './history-error.js';
import { type LockFileOptions, withLockFile } from './lock-file.js';
import type { SqlBackend, SqlSession } from './sql-backend.js';
import type { SqliteConnection, SqliteDriver } from './sqlite-driver.js';

/**
 * A history in one SQLite file, every transaction under the lock file `<path>.lens-lock`.
 * Not `<path>.lock`: the WebAssembly driver takes that name for a lock directory of its own,
 * which node:sqlite (POSIX locks) does not see and which a crashed process leaves behind.
 */
export class SqliteBackend implements SqlBackend {
  readonly name;
  readonly dialect = 'sqlite' as const;
  readonly location: string;
  readonly lockPath: string;
  readonly #driver: SqliteDriver;
  readonly #lock: LockFileOptions;

  constructor(path: string, driver: SqliteDriver, lock: LockFileOptions = {}) {
    this.location = path;
    this.lockPath = `${path}.lens-lock`;
    this.name = driver.name === 'node' ? ('sqlite-node' as const) : ('sqlite-wasm' as const);
    this.#driver = driver;
    this.#lock = lock;
  }

  write<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    // IMMEDIATE: take SQLite's write lock at BEGIN, for any other program using the file.
    return this.#transaction('BEGIN IMMEDIATE', work);
  }

  read<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    // Reads take the lock file too (briefly): without it, a reader through the WebAssembly
    // driver could see a writer's half-written pages.
    return this.#transaction('BEGIN', work);
  }

  migrate<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.write(work);
  }

  async close(): Promise<void> {}

  #transaction<T>(begin: string, work: (session: SqlSession) => Promise<T>): Promise<T> {
    return withLockFile(this.lockPath, this.#lock, async () => {
      this.#removeStaleDriverLock();
      // A connection per transaction: the WebAssembly driver cannot tell that another process
      // changed the file, so a connection kept open could serve pages from its cache.
      const connection = this.#driver.open(this.location);
      try {
        this.#call(() => {
          // DELETE, never WAL: WAL needs shared memory, which the WebAssembly file layer lacks.
          connection.exec('PRAGMA journal_mode = DELETE');
          connection.exec('PRAGMA foreign_keys = ON');
          connection.exec('PRAGMA busy_timeout = 5000');
          connection.exec(begin);
        });
        let result: T;
        try {
          result = await work(this.#session(connection));
          this.#call(() => connection.exec('COMMIT'));
        } catch (error) {
          try {
            connection.exec('ROLLBACK');
          } catch {
            // SQLite already rolled back (a failed COMMIT does); the first error is the one to report.
          }
          throw error;
        }
        return result;
      } finally {
        connection.close();
      }
    });
  }

  /**
   * Every llm-lens process opens the file only while it holds the lens lock, and the
   * WebAssembly driver removes its `<path>.lock` directory when it closes; one still there now
   * was left by a process that died. It must go: the driver would report the database locked
   * forever, and SQLite would not roll back the dead process's journal while it exists.
   */
  #removeStaleDriverLock(): void {
    try {
      rmdirSync(`${this.location}.lock`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw new HistoryError(
          'LENS_HISTORY_DATABASE_FAILED',
          `history: cannot remove the stale SQLite lock directory ${this.location}.lock (${(error as Error).message}); remove it by hand once no llm-lens process uses the history`,
          { cause: error },
        );
      }
    }
  }

  #session(connection: SqliteConnection): SqlSession {
    return {
      run: async (sql, params = []) => this.#call(() => connection.run(sql, params)),
      all: async (sql, params = []) => this.#call(() => connection.all(sql, params)),
    };
  }

  #call<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      if (error instanceof HistoryError) throw error;
      throw new HistoryError(
        'LENS_HISTORY_DATABASE_FAILED',
        `history: SQLite failed on ${this.location} (${(error as Error).message}); if the file is not an llm-lens history, give another path`,
        { cause: error },
      );
    }
  }
}
