import { ERROR_CLASSES, type ErrorClass, type RequestRecord } from '@llm-lens/core-timing';

/**
 * What retries did in a group's measured phase. Each request is counted once, by its last
 * attempt (what the statistics count); its earlier attempts and the retries are counted here.
 */
export interface RetrySummary {
  /** Requests finished (last attempts). */
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

const CLASS_INDEX = new Map<ErrorClass, number>(ERROR_CLASSES.map((name, index) => [name, index]));

/**
 * Counts a group's attempts from its records (those with an `attempt`: the provider retries)
 * and merges other threads' counts exactly (every count is a sum).
 */
export class RetryCounts {
  /** Whether any record of a retrying provider arrived. */
  #seen = false;
  #requests = 0;
  #attempts = 0;
  /** Index i: requests that took i + 1 attempts. */
  #attemptsPerRequest: number[] = [];
  readonly #retriesByClass = new Array<number>(ERROR_CLASSES.length).fill(0);
  #succeededAfterRetry = 0;
  #failedAfterRetry = 0;
  #attemptsExhausted = 0;
  #retryAfterTooLong = 0;

  /** Counts one measured record; records without `attempt` are not counted. */
  add(record: RequestRecord): void {
    const attempt = record.attempt;
    if (attempt === undefined || !Number.isInteger(attempt) || attempt < 1) return;
    this.#seen = true;
    this.#attempts++;
    if (record.isRetried === true) {
      const index =
        record.errorClass === undefined ? undefined : CLASS_INDEX.get(record.errorClass);
      if (index !== undefined) this.#retriesByClass[index] = this.#retriesByClass[index]! + 1;
      return;
    }
    this.#requests++;
    this.#addAttemptCount(attempt, 1);
    if (attempt > 1) {
      if (record.status === 'ok') this.#succeededAfterRetry++;
      else this.#failedAfterRetry++;
    }
    if (record.retryGaveUp === 'attempts_exhausted') this.#attemptsExhausted++;
    else if (record.retryGaveUp === 'retry_after_too_long') this.#retryAfterTooLong++;
  }

  /** Adds another thread's summary to this one. */
  merge(other: RetrySummary): void {
    this.#seen = true;
    this.#requests += other.requests;
    this.#attempts += other.attempts;
    for (const [attempts, count] of Object.entries(other.attempts_per_request)) {
      const n = Number(attempts);
      if (Number.isInteger(n) && n >= 1) this.#addAttemptCount(n, count);
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

  /** The summary; null when no record came from a provider that retries. */
  summary(): RetrySummary | null {
    if (!this.#seen) return null;
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
