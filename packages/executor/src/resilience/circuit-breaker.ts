import type { ErrorClass } from '@llm-lens/core-timing';
import type { BreakerState } from '@llm-lens/metrics';
import { ExecutorError } from '../executor-error.js';

/** Consecutive counted failures that open the breaker. */
export const DEFAULT_FAILURE_THRESHOLD = 5;
/** How long an open breaker holds requests back before its probe, ms. */
export const DEFAULT_COOL_DOWN_MS = 30_000;
/** How long to wait before asking again while the half-open probe is in flight, ms. */
export const PROBE_RECHECK_MS = 100;

/**
 * Failures that say the provider is unwell and count toward opening. Left out: `client_error`
 * and `auth` (the request or the key is wrong; the server answered, and the early stop deals
 * with failures that repeat), `protocol` (a response the adapter could not read: the server
 * is up) and `cancelled` (our own interrupt). A 429 counts: a run of them means more requests
 * only earn more refusals, and the cool-down is the pause the account needs.
 */
export const DEFAULT_TRIP_ON: readonly ErrorClass[] = [
  'rate_limited',
  'server_error',
  'network',
  'timeout_connect',
  'timeout_ttft',
  'timeout_idle',
  'timeout_total',
  'stream_interrupted',
];

export type { BreakerState };

/** One change of state, for the outputs. */
export interface BreakerTransition {
  /** Monotonic time of the change, ns. */
  readonly atNs: bigint;
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** Why, in words: `5 consecutive failures (last: server_error)`, `probe succeeded`. */
  readonly reason: string;
}

/** The breaker's part of a run's outputs. */
export interface BreakerReport {
  state: BreakerState;
  /** Times it opened: trips from closed and re-opens after a failed probe. */
  tripped: number;
  /** Time spent open or half-open (requests held back), ms, up to the report. */
  open_ms_total: number;
  transitions: readonly BreakerTransition[];
}

export interface CircuitBreakerOptions {
  /** Consecutive counted failures that open it; an integer >= 1. Default 5. */
  failureThreshold?: number;
  /** Time open before one probe request is let through, ms (> 0). Default 30000. */
  coolDownMs?: number;
  /** Error classes that count as failures. Default {@link DEFAULT_TRIP_ON}. */
  tripOn?: readonly ErrorClass[];
}

/** Held back: ask again after `waitNs`. */
export interface BreakerWait {
  readonly waitNs: bigint;
  readonly state: 'open' | 'half_open';
}

