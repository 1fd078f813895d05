import type { EventLoopSnapshot, RequestRecord } from '@llm-lens/core-timing';
import {
  Aggregator,
  type BreakerSummary,
  type BudgetReport,
  buildFidelity,
  buildRunSummary,
  type RateLimitReport,
  type ResilienceSummary,
  type RetrySummary,
  type RunSummary,
} from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import { createColors } from './format.js';
import {
  budgetLine,
  budgetWarning,
  circuitBreakerLines,
  rateLimitLine,
  resilienceLines,
  retriesLine,
} from './resilience-lines.js';
import { renderSummary } from './summary-table.js';

const colors = createColors({ isTTY: false } as NodeJS.WriteStream);

const RUN_START = '2026-01-01T00:00:00.000Z';

/** 100 requests, 12 retries: 11 recovered, 1 ran out of attempts. */
function retrySummary(overrides: Partial<RetrySummary> = {}): RetrySummary {
  return {
    requests: 100,
    attempts: 112,
    retries: 12,
    attempts_per_request: { '1': 89, '2': 10, '4': 1 },
    retries_by_class: { rate_limited: 9, server_error: 3 },
    succeeded_after_retry: 11,
    failed_after_retry: 1,
    gave_up: { attempts_exhausted: 1, retry_after_too_long: 0 },
    ...overrides,
  };
}

function rateLimits(overrides: Partial<RateLimitReport> = {}): RateLimitReport {
  return {
    requests_per_minute: 120,
    tokens_per_minute: null,
    burst_requests: null,
    burst_tokens: null,
    reservations: 120,
    delayed: 40,
    wait_ms_total: 3210,
    wait_ms_max: 410.4,
    ...overrides,
  };
}

/** Opened twice (a failed probe re-opened it), closed at the end. */
function breaker(overrides: Partial<BreakerSummary> = {}): BreakerSummary {
  return {
    state: 'closed',
    tripped: 2,
    open_ms_total: 61_000,
    transitions: [
      {
        at: '2026-01-01T00:00:12.300Z',
        from: 'closed',
        to: 'open',
        reason: '5 consecutive failures (last: server_error)',
      },
      {
        at: '2026-01-01T00:00:42.300Z',
        from: 'open',
        to: 'half_open',
        reason: 'cool-down of 30000 ms over',
      },
      {
        at: '2026-01-01T00:00:42.700Z',
        from: 'half_open',
        to: 'open',
        reason: 'probe failed (server_error)',
      },
      {
        at: '2026-01-01T00:01:12.700Z',
        from: 'open',
        to: 'half_open',
        reason: 'cool-down of 30000 ms over',
      },
      {
        at: '2026-01-01T00:01:13.300Z',
        from: 'half_open',
        to: 'closed',
        reason: 'probe succeeded',
      },
    ],
    ...overrides,
  };
}

function budget(overrides: Partial<BudgetReport> = {}): BudgetReport {
  return {
    max_cost_usd: 5,
    spent_usd: 0.4213,
    in_flight_usd: 0,
    refused: 0,
    stopped_by_budget: null,
    ...overrides,
  };
}

describe('retriesLine', () => {
  it('counts retries by class and how the retried requests ended', () => {
    expect(retriesLine(retrySummary(), 4)).toBe(
      'Retries: 12 retries over 100 requests (rate_limited 9, server_error 3); 11 succeeded after a retry, 1 gave up after 4 attempts',
    );
  });

  it('tells a Retry-After past max_delay_ms and other final errors from running out of attempts', () => {
    expect(
      retriesLine(
        retrySummary({
          retries: 1,
          requests: 1,
          retries_by_class: { network: 1 },
          succeeded_after_retry: 0,
          failed_after_retry: 3,
          gave_up: { attempts_exhausted: 0, retry_after_too_long: 1 },
        }),
        undefined,
      ),
    ).toBe(
      'Retries: 1 retry over 1 request (network 1); 0 succeeded after a retry, 1 gave up on a Retry-After longer than max_delay_ms, 2 failed after a retry on an error not retried',
    );
  });

  it('is left out when the provider does not retry or nothing failed', () => {
    expect(retriesLine(null, undefined)).toBeUndefined();
    expect(
      retriesLine(
        retrySummary({
          attempts: 100,
          retries: 0,
          retries_by_class: {},
          succeeded_after_retry: 0,
          failed_after_retry: 0,
          gave_up: { attempts_exhausted: 0, retry_after_too_long: 0 },
        }),
        3,
      ),
    ).toBeUndefined();
  });
});

