import { describe, expect, it } from 'vitest';
import { ExecutorError } from '../executor-error.js';
import { estimateRequestTokens, RateLimiter, type RateLimiterOptions } from './rate-limiter.js';

const MS = 1_000_000n;
const SECOND = 1000n * MS;
const MINUTE = 60n * SECOND;

/** The most of `units` sent in any [t, t + 60 s), sends given in time order. */
function busiestMinute(sends: readonly { atNs: bigint; units: number }[]): number {
  let busiest = 0;
  for (let start = 0; start < sends.length; start++) {
    let sum = 0;
    for (let i = start; i < sends.length && sends[i]!.atNs < sends[start]!.atNs + MINUTE; i++) {
      sum += sends[i]!.units;
    }
    busiest = Math.max(busiest, sum);
  }
  return busiest;
}

function errorOf(options: RateLimiterOptions): ExecutorError {
  try {
    new RateLimiter(options);
  } catch (error) {
    if (error instanceof ExecutorError) return error;
    throw error;
  }
  throw new Error('expected an ExecutorError');
}

describe('RateLimiter', () => {
  it('keeps both limits when one holds requests back: tokens are charged when sent', () => {
    // 30 small requests, then 30 large ones, all queued at once. The request limit paces them
    // every 6 s; the token limit lets one large request through every ~15 s. If the tokens
    // were charged when reserved rather than when sent, the large requests the token bucket
    // had passed long before would leave in a clump as the request limit allowed them.
    const limiter = new RateLimiter({
      requestsPerMinute: 10,
      tokensPerMinute: 5000,
      largestRequestTokens: 1000,
    });
    const sizes = [...Array<number>(30).fill(10), ...Array<number>(30).fill(1000)];
    const sends = sizes.map((units) => ({ atNs: limiter.reserve(0n, units), units }));
    for (let i = 1; i < sends.length; i++) {
      expect(sends[i]!.atNs).toBeGreaterThanOrEqual(sends[i - 1]!.atNs);
    }
    expect(busiestMinute(sends.map((send) => ({ atNs: send.atNs, units: 1 })))).toBeLessThanOrEqual(
      10,
    );
    expect(busiestMinute(sends)).toBeLessThanOrEqual(5000);
    // The token limit binds for the large requests: 4001 a minute refill → one per 1000/4001 min.
    const largeGaps = sends.slice(31).map((send, i) => send.atNs - sends[30 + i]!.atNs);
    for (const gap of largeGaps) expect(gap).toBe((1000n * MINUTE + 4000n) / 4001n);
  });

  it('sizes the default token burst to hold the largest request, or one second of the limit', () => {
    expect(
      new RateLimiter({ tokensPerMinute: 90_000, largestRequestTokens: 4096 }).tokens!.burst,
    ).toBe(4096);
    expect(
      new RateLimiter({ tokensPerMinute: 90_000, largestRequestTokens: 500 }).tokens!.burst,
    ).toBe(1500);
    expect(new RateLimiter({ tokensPerMinute: 90_001 }).tokens!.burst).toBe(1501);
    expect(new RateLimiter({ tokensPerMinute: 90_000, burstTokens: 300 }).tokens!.burst).toBe(300);
    expect(new RateLimiter({ requestsPerMinute: 60 }).requests!.burst).toBe(1);
  });

  it('refuses a request that could never fit in the token limit, naming the provider', () => {
    const error = errorOf({
      tokensPerMinute: 4000,
      largestRequestTokens: 4500,
      providerName: 'acme',
    });
    expect(error.code).toBe('LENS_EXECUTOR_PLAN_INVALID');
    expect(error.message).toBe(
      'provider "acme": a request of 4500 tokens (input + max_tokens) is more than rate_limits.tokens_per_minute (4000): it could never be sent inside the limit; lower the scenario\'s max_tokens or raise tokens_per_minute',
    );
  });

  it('needs at least one limit, and a limit for each burst', () => {
    expect(errorOf({}).message).toBe(
      'rate_limits needs requests_per_minute, tokens_per_minute or both',
    );
    expect(errorOf({ requestsPerMinute: 10, burstTokens: 5 }).message).toBe(
      'rate_limits.burst_tokens needs tokens_per_minute',
    );
    expect(errorOf({ tokensPerMinute: 10, burstRequests: 5, providerName: 'p' }).message).toBe(
      'provider "p": rate_limits.burst_requests needs requests_per_minute',
    );
  });

  it('settles a reservation with the real usage, and keeps it when usage is unknown', () => {
    // Refill 60,000 a minute (burst 1000): one token a millisecond.
    const limiter = new RateLimiter({ tokensPerMinute: 60_999, burstTokens: 1000 });
    expect(limiter.reserve(0n, 1000)).toBe(0n);
    limiter.settle(10n * MS, 1000, undefined);
    expect(limiter.tokens!.availableAt(10n * MS)).toBe(10);
    limiter.settle(10n * MS, 1000, 250);
    expect(limiter.tokens!.availableAt(10n * MS)).toBe(760);
    expect(limiter.reserve(10n * MS, 1000)).toBe(240n * MS);
  });

  it("holds every request until a server's Retry-After has passed, and reports the waits", () => {
    const limiter = new RateLimiter({ requestsPerMinute: 600, burstRequests: 10 });
    expect(limiter.reserve(0n, 0)).toBe(0n);
    limiter.holdUntil(5n * SECOND);
    limiter.holdUntil(2n * SECOND); // an earlier hold does not shorten a later one
    expect(limiter.reserve(1n * SECOND, 0)).toBe(4n * SECOND);
    expect(limiter.reserve(6n * SECOND, 0)).toBe(0n);
    expect(limiter.report()).toEqual({
      requests_per_minute: 600,
      tokens_per_minute: null,
      burst_requests: 10,
      burst_tokens: null,
      reservations: 3,
      delayed: 1,
      wait_ms_total: 4000,
      wait_ms_max: 4000,
    });
  });

  it('estimates a request as its input plus max_tokens, whole', () => {
    expect(estimateRequestTokens(812, 256)).toBe(1068);
    expect(estimateRequestTokens(812.4, 256)).toBe(1069);
    expect(estimateRequestTokens(812, undefined)).toBe(812);
  });
});