/**
 * A circuit breaker for one provider. Closed: everything goes, and `failureThreshold`
 * consecutive counted failures open it. Open: nothing goes for `coolDownMs`. Half-open:
 * exactly one probe goes; its success closes the breaker, its failure opens it again for
 * another cool-down. A result counts only in the state it was sent in (the `sentAtNs` passed
 * to `onResult`): a request sent before a trip that ends during the cool-down or the probe
 * changes nothing.
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly coolDownNs: bigint;
  readonly tripOn: ReadonlySet<ErrorClass>;
  #state: BreakerState = 'closed';
  /** When the current state began; results of requests sent before it are stale. */
  #stateSinceNs = 0n;
  /** When it last left `closed`. */
  #openSinceNs = 0n;
  #consecutiveFailures = 0;
  #isProbeInFlight = false;
  #tripped = 0;
  #openNsTotal = 0n;
  readonly #transitions: BreakerTransition[] = [];
  readonly #probeWait: BreakerWait = {
    waitNs: BigInt(PROBE_RECHECK_MS) * 1_000_000n,
    state: 'half_open',
  };

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
    const coolDownMs = options.coolDownMs ?? DEFAULT_COOL_DOWN_MS;
    this.tripOn = new Set(options.tripOn ?? DEFAULT_TRIP_ON);
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) {
      throw invalid(`failure_threshold must be an integer >= 1, got ${this.failureThreshold}`);
    }
    if (!Number.isFinite(coolDownMs) || coolDownMs <= 0) {
      throw invalid(`cool_down_ms must be a number > 0, got ${coolDownMs}`);
    }
    this.coolDownNs = BigInt(Math.round(coolDownMs * 1e6));
  }

  /** The options that build this breaker again (plain data, for worker threads). */
  options(): Required<CircuitBreakerOptions> {
    return {
      failureThreshold: this.failureThreshold,
      coolDownMs: Number(this.coolDownNs) / 1e6,
      tripOn: [...this.tripOn],
    };
  }

  get state(): BreakerState {
    return this.#state;
  }

  /**
   * May a request go at `nowNs`? `true`: send it, and pass this `nowNs` as its `sentAtNs`
   * to `onResult` (in half-open, it is the probe). Otherwise wait `waitNs` and ask again.
   */
  canSend(nowNs: bigint): true | BreakerWait {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      const probeAtNs = this.#stateSinceNs + this.coolDownNs;
      if (nowNs < probeAtNs) return { waitNs: probeAtNs - nowNs, state: 'open' };
      this.#moveTo('half_open', probeAtNs, `cool-down of ${nsToMsText(this.coolDownNs)} over`);
    }
    if (this.#isProbeInFlight) return this.#probeWait;
    this.#isProbeInFlight = true;
    return true;
  }

  /**
   * The request sent at `sentAtNs` (the `nowNs` of the `canSend` that let it go) ended at
   * `nowNs`: `ok`, or failed with `errorClass`. Call it for every request let through,
   * cancelled ones included, or a half-open breaker waits for its probe forever.
   */
  onResult(nowNs: bigint, ok: boolean, errorClass: ErrorClass | undefined, sentAtNs: bigint): void {
    if (sentAtNs < this.#stateSinceNs || this.#state === 'open') return;
    const isCountedFailure = !ok && errorClass !== undefined && this.tripOn.has(errorClass);
    if (this.#state === 'closed') {
      if (ok) {
        this.#consecutiveFailures = 0;
      } else if (isCountedFailure && ++this.#consecutiveFailures >= this.failureThreshold) {
        this.#moveTo(
          'open',
          nowNs,
          `${this.#consecutiveFailures} consecutive failures (last: ${errorClass})`,
        );
      }
      return;
    }
    // Half-open, and only the probe was sent in this state: this is its result.
    this.#isProbeInFlight = false;
    if (ok) this.#moveTo('closed', nowNs, 'probe succeeded');
    else if (isCountedFailure) this.#moveTo('open', nowNs, `probe failed (${errorClass})`);
    // Any other outcome says nothing about the provider's health: the next request probes.
  }

  /** The outputs' block; time open so far counts up to `nowNs`. */
  report(nowNs: bigint): BreakerReport {
    let openNs = this.#openNsTotal;
    if (this.#state !== 'closed' && nowNs > this.#openSinceNs) openNs += nowNs - this.#openSinceNs;
    return {
      state: this.#state,
      tripped: this.#tripped,
      open_ms_total: Number(openNs) / 1e6,
      transitions: this.#transitions.slice(),
    };
  }

  #moveTo(to: BreakerState, atNs: bigint, reason: string): void {
    const from = this.#state;
    this.#transitions.push({ atNs, from, to, reason });
    if (to === 'open') this.#tripped++;
    if (from === 'closed') this.#openSinceNs = atNs;
    if (to === 'closed') this.#openNsTotal += atNs - this.#openSinceNs;
    this.#state = to;
    this.#stateSinceNs = atNs;
    this.#consecutiveFailures = 0;
  }
}

function nsToMsText(ns: bigint): string {
  return `${Number(ns) / 1e6} ms`;
}

function invalid(message: string): ExecutorError {
  return new ExecutorError('LENS_EXECUTOR_PLAN_INVALID', `circuit_breaker: ${message}`);
}
