import { HistoryError } from './history-error.js';
import type { SqlRow, SqlValue } from './sql-backend.js';
import type { SqliteConnection, SqliteDriver } from './sqlite-driver.js';

// node:sqlite exists from Node 22.5 (behind --experimental-sqlite until 22.13); the Node 20
// type definitions this package builds with do not know it, hence these few declarations.
interface NodeStatementSync {
  run(...params: SqlValue[]): { changes: number | bigint };
  all(...params: SqlValue[]): SqlRow[];
}
interface NodeDatabaseSync {
  exec(sql: string): void;
  prepare(sql: string): NodeStatementSync;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string) => NodeDatabaseSync;
}

let loading: Promise<SqliteDriver | undefined> | undefined;

/** The node:sqlite driver, or undefined when this Node has no node:sqlite. */
export function loadNodeSqliteDriver(): Promise<SqliteDriver | undefined> {
  loading ??= importNodeSqlite().then((module) =>
    module === undefined ? undefined : nodeSqliteDriver(module),
  );
  return loading;
}

async function importNodeSqlite(): Promise<NodeSqliteModule | undefined> {
  // Loading node:sqlite prints an ExperimentalWarning on stderr, which would end up in the
  // output of every llm-lens command that touches the history; that one warning is dropped.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/SQLite is an experimental feature/.test(text)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const specifier = 'node:sqlite';
    return (await import(specifier)) as NodeSqliteModule;
  } catch {
    // No such built-in module on this Node (or not without its flag): the WebAssembly driver serves.
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}

function nodeSqliteDriver(module: NodeSqliteModule): SqliteDriver {
  return {
    name: 'node',
    open(path: string): SqliteConnection {
      let db: NodeDatabaseSync;
      try {
        db = new module.DatabaseSync(path);
      } catch (error) {
        throw new HistoryError(
          'LENS_HISTORY_DATABASE_FAILED',
          `history: cannot open the SQLite database ${path} (${(error as Error).message}); check that its directory exists and is writable`,
          { cause: error },
        );
      }
      return {
        exec: (sql) => db.exec(sql),
        run: (sql, params) => Number(db.prepare(sql).run(...params).changes),
        all: (sql, params) => db.prepare(sql).all(...params),
        close: () => db.close(),
      };
    },
  };
}