describe('rateLimitLine', () => {
  it('says how many requests waited, for how long in all and at most, and the limits', () => {
    expect(rateLimitLine('openai', rateLimits())).toBe(
      'Rate limits (openai): 40 of 120 requests waited, 3.2 s in all, longest 410 ms · limits 120 requests/min',
    );
  });

  it('says so briefly when no request waited', () => {
    expect(
      rateLimitLine(
        'vllm',
        rateLimits({ requests_per_minute: null, tokens_per_minute: 90_000, delayed: 0 }),
      ),
    ).toBe('Rate limits (vllm): never waited (120 requests) · limits 90000 tokens/min');
  });
});

describe('circuitBreakerLines', () => {
  it('says how often and how long it was open, how it ended, and each change since the start', () => {
    expect(circuitBreakerLines('openai', breaker(), RUN_START, colors)).toEqual([
      'Circuit breaker (openai): opened 2 times, open 61.0 s in all; ends closed',
      '  +12.3 s closed → open: 5 consecutive failures (last: server_error)',
      '  +42.3 s open → half-open: cool-down of 30000 ms over',
      '  +42.7 s half-open → open: probe failed (server_error)',
      '  +72.7 s open → half-open: cool-down of 30000 ms over',
      '  +73.3 s half-open → closed: probe succeeded',
    ]);
  });

  it('lists the first transitions only, and nothing for a breaker that never opened', () => {
    const many = breaker().transitions;
    const lines = circuitBreakerLines(
      'openai',
      breaker({ state: 'open', tripped: 3, transitions: [...many, many[0]!, many[1]!] }),
      RUN_START,
      colors,
    );
    expect(lines[0]).toBe(
      'Circuit breaker (openai): opened 3 times, open 61.0 s in all; ends open',
    );
    expect(lines).toHaveLength(7);
    expect(lines[6]).toBe('  … 2 more transitions in the summary (resilience.providers)');
    expect(
      circuitBreakerLines(
        'openai',
        breaker({ tripped: 0, open_ms_total: 0, transitions: [] }),
        RUN_START,
        colors,
      ),
    ).toEqual([]);
  });
});

describe('budget', () => {
  it('says what was spent of the budget, and what it kept from being sent', () => {
    expect(budgetLine(budget())).toBe('Budget: $0.42 of $5.00 spent');
    expect(budgetLine(budget({ spent_usd: 4.991, refused: 37 }))).toBe(
      'Budget: $4.99 of $5.00 spent, 37 requests not sent',
    );
    expect(budgetWarning({ providers: [], budget: budget() })).toBeUndefined();
  });

  it("turns the guard's stop into a warning line", () => {
    const message =
      'stopped dispatching at $4.99 of --max-cost $5.00: the next request could cost up to $0.02';
    const stopped = budget({
      spent_usd: 4.99,
      refused: 1,
      stopped_by_budget: {
        limit_usd: 5,
        spent_usd: 4.99,
        in_flight_usd: 0,
        next_request_usd: 0.02,
        message,
      },
    });
    expect(budgetWarning({ providers: [], budget: stopped })).toBe(`warning: ${message}`);
  });
});

describe('resilienceLines', () => {
  it("lists each provider's rate limiter and tripped breaker, then the budget", () => {
    const resilience: ResilienceSummary = {
      providers: [
        { provider: 'openai', max_attempts: 4, rate_limits: rateLimits(), circuit_breaker: null },
        {
          provider: 'vllm',
          max_attempts: 1,
          rate_limits: null,
          circuit_breaker: breaker({ tripped: 0, transitions: [] }),
        },
      ],
      budget: budget(),
    };
    expect(resilienceLines(resilience, RUN_START, colors)).toEqual([
      'Rate limits (openai): 40 of 120 requests waited, 3.2 s in all, longest 410 ms · limits 120 requests/min',
      'Budget: $0.42 of $5.00 spent',
    ]);
    expect(resilienceLines(null, RUN_START, colors)).toEqual([]);
  });
});

