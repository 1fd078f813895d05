import type { z } from '@llm-lens/config-fields';

/** What every load pattern is given: the scenario's request count and in-flight cap, and its own settings. */
export interface LoadShape {
  /**
   * Requests to send (measured ones, or warm-up ones in the warm-up phase); `Infinity` when
   * the phase is bounded by `durationMs` alone.
   */
  requests: number;
  /** Most requests in flight at once. */
  concurrency: number;
  /**
   * The phase's time limit, ms: the driver stops dispatching this long after the phase
   * started (`isStopped` turns true, sleepers wake). Undefined: no limit.
   */
  durationMs?: number;
  /** The pattern's own settings from the scenario's `load:` block, validated by its schema. */
  settings: Record<string, unknown>;
}

/** How a load pattern sends requests; one per phase and thread. */
export interface LoadDriver {
  /**
   * Sends one request that was due at `dueNs` (monotonic ns, e.g. from `now()` or a
   * schedule): its `queue` time and `e2e_from_schedule` count from there, so a client that
   * falls behind its schedule cannot hide it. `promptIndex` picks the item of the
   * scenario's prompt set (default: the pair's next one). Resolves once the request has
   * finished (its record is accounted for later, off the path that reads sockets); never
   * rejects.
   */
  send(dueNs: bigint, promptIndex?: number): Promise<void>;
  /** True once dispatching must stop (an interrupt, an early stop, the phase's duration): send nothing more. */
  readonly isStopped: boolean;
  /**
   * Caps requests in flight from now on: a request sent while `limit` are in flight waits
   * (first come, first served) until one finishes. It stays due at its scheduled time, so
   * the wait shows in `queue`, `ttft_from_schedule` and `e2e_from_schedule`, not in
   * `schedule_lag`. Default: no cap beyond the pattern's own.
   */
  limitInFlight(limit: number): void;
  /** Requests sent and not yet finished (waiting for a slot included). */
  readonly inFlight: number;
  /** Resolves at the monotonic time `ns`, or at once when dispatching stops. */
  sleepUntil(ns: bigint): Promise<void>;
  /** The monotonic clock, ns. */
  now(): bigint;
  /**
   * When the phase's schedule starts, monotonic ns: the same instant in every thread of the
   * run when the phase is the pair's first (the threads' schedules then interleave exactly),
   * else when this thread's phase began. It may be a little ahead of `now()`. A schedule
   * counts its due times from here.
   */
  readonly startNs: bigint;
}

/**
 * A way of scheduling requests, registered by its `type` (the `load.type` of a scenario),
 * like k6's executors. The executor runs every pattern the same way: it calls `run` with a
 * driver, in each thread that generates load, after `shard` gave that thread its share.
 * Packages export their patterns as `loadPatterns` (an array).
 */
export interface LoadPattern {
  readonly type: string;
  /** One line for `--help` and messages. */
  readonly description: string;
  /**
   * True when due times come from a clock (an open loop), not from finished requests: then
   * falling behind them is the client's own doing, and a `schedule_lag` p99 above the
   * fidelity threshold marks the run client-bound. A closed loop or a burst sends many
   * requests due at one instant, and handing them over one by one is not lag of that kind.
   */
  readonly schedulesArrivals?: boolean;
  /** The keys this pattern adds to a scenario's `load:` block (a zod object; may be empty). */
  readonly configSchema: z.ZodObject;
  /**
   * The share of `load` that thread `index` of `count` runs, or undefined when it gets none.
   * The shares must add up to the whole: the requests, and the concurrency or rate.
   */
  shard(load: LoadShape, index: number, count: number): LoadShape | undefined;
  /**
   * The most requests of `load` in flight at once (`Infinity`: no bound), which sizes the
   * connection pools and `workers: auto`. Default: `load.concurrency`.
   */
  maxInFlight?(load: LoadShape): number;
  /** Sends the load through `driver`; resolves when every request has finished or dispatching stopped. */
  run(load: LoadShape, driver: LoadDriver): Promise<void>;
}

/** Splits `total` into `count` near-equal integer parts; part `index` (the first ones get the remainder). */
export function evenShare(total: number, index: number, count: number): number {
  // An unbounded phase (one limited by its duration) is unbounded in every thread.
  if (!Number.isFinite(total)) return total;
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}

/**
 * Splits `total` into parts proportional to `weights` (largest-remainder rounding, ties to
 * the earlier part); part `index`. A part whose weight is 0 gets 0.
 */
export function proportionalShare(
  total: number,
  weights: readonly number[],
  index: number,
): number {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return 0;
  if (!Number.isFinite(total)) return (weights[index] ?? 0) > 0 ? total : 0;
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((value, i) => ({ i, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    if (weights[i]! > 0) {
      parts[i]! += 1;
      left--;
    }
  }
  return parts[index] ?? 0;
}
