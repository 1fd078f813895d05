import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { HistoryError } from './history-error.js';
import type { HistoryStore } from './history-store.js';
import type { LockFileOptions } from './lock-file.js';
import { PostgresBackend } from './postgres-backend.js';
import { migrate } from './schema-migrations.js';
import type { SqlBackend } from './sql-backend.js';
import { SqlHistoryStore } from './sql-history-store.js';
import { SqliteBackend } from './sqlite-backend.js';
import { loadSqliteDriver, type SqliteDriverName } from './sqlite-driver.js';

export interface OpenHistoryOptions {
  /** SQLite only: `node` (node:sqlite) or `wasm`. Default `node` where this Node has it, else `wasm`. */
  sqliteDriver?: SqliteDriverName;
  /** SQLite only: how long to wait for the lock file and when to break it; see LockFileOptions. */
  lock?: LockFileOptions;
  /** PostgreSQL only: connections kept by the pool. Default 4. */
  maxConnections?: number;
}

/**
 * Where the history is kept by default: `$XDG_DATA_HOME/llm-lens/history.db`, or
 * `~/.local/share/llm-lens/history.db` when XDG_DATA_HOME is unset (or not absolute, as the
 * XDG spec says to ignore it then).
 */
export function defaultHistoryPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  const dataHome = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share');
  return join(dataHome, 'llm-lens', 'history.db');
}

/**
 * Opens (creating and migrating as needed) the history at `location`: a `postgres://` or
 * `postgresql://` URL, or a SQLite file path. Default {@link defaultHistoryPath}.
 */
export async function openHistory(
  location: string = defaultHistoryPath(),
  options: OpenHistoryOptions = {},
): Promise<HistoryStore> {
  const backend = await openBackend(location, options);
  try {
    await migrate(backend);
  } catch (error) {
    await backend.close();
    throw error;
  }
  return new SqlHistoryStore(backend);
}

async function openBackend(location: string, options: OpenHistoryOptions): Promise<SqlBackend> {
  if (typeof location !== 'string' || location.trim() === '') {
    throw new HistoryError(
      'LENS_HISTORY_LOCATION_INVALID',
      'history: the history location is empty; give a SQLite file path or a postgres:// URL',
    );
  }
  if (/^postgres(ql)?:\/\//i.test(location)) {
    return new PostgresBackend(
      location,
      options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections },
    );
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location);
  if (scheme !== null) {
    throw new HistoryError(
      'LENS_HISTORY_LOCATION_INVALID',
      `history: location scheme "${scheme[1]}:" is not supported; give a SQLite file path or a postgres:// (postgresql://) URL`,
    );
  }
  const path = resolve(location);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw new HistoryError(
      'LENS_HISTORY_DATABASE_FAILED',
      `history: cannot create the directory of ${path} (${(error as Error).message}); give a path in a writable directory`,
      { cause: error },
    );
  }
  return new SqliteBackend(path, await loadSqliteDriver(options.sqliteDriver), options.lock);
}
