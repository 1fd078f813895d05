import { GROUP_STATISTIC_COLUMNS } from './group-columns.js';
import { HistoryError } from './history-error.js';
import type { SqlBackend, SqlDialect, SqlSession } from './sql-backend.js';

/** One step of the schema; applied once, in version order, inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  statements(dialect: SqlDialect): string[];
}

// Column types that differ: the summary is JSONB on PostgreSQL (queryable by hand), text on
// SQLite; the records blob is BYTEA or BLOB. DOUBLE PRECISION, not REAL: REAL is 4 bytes on
// PostgreSQL. Times are ISO 8601 UTC text on both, which sorts as time.
const TYPES: Record<SqlDialect, { json: string; blob: string }> = {
  sqlite: { json: 'TEXT', blob: 'BLOB' },
  postgres: { json: 'JSONB', blob: 'BYTEA' },
};

const COUNT_COLUMNS = new Set(['requests_total', 'requests_succeeded']);

/** Every migration this version knows, oldest first. Append only: never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, tags, group statistics, records',
    statements: (dialect) => [
      `CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        saved_at TEXT NOT NULL,
        started_at TEXT NOT NULL,
        name TEXT,
        tags TEXT NOT NULL,
        config_hash TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        git_commit TEXT,
        hostname TEXT NOT NULL,
        platform TEXT NOT NULL,
        arch TEXT NOT NULL,
        cpu_model TEXT NOT NULL,
        cpu_count INTEGER NOT NULL,
        node_version TEXT NOT NULL,
        summary ${TYPES[dialect].json} NOT NULL
      )`,
      'CREATE INDEX runs_started_at ON runs (started_at)',
      `CREATE TABLE run_tags (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (run_id, tag)
      )`,
      'CREATE INDEX run_tags_tag ON run_tags (tag)',
      `CREATE TABLE run_groups (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        group_index INTEGER NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        scenario TEXT NOT NULL,
        ${GROUP_STATISTIC_COLUMNS.map(
          (column) => `${column} ${COUNT_COLUMNS.has(column) ? 'INTEGER' : 'DOUBLE PRECISION'}`,
        ).join(',\n        ')},
        PRIMARY KEY (run_id, group_index)
      )`,
      'CREATE INDEX run_groups_key ON run_groups (provider, model, scenario)',
      `CREATE TABLE run_records (
        run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        record_count INTEGER NOT NULL,
        records ${TYPES[dialect].blob} NOT NULL
      )`,
    ],
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the database to SCHEMA_VERSION: creates `schema_migrations` if missing and applies,
 * in one transaction, each migration it does not list. Throws when the database is newer.
 * Resolves to the versions applied now (none when it was current).
 */
export function migrate(backend: SqlBackend): Promise<number[]> {
  return backend.migrate(async (session) => {
    await session.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL
      )`,
    );
    const applied = new Set(await appliedVersions(session));
    const newest = Math.max(0, ...applied);
    if (newest > SCHEMA_VERSION) {
      throw new HistoryError(
        'LENS_HISTORY_SCHEMA_NEWER',
        `history: ${backend.location} has schema version ${newest}, newer than the ${SCHEMA_VERSION} this llm-lens knows; upgrade llm-lens to use it, or use another history location`,
      );
    }
    const done: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements(backend.dialect)) await session.run(statement);
      await session.run(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
        [migration.version, migration.name, new Date().toISOString()],
      );
      done.push(migration.version);
    }
    return done;
  });
}

/** The versions listed in `schema_migrations`, ascending. */
export async function appliedVersions(session: SqlSession): Promise<number[]> {
  const rows = await session.all('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((row) => Number(row.version));
}
