import type { ErrorClass } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { seededRandom } from './random-source.js';
import { RetryPolicy } from './retry-policy.js';
import { RetryTally } from './retry-tally.js';

/** One attempt's fate in a script: ok, or a failure with its class and persistence. */
type Fate = 'ok' | { errorClass: ErrorClass; isPersistent?: boolean; retryAfterMs?: number };

/**
 * Runs one request as the executor would: attempt, ask the policy, count. Returns the delays
 * the policy asked for.
 */
function runRequest(policy: RetryPolicy, tally: RetryTally, fates: readonly Fate[]): number[] {
  const random = seededRandom(1);
  const delays: number[] = [];
  for (let attempt = 1; ; attempt++) {
    const fate = fates[attempt - 1] ?? 'ok';
    if (fate === 'ok') {
      tally.onRequestDone(attempt, 'ok');
      return delays;
    }
    const decision = policy.decide(
      attempt,
      fate.errorClass,
      fate.retryAfterMs,
      random,
      fate.isPersistent,
    );
    if (!decision.retry) {
      tally.onRequestDone(attempt, decision.reason);
      return delays;
    }
    tally.onRetry(fate.errorClass);
    delays.push(decision.delayMs);
  }
}

const SCRIPT: readonly (readonly Fate[])[] = [
  ['ok'],
  [{ errorClass: 'server_error' }, 'ok'],
  [{ errorClass: 'rate_limited' }, { errorClass: 'rate_limited' }, { errorClass: 'rate_limited' }],
  [{ errorClass: 'client_error', isPersistent: true }],
  [{ errorClass: 'network' }, { errorClass: 'auth', isPersistent: true }],
  [{ errorClass: 'rate_limited', retryAfterMs: 120_000 }],
  [{ errorClass: 'timeout_ttft' }],
];

describe('RetryTally', () => {
  it('counts each request once by its final outcome, and its attempts and retries apart', () => {
    const policy = new RetryPolicy({ maxAttempts: 3, maxDelayMs: 60_000 });
    const tally = new RetryTally();
    for (const fates of SCRIPT) runRequest(policy, tally, fates);
    expect(tally.summary()).toEqual({
      requests: 7,
      attempts: 1 + 2 + 3 + 1 + 2 + 1 + 1,
      retries: 4,
      attempts_per_request: { '1': 4, '2': 2, '3': 1 },
      retries_by_class: { rate_limited: 2, server_error: 1, network: 1 },
      succeeded_after_retry: 1,
      failed_after_retry: 2,
      gave_up: { attempts_exhausted: 1, retry_after_too_long: 1 },
    });
  });

  it('merges worker summaries exactly: two halves equal the whole', () => {
    const policy = new RetryPolicy({ maxAttempts: 3, maxDelayMs: 60_000 });
    const whole = new RetryTally();
    const first = new RetryTally();
    const second = new RetryTally();
    SCRIPT.forEach((fates, index) => {
      runRequest(policy, whole, fates);
      runRequest(policy, index % 2 === 0 ? first : second, fates);
    });
    const merged = new RetryTally();
    merged.merge(first.summary());
    merged.merge(second.summary());
    expect(merged.summary()).toEqual(whole.summary());
  });

  it('reports an empty run with zero counts and empty maps', () => {
    expect(new RetryTally().summary()).toEqual({
      requests: 0,
      attempts: 0,
      retries: 0,
      attempts_per_request: {},
      retries_by_class: {},
      succeeded_after_retry: 0,
      failed_after_retry: 0,
      gave_up: { attempts_exhausted: 0, retry_after_too_long: 0 },
    });
  });
});
