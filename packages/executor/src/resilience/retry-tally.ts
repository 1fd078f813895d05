import { ERROR_CLASSES, type ErrorClass } from '@llm-lens/core-timing';
import type { RetryStopReason } from './retry-policy.js';

/**
 * What retries did in a run, for the outputs. A request is counted once, by its final
 * outcome (which is what the statistics count); its attempts and retries are counted here.
 */
export interface RetrySummary {
  /** Requests finished (final outcomes). */
  requests: number;
  /** Attempts sent, first attempts included. */
  attempts: number;
  /** attempts − requests. */
  retries: number;
  /** Requests by how many attempts they took: `{ "1": 95, "2": 4, "3": 1 }`. */
  attempts_per_request: Record<string, number>;
  /** Retries by the class of the failure that caused them. */
  retries_by_class: Partial<Record<ErrorClass, number>>;
  /** Requests that failed at least once and then succeeded. */
  succeeded_after_retry: number;
  /** Requests retried at least once that still failed in the end. */
  failed_after_retry: number;
  /**
   * Requests whose last failure was of a retried class, that the policy stopped retrying:
   * after `max_attempts` attempts, or because the server asked for a wait longer than
   * `max_delay_ms`.
   */
  gave_up: { attempts_exhausted: number; retry_after_too_long: number };
}

/** How a request ended: `ok`, or the reason its last failure was not retried. */
export type RequestOutcome = 'ok' | RetryStopReason;

const CLASS_INDEX = new Map<ErrorClass, number>(ERROR_CLASSES.map((name, index) => [name, index]));

/**
 * Counts attempts and retries as requests finish; `summary()` gives the output block and
 * `merge()` adds a worker thread's summary (every count is a sum, so merging is exact).
 */
export class RetryTally {
  #requests = 0;
  #attempts = 0;
  /** Index i: requests that took i + 1 attempts. */
  #attemptsPerRequest: number[] = [];
  readonly #retriesByClass = new Array<number>(ERROR_CLASSES.length).fill(0);
  #succeededAfterRetry = 0;
  #failedAfterRetry = 0;
  #attemptsExhausted = 0;
  #retryAfterTooLong = 0;

  /** A retry was scheduled after an attempt failed with `errorClass`. */
  onRetry(errorClass: ErrorClass): void {
    const index = CLASS_INDEX.get(errorClass)!;
    this.#retriesByClass[index] = this.#retriesByClass[index]! + 1;
  }

  /** A request ended after `attempts` attempts (>= 1) with `outcome`. */
  onRequestDone(attempts: number, outcome: RequestOutcome): void {
    this.#requests++;
    this.#attempts += attempts;
    this.#addAttemptCount(attempts, 1);
    if (attempts > 1) {
      if (outcome === 'ok') this.#succeededAfterRetry++;
      else this.#failedAfterRetry++;
    }
    if (outcome === 'attempts_exhausted') this.#attemptsExhausted++;
    else if (outcome === 'retry_after_too_long') this.#retryAfterTooLong++;
  }

  /** Adds another tally's summary (a worker thread's) to this one. */
  merge(other: RetrySummary): void {
    this.#requests += other.requests;
    this.#attempts += other.attempts;
    for (const [attempts, count] of Object.entries(other.attempts_per_request)) {
      this.#addAttemptCount(Number(attempts), count);
    }
    for (const [name, count] of Object.entries(other.retries_by_class)) {
      const index = CLASS_INDEX.get(name as ErrorClass);
      if (index !== undefined) this.#retriesByClass[index] = this.#retriesByClass[index]! + count;
    }
    this.#succeededAfterRetry += other.succeeded_after_retry;
    this.#failedAfterRetry += other.failed_after_retry;
    this.#attemptsExhausted += other.gave_up.attempts_exhausted;
    this.#retryAfterTooLong += other.gave_up.retry_after_too_long;
  }

  summary(): RetrySummary {
    const attemptsPerRequest: Record<string, number> = {};
    this.#attemptsPerRequest.forEach((count, index) => {
      if (count > 0) attemptsPerRequest[String(index + 1)] = count;
    });
    const retriesByClass: Partial<Record<ErrorClass, number>> = {};
    ERROR_CLASSES.forEach((name, index) => {
      const count = this.#retriesByClass[index]!;
      if (count > 0) retriesByClass[name] = count;
    });
    return {
      requests: this.#requests,
      attempts: this.#attempts,
      retries: this.#attempts - this.#requests,
      attempts_per_request: attemptsPerRequest,
      retries_by_class: retriesByClass,
      succeeded_after_retry: this.#succeededAfterRetry,
      failed_after_retry: this.#failedAfterRetry,
      gave_up: {
        attempts_exhausted: this.#attemptsExhausted,
        retry_after_too_long: this.#retryAfterTooLong,
      },
    };
  }

  #addAttemptCount(attempts: number, count: number): void {
    const index = attempts - 1;
    while (this.#attemptsPerRequest.length <= index) this.#attemptsPerRequest.push(0);
    this.#attemptsPerRequest[index] = this.#attemptsPerRequest[index]! + count;
  }
}
