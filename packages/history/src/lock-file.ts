import { randomUUID } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { HistoryError } from './history-error.js';

// SQLite's own locking cannot be relied on here: the WebAssembly build's file system layer
// has none, and a Node 20 writer (WebAssembly) and a Node 24 writer (node:sqlite) may share one
// file. So every transaction on a SQLite history first takes `<db>.lock`, created with O_EXCL:
// exactly one process can create it, on any local file system.

export interface LockFileOptions {
  /** Give up waiting for the lock after this long, ms. Default 30 000. */
  timeoutMs?: number;
  /**
   * A lock older than this is broken even when its process looks alive (a process on another
   * host, a reused pid), ms. Default 60 000; no transaction holds it nearly that long.
   */
  staleMs?: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
export const DEFAULT_STALE_LOCK_MS = 60_000;

/** What a lock file holds: who took it and when. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** Epoch ms. */
  acquired_at: number;
  /** Unique per acquisition, so a holder never removes a lock that is no longer its own. */
  token: string;
}

const FIRST_WAIT_MS = 2;
const LONGEST_WAIT_MS = 100;

/** Runs `work` while holding the lock file at `path`, waiting for it with backoff. */
export async function withLockFile<T>(
  path: string,
  options: LockFileOptions,
  work: () => T | Promise<T>,
): Promise<T> {
  const token = await acquireLockFile(path, options);
  try {
    return await work();
  } finally {
    releaseLockFile(path, token);
  }
}

/** Takes the lock at `path` and returns its token; see {@link withLockFile}. */
export async function acquireLockFile(
  path: string,
  options: LockFileOptions = {},
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = options.staleMs ?? DEFAULT_STALE_LOCK_MS;
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    acquired_at: 0,
    token: randomUUID(),
  };
  const started = Date.now();
  let waitMs = FIRST_WAIT_MS;
  for (;;) {
    holder.acquired_at = Date.now();
    if (tryCreate(path, holder)) return holder.token;
    const seen = readLock(path);
    if (seen === undefined) continue; // released between our attempt and the read
    if (isStale(seen, staleMs)) {
      breakStaleLock(path, seen.raw);
      continue;
    }
    if (Date.now() - started >= timeoutMs) {
      throw new HistoryError(
        'LENS_HISTORY_LOCK_TIMEOUT',
        `history: waited ${timeoutMs} ms for the lock file ${path}, held by ${describeHolder(seen)}; if no llm-lens process is writing this history, delete the lock file`,
      );
    }
    // Jitter keeps waiters that started together from retrying together.
    await sleep(waitMs * (0.5 + Math.random()));
    waitMs = Math.min(waitMs * 2, LONGEST_WAIT_MS);
  }
}

/** Removes the lock at `path` if it is still the one `token` took. */
export function releaseLockFile(path: string, token: string): void {
  const seen = readLock(path);
  if (seen?.holder?.token !== token) return; // broken as stale meanwhile: it is not ours to remove
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw lockFailure(path, error);
  }
}

function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw lockFailure(path, error);
  }
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

interface SeenLock {
  raw: string;
  /** Undefined while its creator has not written it yet, or when it is not ours. */
  holder: LockHolder | undefined;
  /** Epoch ms of the last change of the file. */
  modifiedMs: number;
}

function readLock(path: string): SeenLock | undefined {
  try {
    const modifiedMs = statSync(path).mtimeMs;
    const raw = readFileSync(path, 'utf8');
    return { raw, holder: parseHolder(raw), modifiedMs };
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw lockFailure(path, error);
  }
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockHolder>;
    if (
      typeof value.pid === 'number' &&
      typeof value.hostname === 'string' &&
      typeof value.acquired_at === 'number' &&
      typeof value.token === 'string'
    ) {
      return value as LockHolder;
    }
  } catch {
    // Empty (its creator is between open and write) or not ours: judged by its age alone.
  }
  return undefined;
}

function isStale(seen: SeenLock, staleMs: number): boolean {
  const holder = seen.holder;
  if (holder !== undefined && holder.hostname === hostname() && !isProcessAlive(holder.pid)) {
    return true;
  }
  const since = holder?.acquired_at ?? seen.modifiedMs;
  return Date.now() - since > staleMs;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return isCode(error, 'EPERM');
  }
}

/**
 * Removes a stale lock without removing a live one that replaced it: the stale file is moved
 * aside atomically, and if what was moved is not what was judged stale, it is linked back
 * (link, like O_EXCL, fails rather than overwrite a lock taken meanwhile).
 */
function breakStaleLock(path: string, judgedRaw: string): void {
  const aside = `${path}.stale-${process.pid}-${randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw lockFailure(path, error);
  }
  try {
    if (readFileSync(aside, 'utf8') !== judgedRaw) {
      try {
        linkSync(aside, path);
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw lockFailure(path, error);
      }
    }
  } finally {
    unlinkSync(aside);
  }
}

function describeHolder(seen: SeenLock): string {
  const holder = seen.holder;
  if (holder === undefined) return 'a process that has not written its pid yet';
  return `pid ${holder.pid} on ${holder.hostname} since ${new Date(holder.acquired_at).toISOString()}`;
}

function lockFailure(path: string, error: unknown): HistoryError {
  return new HistoryError(
    'LENS_HISTORY_DATABASE_FAILED',
    `history: cannot use the lock file ${path} (${(error as Error).message}); the directory of the history database must be writable`,
    { cause: error },
  );
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}
