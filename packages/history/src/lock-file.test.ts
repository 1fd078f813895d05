import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryError } from './history-error.js';
import { acquireLockFile, releaseLockFile, withLockFile } from './lock-file.js';

let dir: string;
let lock: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lens-lock-'));
  lock = join(dir, 'history.db.lens-lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('withLockFile', () => {
  it('holds a file naming this process while the work runs, and removes it after', async () => {
    const inside = await withLockFile(lock, {}, () => JSON.parse(readFileSync(lock, 'utf8')));
    expect(inside.pid).toBe(process.pid);
    expect(inside.hostname).toBe(hostname());
    expect(typeof inside.token).toBe('string');
    expect(existsSync(lock)).toBe(false);
  });

  it('removes the lock when the work throws', async () => {
    await expect(
      withLockFile(lock, {}, () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(existsSync(lock)).toBe(false);
  });

  it('runs holders one at a time', async () => {
    const order: string[] = [];
    const hold = (name: string) =>
      withLockFile(lock, {}, async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    for (let i = 0; i < order.length; i += 2) {
      expect(order[i]!.replace(' in', '')).toBe(order[i + 1]!.replace(' out', ''));
    }
    expect(order).toHaveLength(6);
  });

  it('breaks a lock whose process on this host is dead', async () => {
    const stale = { pid: deadPid(), hostname: hostname(), acquired_at: Date.now(), token: 'old' };
    writeFileSync(lock, JSON.stringify(stale));
    expect(await withLockFile(lock, { timeoutMs: 1_000 }, () => 'ran')).toBe('ran');
    expect(existsSync(lock)).toBe(false);
    // The stale file moved aside to break it is gone too.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('breaks a lock older than staleMs even when its holder looks alive', async () => {
    const old = {
      pid: process.pid,
      hostname: 'other-host',
      acquired_at: Date.now() - 10_000,
      token: 'old',
    };
    writeFileSync(lock, JSON.stringify(old));
    expect(await withLockFile(lock, { staleMs: 5_000, timeoutMs: 1_000 }, () => 'ran')).toBe('ran');
  });

  it('gives up after timeoutMs on a live lock, naming its holder', async () => {
    const token = await acquireLockFile(lock);
    const error = await withLockFile(lock, { timeoutMs: 50 }, () => 'never').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HistoryError);
    expect((error as HistoryError).code).toBe('LENS_HISTORY_LOCK_TIMEOUT');
    expect((error as HistoryError).message).toContain(
      `held by pid ${process.pid} on ${hostname()}`,
    );
    releaseLockFile(lock, token);
    expect(existsSync(lock)).toBe(false);
  });

  it('does not remove a lock another holder took after its own was broken', async () => {
    const token = await acquireLockFile(lock);
    const other = {
      pid: process.pid,
      hostname: hostname(),
      acquired_at: Date.now(),
      token: 'theirs',
    };
    writeFileSync(lock, JSON.stringify(other));
    releaseLockFile(lock, token);
    expect(JSON.parse(readFileSync(lock, 'utf8')).token).toBe('theirs');
  });
});