const calmLoop: EventLoopSnapshot = {
  p50Ms: 0.05,
  p99Ms: 0.4,
  maxMs: 2.5,
  meanMs: 0.08,
  utilization: 0.2,
  samples: 5000,
};

/** One successful measured request of `openai · gpt-4o-mini · chat`. */
function record(): RequestRecord {
  return {
    requestId: 'r1',
    provider: 'openai',
    model: 'gpt-4o-mini',
    scenario: 'chat',
    isWarmup: false,
    startedAtMs: Date.parse(RUN_START),
    dispatchNs: 0n,
    status: 'ok',
    queueNs: 0n,
    ttftNs: 150_000_000n,
    e2eNs: 900_000_000n,
    tokenEventOffsetsNs: new Float64Array(),
    tokenEventTokens: new Uint32Array(),
  } as RequestRecord;
}

function summaryWith(resilience: ResilienceSummary | null, retries: RetrySummary | null) {
  const fidelity = buildFidelity([{ thread: 'main', snapshot: calmLoop }]);
  const aggregator = new Aggregator();
  aggregator.add(record());
  const groups = aggregator.summarize({ complete: true, fidelity });
  for (const group of groups) group.retries = retries;
  const summary: RunSummary = buildRunSummary({
    toolVersion: '0.1.0',
    configHash: 'sha256:test',
    startedAt: RUN_START,
    endedAt: '2026-01-01T00:02:00.000Z',
    complete: true,
    fidelity,
    groups,
    resilience,
  });
  return renderSummary(summary, colors).split('\n');
}

describe('renderSummary with client-side policies', () => {
  it('adds the retries line to its group and the policy lines before the fidelity line', () => {
    const stop = 'stopped dispatching: the next request could take the spend past --max-cost $5.00';
    const lines = summaryWith(
      {
        providers: [
          {
            provider: 'openai',
            max_attempts: 4,
            rate_limits: rateLimits(),
            circuit_breaker: breaker(),
          },
        ],
        budget: budget({
          spent_usd: 4.99,
          refused: 3,
          stopped_by_budget: {
            limit_usd: 5,
            spent_usd: 4.99,
            in_flight_usd: 0,
            next_request_usd: 0.02,
            message: stop,
          },
        }),
      },
      retrySummary(),
    );
    const at = (prefix: string) => lines.findIndex((line) => line.startsWith(prefix));
    expect(lines[at('Retries:')]).toBe(
      'Retries: 12 retries over 100 requests (rate_limited 9, server_error 3); 11 succeeded after a retry, 1 gave up after 4 attempts',
    );
    expect(at('Requests:')).toBeLessThan(at('Retries:'));
    const runLines = lines.slice(at('Rate limits'), at('Fidelity:'));
    expect(runLines).toEqual([
      'Rate limits (openai): 40 of 120 requests waited, 3.2 s in all, longest 410 ms · limits 120 requests/min',
      'Circuit breaker (openai): opened 2 times, open 61.0 s in all; ends closed',
      '  +12.3 s closed → open: 5 consecutive failures (last: server_error)',
      '  +42.3 s open → half-open: cool-down of 30000 ms over',
      '  +42.7 s half-open → open: probe failed (server_error)',
      '  +72.7 s open → half-open: cool-down of 30000 ms over',
      '  +73.3 s half-open → closed: probe succeeded',
      'Budget: $4.99 of $5.00 spent, 3 requests not sent',
    ]);
    expect(at(`warning: ${stop}`)).toBeGreaterThan(at('Fidelity:'));
  });

  it('prints none of them for a run without policies', () => {
    const lines = summaryWith(null, null);
    for (const prefix of ['Retries:', 'Rate limits', 'Circuit breaker', 'Budget:']) {
      expect(lines.some((line) => line.startsWith(prefix))).toBe(false);
    }
    expect(lines.some((line) => line.startsWith('Fidelity:'))).toBe(true);
  });
});
