import type { ErrorClass } from '@llm-lens/core-timing';
import { ExecutorError } from '../executor-error.js';
import type { RandomSource } from './random-source.js';

/** Total attempts of a request, the first included: 1 = no retries. */
export const DEFAULT_MAX_ATTEMPTS = 1;
/** Cap of the first retry's delay, ms; each later retry doubles it. */
export const DEFAULT_BASE_DELAY_MS = 500;
/** Longest delay before a retry, ms, whatever the attempt or the server's Retry-After. */
export const DEFAULT_MAX_DELAY_MS = 30_000;
/**
 * Classes retried by default: the ones a later identical request can escape. A timeout
 * waiting for tokens or a stream cut mid-answer is left out: it says how the server behaves
 * under this load, which is what a benchmark measures, and retrying it would hide it.
 */
export const DEFAULT_RETRY_ON: readonly ErrorClass[] = [
  'rate_limited',
  'server_error',
  'network',
  'timeout_connect',
];

export interface RetryPolicyOptions {
  /** Total attempts, the first included; an integer >= 1. Default 1 (no retries). */
  maxAttempts?: number;
  /** Cap of the delay before the first retry, ms (>= 0). Default 500. */
  baseDelayMs?: number;
  /** Longest delay before any retry, ms (>= baseDelayMs). Default 30000. */
  maxDelayMs?: number;
  /** Error classes worth another attempt. Default {@link DEFAULT_RETRY_ON}; never `cancelled`. */
  retryOn?: readonly ErrorClass[];
}

/** Why a failed attempt is not retried. */
export type RetryStopReason =
  /** The failure would repeat (a rejected key, a refused connection, HTTP 400/404, ...). */
  | 'persistent'
  /** Its class is not in `retry_on`. */
  | 'not_retryable'
  /** It was attempt `max_attempts`. */
  | 'attempts_exhausted'
  /** The server asked for a longer wait than `max_delay_ms`. */
  | 'retry_after_too_long';

/** What to do after a failed attempt. */
export type RetryDecision =
  | { readonly retry: false; readonly reason: RetryStopReason }
  | {
      readonly retry: true;
      /** Wait this long before the next attempt, ms. */
      readonly delayMs: number;
      /** `retry_after`: the server's wait was longer than the drawn backoff and was taken. */
      readonly reason: 'backoff' | 'retry_after';
    };

// The decisions without a delay are the same objects every time: nothing is allocated for
// the failures a run does not retry, which are most of them when retries are off.
const STOP: Readonly<Record<RetryStopReason, RetryDecision>> = {
  persistent: Object.freeze({ retry: false, reason: 'persistent' }),
  not_retryable: Object.freeze({ retry: false, reason: 'not_retryable' }),
  attempts_exhausted: Object.freeze({ retry: false, reason: 'attempts_exhausted' }),
  retry_after_too_long: Object.freeze({ retry: false, reason: 'retry_after_too_long' }),
};

/**
 * Exponential backoff with full jitter, honouring the server's Retry-After. It decides only:
 * the caller waits, sends the next attempt and records each attempt.
 */
export class RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly retryOn: ReadonlySet<ErrorClass>;

  constructor(options: RetryPolicyOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    this.retryOn = new Set(options.retryOn ?? DEFAULT_RETRY_ON);
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw invalid(`max_attempts must be an integer >= 1, got ${this.maxAttempts}`);
    }
    if (!Number.isFinite(this.baseDelayMs) || this.baseDelayMs < 0) {
      throw invalid(`base_delay_ms must be a number >= 0, got ${this.baseDelayMs}`);
    }
    if (!Number.isFinite(this.maxDelayMs) || this.maxDelayMs < this.baseDelayMs) {
      throw invalid(
        `max_delay_ms must be a number >= base_delay_ms (${this.baseDelayMs}), got ${this.maxDelayMs}`,
      );
    }
    if (this.retryOn.has('cancelled')) throw invalid(CANCELLED_IS_NEVER_RETRIED);
  }

  /** The options that build this policy again (plain data, for worker threads). */
  options(): Required<RetryPolicyOptions> {
    return {
      maxAttempts: this.maxAttempts,
      baseDelayMs: this.baseDelayMs,
      maxDelayMs: this.maxDelayMs,
      retryOn: [...this.retryOn],
    };
  }

  /** Whether a request may be attempted more than once at all. */
  get isEnabled(): boolean {
    return this.maxAttempts > 1 && this.retryOn.size > 0;
  }

  /**
   * The backoff cap before the retry that follows attempt `attempt` (1 = the first):
   * min(max_delay_ms, base_delay_ms × 2^(attempt − 1)).
   */
  backoffCapMs(attempt: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
  }

  /**
   * Decides after attempt number `attempt` (1 = the first) failed with `errorClass`.
   * `retryAfterMs` is the server's `Retry-After` (undefined without one), `random` a draw in
   * [0, 1), and `isPersistent` the classification's verdict that the failure would repeat
   * (the record's `errorIsPersistent`; required, so it cannot be forgotten).
   *
   * Checked in this order: persistent → never; class not in `retry_on` → no; the last
   * attempt → no; a Retry-After longer than `max_delay_ms` → no (sending sooner than the
   * server asked only earns another refusal, and waiting longer than the user allowed is not
   * ours to decide). Otherwise the delay is a uniform draw in [0, cap) (full jitter), raised
   * to the Retry-After when that is longer.
   */
  decide(
    attempt: number,
    errorClass: ErrorClass,
    retryAfterMs: number | undefined,
    random: RandomSource,
    isPersistent: boolean | undefined,
  ): RetryDecision {
    if (isPersistent === true) return STOP.persistent;
    if (!this.retryOn.has(errorClass)) return STOP.not_retryable;
    if (attempt >= this.maxAttempts) return STOP.attempts_exhausted;
    if (retryAfterMs !== undefined && retryAfterMs > this.maxDelayMs) {
      return STOP.retry_after_too_long;
    }
    const backoffMs = random() * this.backoffCapMs(attempt);
    if (retryAfterMs !== undefined && retryAfterMs > backoffMs) {
      return { retry: true, delayMs: retryAfterMs, reason: 'retry_after' };
    }
    return { retry: true, delayMs: backoffMs, reason: 'backoff' };
  }
}

/** Why `retry_on` may not name `cancelled`. */
export const CANCELLED_IS_NEVER_RETRIED =
  'retry_on must not include cancelled: an interrupt cancels every request in flight, and retrying them would undo it';

function invalid(message: string): ExecutorError {
  return new ExecutorError('LENS_EXECUTOR_PLAN_INVALID', `retries: ${message}`);
}
