import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableSqliteDrivers, type HistoryStore, openHistory } from '../src/index.js';
import { loadSqliteDriver } from '../src/sqlite-driver.js';
import { type PostgresServer, startPostgres } from './postgres-server.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/save-runs.mjs', import.meta.url));

const WRITERS = 4;
const RUNS_EACH = 8;

/** The child processes import the built package: build it when dist/ is older than src/. */
function buildIfStale(): void {
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs));
  const built = join(packageDir, 'dist', 'index.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(packageDir, 'src'))) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
}

async function saveFromChildren(location: string, drivers: string[]): Promise<void> {
  await Promise.all(
    Array.from({ length: WRITERS }, (_, w) =>
      run(process.execPath, [
        script,
        location,
        drivers[w % drivers.length]!,
        `writer${w}`,
        String(RUNS_EACH),
      ]),
    ),
  );
}

async function expectEveryRun(store: HistoryStore): Promise<void> {
  const expected = Array.from({ length: WRITERS }, (_, w) =>
    Array.from({ length: RUNS_EACH }, (_, i) => `writer${w}-${String(i).padStart(3, '0')}`),
  ).flat();
  const entries = await store.list();
  expect(entries.map((e) => e.id).sort()).toEqual(expected.sort());
  expect(entries.every((e) => e.has_records)).toBe(true);
  for (const id of [expected[0]!, expected[expected.length - 1]!]) {
    let count = 0;
    for await (const record of (await store.records(id))!) {
      expect(record.ttftNs).toBe(BigInt(100_000_000 + count));
      count++;
    }
    expect(count).toBe(50);
  }
  const trend = await store.trend({ metric: 'ttft.p95', scenario: 'writer1' });
  expect(trend.map((p) => p.value)).toEqual(Array.from({ length: RUNS_EACH }, (_, i) => 150 + i));
}

const directories: string[] = [];
let server: PostgresServer | undefined;

beforeAll(async () => {
  buildIfStale();
  server = await startPostgres();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

describe('several processes saving at once', () => {
  it('loses no run in one SQLite file, with every driver this Node has writing together', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-history-'));
    directories.push(dir);
    const path = join(dir, 'history.db');
    const drivers = await availableSqliteDrivers();
    // The parent reads while the children write: every read sees whole transactions only.
    const observer = await openHistory(path, { sqliteDriver: 'wasm' });
    let isWriting = true;
    const seen: number[] = [];
    const reading = (async () => {
      while (isWriting) {
        seen.push((await observer.list()).length);
        // An uncontended read never leaves the microtask queue: let the children's exits in.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await saveFromChildren(path, drivers);
    isWriting = false;
    await reading;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    await expectEveryRun(observer);
    await observer.close();

    const driver = await loadSqliteDriver(drivers[0]);
    const db = driver.open(path);
    try {
      expect(db.all('PRAGMA integrity_check', [])).toEqual([{ integrity_check: 'ok' }]);
      expect(db.all('PRAGMA journal_mode', [])).toEqual([{ journal_mode: 'delete' }]);
    } finally {
      db.close();
    }
    expect(readdirSync(dir).sort()).toEqual(['history.db']);
  }, 60_000);

  it('loses no run in one PostgreSQL database that they all migrate at once', async () => {
    const url = await server!.createDatabase();
    await saveFromChildren(url, ['auto']);
    const store = await openHistory(url);
    try {
      await expectEveryRun(store);
    } finally {
      await store.close();
    }
  }, 60_000);
});
