import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableSqliteDrivers, openHistory, type SqliteDriverName } from '../src/index.js';
import { loadSqliteDriver } from '../src/sqlite-driver.js';
import { describeHistoryStore, type StoreFixture } from './history-store-suite.js';
import { type PostgresServer, startPostgres } from './postgres-server.js';

const drivers = await availableSqliteDrivers();

describe('SQLite drivers', () => {
  it('has node:sqlite and the WebAssembly driver on Node >= 22.13, the WebAssembly one before', () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    // node:sqlite loads without a flag from 22.13 (and 23.4); earlier, only the WebAssembly driver runs.
    const hasNodeSqlite = major > 22 || (major === 22 && minor >= 13);
    expect(drivers).toEqual(hasNodeSqlite ? ['node', 'wasm'] : ['wasm']);
  });
});

const directories: string[] = [];
afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

function sqliteFixture(driverName: SqliteDriverName) {
  return async (): Promise<StoreFixture> => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-history-'));
    directories.push(dir);
    const path = join(dir, 'nested', 'history.db');
    const driver = await loadSqliteDriver(driverName);
    const direct = <T>(use: (db: ReturnType<typeof driver.open>) => T): T => {
      const db = driver.open(path);
      try {
        return use(db);
      } finally {
        db.close();
      }
    };
    return {
      open: () => openHistory(path, { sqliteDriver: driverName }),
      exec: async (sql) => direct((db) => db.exec(sql)),
      query: async (sql) => direct((db) => db.all(sql, [])),
    };
  };
}

for (const driver of drivers) describeHistoryStore(`SQLite (${driver})`, sqliteFixture(driver));

let server: PostgresServer | undefined;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describeHistoryStore('PostgreSQL', async () => {
  const url = await server!.createDatabase();
  const direct = async <T>(use: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  };
  return {
    open: () => openHistory(url),
    exec: (sql) => direct(async (client) => void (await client.query(sql))),
    query: (sql) => direct(async (client) => (await client.query(sql)).rows),
  };
});
