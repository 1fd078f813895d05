import type { RateLimitReport } from '@llm-lens/metrics';
import { ExecutorError } from '../executor-error.js';
import { TokenBucket } from './token-bucket.js';

export interface RateLimiterOptions {
  /** Most requests sent in any 60 s. Default: no request limit. */
  requestsPerMinute?: number;
  /** Most tokens (input + output, as estimated before sending) in any 60 s. Default: none. */
  tokensPerMinute?: number;
  /** Requests that may go at once after an idle spell. Default 1 (evenly paced). */
  burstRequests?: number;
  /**
   * Tokens that may go at once after an idle spell. Default: the larger of one second's
   * worth (tokensPerMinute / 60, rounded up) and `largestRequestTokens`, at most the limit.
   */
  burstTokens?: number;
  /**
   * The largest estimate a request of this provider will reserve (input + max_tokens of its
   * largest scenario), when known: the default burst holds one such request, so that every
   * 60 s window stays within the limit. Larger than `tokensPerMinute` is an error: such a
   * request could never be sent inside the limit.
   */
  largestRequestTokens?: number;
  /** Names the provider in error messages. */
  providerName?: string;
}

export type { RateLimitReport };

/**
 * What a request should reserve before it is sent: its input tokens plus `max_tokens` (the
 * most it can generate), a whole number. Without `max_tokens` only the input is known: the
 * output is then charged when the request ends (`RateLimiter.settle`), so the limiter runs
 * behind by the output of the requests in flight.
 */
export function estimateRequestTokens(inputTokens: number, maxTokens: number | undefined): number {
  return Math.ceil(inputTokens + (maxTokens ?? 0));
}

/**
 * Client-side limits of one provider: requests per minute and tokens per minute, each a
 * {@link TokenBucket}. A request goes when both allow it and is charged to both at that
 * time. Shared by every pair of the provider on this thread; with N worker threads each
 * thread gets 1/N of the limits (the caller divides them).
 */
export class RateLimiter {
  readonly requests: TokenBucket | undefined;
  readonly tokens: TokenBucket | undefined;
  #heldUntilNs = 0n;
  #reservations = 0;
  #delayed = 0;
  #waitNsTotal = 0n;
  #waitNsMax = 0n;

  constructor(options: RateLimiterOptions) {
    const who = options.providerName === undefined ? '' : `provider "${options.providerName}": `;
    const rpm = options.requestsPerMinute;
    const tpm = options.tokensPerMinute;
    if (rpm === undefined && tpm === undefined) {
      throw new ExecutorError(
        'LENS_EXECUTOR_PLAN_INVALID',
        `${who}rate_limits needs requests_per_minute, tokens_per_minute or both`,
      );
    }
    if (options.burstRequests !== undefined && rpm === undefined) {
      throw new ExecutorError(
        'LENS_EXECUTOR_PLAN_INVALID',
        `${who}rate_limits.burst_requests needs requests_per_minute`,
      );
    }
    if (options.burstTokens !== undefined && tpm === undefined) {
      throw new ExecutorError(
        'LENS_EXECUTOR_PLAN_INVALID',
        `${who}rate_limits.burst_tokens needs tokens_per_minute`,
      );
    }
    this.requests =
      rpm === undefined
        ? undefined
        : new TokenBucket({
            limitPerMinute: rpm,
            burst: options.burstRequests ?? 1,
            label: `${who}rate_limits.requests_per_minute`,
          });
    if (tpm === undefined) {
      this.tokens = undefined;
      return;
    }
    const largest = options.largestRequestTokens;
    if (largest !== undefined && largest > tpm) {
      throw new ExecutorError(
        'LENS_EXECUTOR_PLAN_INVALID',
        `${who}a request of ${largest} tokens (input + max_tokens) is more than rate_limits.tokens_per_minute (${tpm}): it could never be sent inside the limit; lower the scenario's max_tokens or raise tokens_per_minute`,
      );
    }
    const burst = options.burstTokens ?? Math.min(tpm, Math.max(Math.ceil(tpm / 60), largest ?? 0));
    this.tokens = new TokenBucket({
      limitPerMinute: tpm,
      burst,
      label: `${who}rate_limits.tokens_per_minute`,
    });
  }

  /**
   * Reserves one request of `estimatedTokens` (see {@link estimateRequestTokens}; ignored
   * without a token limit) → how long to wait before sending it, ns (0n: send now). The
   * reservation is taken: send it after the wait, then `settle` it when it ends.
   */
  reserve(nowNs: bigint, estimatedTokens: number): bigint {
    let atNs = nowNs > this.#heldUntilNs ? nowNs : this.#heldUntilNs;
    if (this.requests !== undefined) {
      const requestsAt = this.requests.earliestNs(nowNs, 1);
      if (requestsAt > atNs) atNs = requestsAt;
    }
    if (this.tokens !== undefined) {
      const tokensAt = this.tokens.earliestNs(nowNs, estimatedTokens);
      if (tokensAt > atNs) atNs = tokensAt;
    }
    this.requests?.take(atNs, 1);
    this.tokens?.take(atNs, estimatedTokens);
    const waitNs = atNs - nowNs;
    this.#reservations++;
    if (waitNs > 0n) {
      this.#delayed++;
      this.#waitNsTotal += waitNs;
      if (waitNs > this.#waitNsMax) this.#waitNsMax = waitNs;
    }
    return waitNs;
  }

  /**
   * Corrects the token bucket once the request's real usage (input + output tokens) is
   * known: a refund when it used less than reserved, a charge when more. Undefined (a
   * failed request without usage) keeps the reservation as it was.
   */
  settle(nowNs: bigint, estimatedTokens: number, actualTokens: number | undefined): void {
    if (actualTokens === undefined || this.tokens === undefined) return;
    this.tokens.adjust(nowNs, estimatedTokens, actualTokens);
  }

  /**
   * Sends nothing before `untilNs` (a 429's Retry-After applies to the account, not to one
   * request). Reservations already made keep their times.
   */
  holdUntil(untilNs: bigint): void {
    if (untilNs > this.#heldUntilNs) this.#heldUntilNs = untilNs;
  }

  report(): RateLimitReport {
    return {
      requests_per_minute: this.requests?.limitPerMinute ?? null,
      tokens_per_minute: this.tokens?.limitPerMinute ?? null,
      burst_requests: this.requests?.burst ?? null,
      burst_tokens: this.tokens?.burst ?? null,
      reservations: this.#reservations,
      delayed: this.#delayed,
      wait_ms_total: Number(this.#waitNsTotal) / 1e6,
      wait_ms_max: Number(this.#waitNsMax) / 1e6,
    };
  }
}
