import { ERROR_CLASSES, type ErrorClass } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { ExecutorError } from '../executor-error.js';
import { seededRandom } from './random-source.js';
import { DEFAULT_RETRY_ON, type RetryDecision, RetryPolicy } from './retry-policy.js';

const always = (value: number) => () => value;
/** The largest double below 1: the top of a [0, 1) draw. */
const JUST_BELOW_ONE = 1 - 2 ** -53;

function delayOf(decision: RetryDecision): number {
  if (!decision.retry) throw new Error(`expected a retry, got ${decision.reason}`);
  return decision.delayMs;
}

describe('RetryPolicy', () => {
  it('retries nothing by default: one attempt in all', () => {
    const policy = new RetryPolicy();
    expect(policy.maxAttempts).toBe(1);
    expect(policy.isEnabled).toBe(false);
    expect(policy.decide(1, 'server_error', undefined, Math.random, false)).toEqual({
      retry: false,
      reason: 'attempts_exhausted',
    });
  });

  it('caps each retry at base × 2^(attempt − 1), up to max_delay_ms', () => {
    const policy = new RetryPolicy({ maxAttempts: 20, baseDelayMs: 500, maxDelayMs: 30_000 });
    const caps = Array.from({ length: 9 }, (_, i) => policy.backoffCapMs(i + 1));
    expect(caps).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    for (let attempt = 1; attempt <= 9; attempt++) {
      const cap = policy.backoffCapMs(attempt);
      expect(delayOf(policy.decide(attempt, 'server_error', undefined, always(0), false))).toBe(0);
      const top = delayOf(
        policy.decide(attempt, 'server_error', undefined, always(JUST_BELOW_ONE), false),
      );
      expect(top).toBeLessThan(cap);
      expect(top).toBeGreaterThan(cap * 0.999_999);
    }
    // A thousand doublings overflow to Infinity; the cap still holds.
    expect(policy.backoffCapMs(2000)).toBe(30_000);
  });

  it('draws every delay uniformly in [0, cap): full jitter', () => {
    const policy = new RetryPolicy({ maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 60_000 });
    const random = seededRandom(7);
    const draws = 20_000;
    for (const attempt of [1, 3]) {
      const cap = policy.backoffCapMs(attempt);
      let sum = 0;
      let lowestQuarter = 0;
      let highestQuarter = 0;
      let max = 0;
      let outOfRange = 0;
      for (let i = 0; i < draws; i++) {
        const delay = delayOf(policy.decide(attempt, 'rate_limited', undefined, random, false));
        if (delay < 0 || delay >= cap) outOfRange++;
        sum += delay;
        max = Math.max(max, delay);
        if (delay < cap / 4) lowestQuarter++;
        if (delay >= (3 * cap) / 4) highestQuarter++;
      }
      // Uniform on [0, cap): mean cap/2 (standard error cap/√(12n) ≈ 0.2 % of cap here).
      expect(outOfRange).toBe(0);
      expect(Math.abs(sum / draws - cap / 2)).toBeLessThan(cap * 0.01);
      expect(lowestQuarter / draws).toBeCloseTo(0.25, 1);
      expect(highestQuarter / draws).toBeCloseTo(0.25, 1);
      expect(max).toBeGreaterThan(cap * 0.99);
    }
  });

  it('gives the same delays for the same seed', () => {
    const policy = new RetryPolicy({ maxAttempts: 4 });
    const sequence = (seed: number) => {
      const random = seededRandom(seed);
      return [1, 2, 3].map((attempt) =>
        delayOf(policy.decide(attempt, 'network', undefined, random, false)),
      );
    };
    expect(sequence(42)).toEqual(sequence(42));
    expect(sequence(42)).not.toEqual(sequence(43));
  });

  it("waits for the server's Retry-After when it is longer than the drawn backoff", () => {
    const policy = new RetryPolicy({ maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 });
    // Attempt 1: cap 1000 ms, the draw 0.1 gives 100 ms; the server asked for 1.2 s.
    expect(policy.decide(1, 'rate_limited', 1200, always(0.1), false)).toEqual({
      retry: true,
      delayMs: 1200,
      reason: 'retry_after',
    });
    // A shorter Retry-After than the draw: the backoff stands.
    expect(policy.decide(1, 'rate_limited', 50, always(0.9), false)).toEqual({
      retry: true,
      delayMs: 900,
      reason: 'backoff',
    });
    // Exactly max_delay_ms is still honoured.
    expect(delayOf(policy.decide(2, 'server_error', 10_000, always(0.5), false))).toBe(10_000);
  });

  it('gives up rather than retry early when Retry-After is longer than max_delay_ms', () => {
    const policy = new RetryPolicy({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5000 });
    expect(policy.decide(1, 'rate_limited', 5001, always(0.5), false)).toEqual({
      retry: false,
      reason: 'retry_after_too_long',
    });
  });

  it('never retries a persistent failure, whatever its class', () => {
    const policy = new RetryPolicy({
      maxAttempts: 5,
      retryOn: ERROR_CLASSES.filter((c) => c !== 'cancelled'),
    });
    for (const errorClass of ERROR_CLASSES) {
      expect(policy.decide(1, errorClass, undefined, always(0.5), true)).toEqual({
        retry: false,
        reason: 'persistent',
      });
    }
  });

  it('retries only the classes in retry_on', () => {
    const policy = new RetryPolicy({ maxAttempts: 5 });
    for (const errorClass of ERROR_CLASSES) {
      const decision = policy.decide(1, errorClass, undefined, always(0.5), false);
      expect(decision.retry).toBe(DEFAULT_RETRY_ON.includes(errorClass));
      if (!decision.retry) expect(decision.reason).toBe('not_retryable');
    }
    const custom = new RetryPolicy({ maxAttempts: 2, retryOn: ['timeout_ttft'] });
    expect(custom.decide(1, 'timeout_ttft', undefined, always(0.5), false).retry).toBe(true);
    expect(custom.decide(1, 'rate_limited', undefined, always(0.5), false).retry).toBe(false);
  });

  it('stops after max_attempts attempts in all', () => {
    const policy = new RetryPolicy({ maxAttempts: 3 });
    const outcomes = [1, 2, 3, 4].map((attempt) =>
      policy.decide(attempt, 'server_error', undefined, always(0.5), false),
    );
    expect(outcomes.map((decision) => decision.retry)).toEqual([true, true, false, false]);
    expect(outcomes[2]).toEqual({ retry: false, reason: 'attempts_exhausted' });
  });

  it('returns the same frozen object for every refusal, allocating nothing', () => {
    const policy = new RetryPolicy({ maxAttempts: 2 });
    const first = policy.decide(1, 'auth', undefined, always(0), true);
    expect(policy.decide(1, 'client_error', undefined, always(0), true)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('refuses options that cannot work, naming the key', () => {
    const cases: [ConstructorParameters<typeof RetryPolicy>[0], string][] = [
      [{ maxAttempts: 0 }, 'max_attempts must be an integer >= 1, got 0'],
      [{ maxAttempts: 2.5 }, 'max_attempts must be an integer >= 1, got 2.5'],
      [{ baseDelayMs: -1 }, 'base_delay_ms must be a number >= 0, got -1'],
      [
        { baseDelayMs: 1000, maxDelayMs: 10 },
        'max_delay_ms must be a number >= base_delay_ms (1000), got 10',
      ],
      [{ retryOn: ['network', 'cancelled' as ErrorClass] }, 'retry_on must not include cancelled'],
    ];
    for (const [options, message] of cases) {
      const error = (() => {
        try {
          new RetryPolicy(options);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ExecutorError);
      expect((error as ExecutorError).code).toBe('LENS_EXECUTOR_PLAN_INVALID');
      expect((error as ExecutorError).message).toContain(message);
    }
  });
});
