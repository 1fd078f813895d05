import { HistoryError } from './history-error.js';
import { loadNodeSqliteDriver } from './node-sqlite-driver.js';
import type { SqlRow, SqlValue } from './sql-backend.js';
import { loadWasmSqliteDriver } from './wasm-sqlite-driver.js';

/** The SQLite implementations this package can use; neither needs a native build. */
export type SqliteDriverName = 'node' | 'wasm';

/** One open SQLite database file, used synchronously. */
export interface SqliteConnection {
  exec(sql: string): void;
  run(sql: string, params: readonly SqlValue[]): number;
  all(sql: string, params: readonly SqlValue[]): SqlRow[];
  close(): void;
}

/** Opens database files with one SQLite implementation. */
export interface SqliteDriver {
  readonly name: SqliteDriverName;
  open(path: string): SqliteConnection;
}

/** The SQLite drivers this Node can use, best first: `node` (node:sqlite) where it exists, then `wasm`. */
export async function availableSqliteDrivers(): Promise<SqliteDriverName[]> {
  const native = await loadNodeSqliteDriver();
  return native === undefined ? ['wasm'] : ['node', 'wasm'];
}

/** The driver named, or the best available one. */
export async function loadSqliteDriver(name?: SqliteDriverName): Promise<SqliteDriver> {
  if (name === 'wasm') return loadWasmSqliteDriver();
  const native = await loadNodeSqliteDriver();
  if (native !== undefined) return native;
  if (name === 'node') {
    throw new HistoryError(
      'LENS_HISTORY_VALUE_INVALID',
      `history: sqliteDriver "node" needs node:sqlite, which Node ${process.version} does not have without a flag (it has it from 22.13); use sqliteDriver "wasm" or leave it unset`,
    );
  }
  return loadWasmSqliteDriver();
}
