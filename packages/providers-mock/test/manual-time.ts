import type { SchedulerTimers } from '../src/deadline-scheduler.js';

/** One millisecond in ns. */
export const MS = 1_000_000n;

/**
 * Hand-driven time. Timeouts fire `earlyNs` before the time they asked for, imitating Node
 * timers, which may fire up to about 1 ms early against hrtime.
 */
export class ManualTime implements SchedulerTimers {
  nowNs = 0n;
  readonly log: string[] = [];
  #timeouts: Array<{ callback: () => void; atNs: bigint }> = [];
  #immediates: Array<() => void> = [];

  constructor(readonly earlyNs = 0n) {}

  now = (): bigint => this.nowNs;

  setTimeout(callback: () => void, ms: number): unknown {
    this.log.push(`timeout ${ms}ms`);
    const handle = { callback, atNs: this.nowNs + BigInt(ms) * MS - this.earlyNs };
    this.#timeouts.push(handle);
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.#timeouts = this.#timeouts.filter((entry) => entry !== handle);
  }

  setImmediate(callback: () => void): unknown {
    this.#immediates.push(callback);
    return callback;
  }

  clearImmediate(handle: unknown): void {
    this.#immediates = this.#immediates.filter((entry) => entry !== handle);
  }

  /** Runs the next immediate (advancing 10 µs, one poll turn) or the earliest timeout. */
  step(): boolean {
    const immediate = this.#immediates.shift();
    if (immediate !== undefined) {
      this.nowNs += 10_000n;
      immediate();
      return true;
    }
    this.#timeouts.sort((a, b) => (a.atNs < b.atNs ? -1 : 1));
    const timeout = this.#timeouts.shift();
    if (timeout === undefined) return false;
    if (timeout.atNs > this.nowNs) this.nowNs = timeout.atNs;
    timeout.callback();
    return true;
  }

  runUntilIdle(limit = 100_000): void {
    for (let i = 0; i < limit && this.step(); i++);
  }
}
