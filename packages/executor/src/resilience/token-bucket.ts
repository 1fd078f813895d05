import { ExecutorError } from '../executor-error.js';

const MINUTE_NS = 60_000_000_000n;

export interface TokenBucketOptions {
  /** Most units (requests or tokens) admitted in any 60 s; an integer >= 1. */
  limitPerMinute: number;
  /** Units that may go at once after an idle spell; an integer in [1, limitPerMinute]. Default 1. */
  burst?: number;
  /** Names the bucket in error messages (`rate_limits.tokens_per_minute`). */
  label?: string;
}

/**
 * A token bucket that keeps every 60-second window within `limitPerMinute`.
 *
 * A bucket of capacity `burst` refilled at L per minute admits up to burst + L − 1 units in
 * a 60 s window (a full bucket at the start, a minute of refill after it), so a bucket that
 * holds a minute's worth lets almost twice the limit through in the first minute. This one
 * refills at L − burst + 1 per minute instead: any 60 s window then holds at most L units,
 * as long as no single reservation is larger than `burst`. With the default burst of 1 the
 * refill is exactly L and requests are paced evenly, one every 60/L s.
 *
 * Reservations are taken in order and may leave the bucket in debt: a reservation larger
 * than what is there goes once the missing units have been refilled, so one larger than
 * `burst` still goes (after the bucket has been full for (units − burst) / refill), but the
 * window that holds it may then exceed L by units − burst.
 *
 * Exact integer arithmetic: time is kept in nanoseconds × refill-per-minute and one unit
 * costs a minute of that scaled time, so no rounding can let a unit in early.
 */
export class TokenBucket {
  readonly limitPerMinute: number;
  readonly burst: number;
  /** Units added per minute: limitPerMinute − burst + 1. */
  readonly refillPerMinute: number;
  readonly #scale: bigint;
  readonly #burstCost: bigint;
  /** When the bucket is (or will be) full again, in scaled time; <= now means it is full. */
  #fullAt = 0n;

  constructor(options: TokenBucketOptions) {
    const label = options.label ?? 'rate limit';
    const limit = options.limitPerMinute;
    const burst = options.burst ?? 1;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw invalid(`${label}: the limit must be an integer >= 1 a minute, got ${limit}`);
    }
    if (!Number.isSafeInteger(burst) || burst < 1 || burst > limit) {
      throw invalid(
        `${label}: the burst must be an integer from 1 to the limit (${limit}), got ${burst}`,
      );
    }
    this.limitPerMinute = limit;
    this.burst = burst;
    this.refillPerMinute = limit - burst + 1;
    this.#scale = BigInt(this.refillPerMinute);
    this.#burstCost = BigInt(burst) * MINUTE_NS;
  }

  /** The earliest time (>= nowNs) at which `units` may go, without reserving them. */
  earliestNs(nowNs: bigint, units: number): bigint {
    checkUnits(units);
    const now = nowNs * this.#scale;
    const from = later(this.#fullAt, now);
    const at = from + BigInt(units) * MINUTE_NS - this.#burstCost;
    if (at <= now) return nowNs;
    return ceilDiv(at, this.#scale);
  }

  /**
   * Takes `units` as sent at `atNs`, which must be at or after `earliestNs(…, units)`. A
   * caller that waits for another limit too passes the time it will really send: charging
   * the units earlier would let them bunch up with later ones.
   */
  take(atNs: bigint, units: number): void {
    const cost = BigInt(units) * MINUTE_NS;
    const at = atNs * this.#scale;
    // A reservation larger than the burst waited for the excess to be refilled on top of
    // a full bucket; that wait already paid for the excess.
    const paidByWaiting = cost > this.#burstCost ? cost - this.#burstCost : 0n;
    const from = at - paidByWaiting;
    this.#fullAt = later(this.#fullAt, from) + cost;
  }

  /** Reserves `units` (an integer >= 0) → how long to wait before sending, ns (0n: now). */
  reserve(nowNs: bigint, units: number): bigint {
    const atNs = this.earliestNs(nowNs, units);
    this.take(atNs, units);
    return atNs - nowNs;
  }

  /**
   * Corrects a reservation once the real count is known: unused units go back (never above
   * a full bucket), extra ones are charged at `nowNs`.
   */
  adjust(nowNs: bigint, reservedUnits: number, actualUnits: number): void {
    checkUnits(reservedUnits);
    checkUnits(actualUnits);
    const difference = BigInt(actualUnits - reservedUnits) * MINUTE_NS;
    if (difference === 0n) return;
    if (difference > 0n) {
      const now = nowNs * this.#scale;
      this.#fullAt = later(this.#fullAt, now) + difference;
    } else {
      // Below `now` the bucket reads as full, so a refund cannot overfill it.
      this.#fullAt += difference;
    }
  }

  /** Units available at `nowNs` (negative while in debt); for progress and tests. */
  availableAt(nowNs: bigint): number {
    const now = nowNs * this.#scale;
    if (this.#fullAt <= now) return this.burst;
    return this.burst - Number(this.#fullAt - now) / Number(MINUTE_NS);
  }
}

function checkUnits(units: number): void {
  if (!Number.isSafeInteger(units) || units < 0) {
    throw new RangeError(`a rate-limit reservation must be a whole number >= 0, got ${units}`);
  }
}

function later(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function ceilDiv(value: bigint, divisor: bigint): bigint {
  const quotient = value / divisor;
  return quotient * divisor < value ? quotient + 1n : quotient;
}

function invalid(message: string): ExecutorError {
  return new ExecutorError('LENS_EXECUTOR_PLAN_INVALID', message);
}
