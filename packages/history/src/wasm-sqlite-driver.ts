import { createRequire } from 'node:module';
import { HistoryError } from './history-error.js';
import type { SqliteConnection, SqliteDriver } from './sqlite-driver.js';

type WasmSqliteModule = typeof import('node-sqlite3-wasm');

let driver: SqliteDriver | undefined;

/** The WebAssembly SQLite driver (node-sqlite3-wasm), loaded on first use. */
export function loadWasmSqliteDriver(): SqliteDriver {
  if (driver !== undefined) return driver;
  // Loaded lazily: compiling the WebAssembly module costs time that node:sqlite users need not pay.
  const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as WasmSqliteModule;
  driver = {
    name: 'wasm',
    open(path: string): SqliteConnection {
      let db: InstanceType<WasmSqliteModule['Database']>;
      try {
        db = new Database(path);
      } catch (error) {
        throw new HistoryError(
          'LENS_HISTORY_DATABASE_FAILED',
          `history: cannot open the SQLite database ${path} (${(error as Error).message}); check that its directory exists and is writable`,
          { cause: error },
        );
      }
      return {
        exec: (sql) => db.exec(sql),
        run: (sql, params) => db.run(sql, [...params]).changes,
        all: (sql, params) => db.all(sql, [...params]),
        close: () => db.close(),
      };
    },
  };
  return driver;
}
