import type { RequestRecord } from '@llm-lens/core-timing';
import { startSimulator } from '@llm-lens/providers-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTargets,
  ExecutorError,
  ExtensionRegistry,
  runPlan,
  type ScenarioPlan,
} from '../src/index.js';
import { type SimulatedTarget, simulatedTarget } from './harness.js';

// Retries, rate limits, the circuit breaker and the budget, each against the simulator's
// fault injection over real HTTP. Timers fire late, never early: bounds are tight below.

let sim: SimulatedTarget | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const ms = (ns: bigint | number | undefined) => Number(ns ?? 0n) / 1e6;

function scenario(overrides: Partial<ScenarioPlan>): ScenarioPlan {
  return {
    name: 'resilience',
    prompt: 'Say something.',
    requests: 20,
    concurrency: 2,
    warmup: 0,
    stream: true,
    ...overrides,
  };
}

/** When a record's attempt was handed to the HTTP client, ms. */
const handedMs = (r: RequestRecord) => ms(r.dispatchNs - (r.sendDelayNs ?? 0n));

describe('retries', () => {
  it('retries 429s after their Retry-After, links the attempts and counts each request once', async () => {
    sim = await simulatedTarget({
      ttftMs: 5,
      itlMs: 1,
      outputTokens: 4,
      faults: { rateLimitRate: 0.3, retryAfterS: 0.05 },
    });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      {
        targets: [{ ...sim.target, resilience: { retries: { maxAttempts: 8, baseDelayMs: 1 } } }],
        scenarios: [scenario({ requests: 40, concurrency: 4 })],
      },
      { onRecord: (r) => records.push(r) },
    );
    const group = summary.groups[0]!;
    const retried = records.filter((r) => r.isRetried === true);
    const finals = records.filter((r) => r.isRetried !== true);
    // Every attempt reached the server; the statistics count 40 requests, by their last attempt.
    expect(sim.simulator.stats().requests).toBe(records.length);
    expect(retried.length).toBeGreaterThan(5);
    expect(finals).toHaveLength(40);
    expect(group.requests.total).toBe(40);
    expect(group.requests.succeeded).toBe(finals.filter((r) => r.status === 'ok').length);
    expect(group.errors.rate_limited ?? 0).toBe(
      finals.filter((r) => r.errorClass === 'rate_limited').length,
    );
    expect(group.retries).toMatchObject({
      requests: 40,
      attempts: records.length,
      retries: retried.length,
      retries_by_class: { rate_limited: retried.length },
    });
    const byAttempts = group.retries!.attempts_per_request;
    expect(Object.values(byAttempts).reduce((a, b) => a + b, 0)).toBe(40);
    expect(group.retries!.succeeded_after_retry).toBe(
      finals.filter((r) => r.status === 'ok' && r.attempt! > 1).length,
    );
    // Each retried attempt is a 429 that waited the server's 50 ms (longer than any backoff drawn).
    for (const r of retried) {
      expect(r.errorClass).toBe('rate_limited');
      expect(r.httpStatus).toBe(429);
      expect(r.retryDelayMs).toBe(50);
    }
    // The attempts of a request share the first one's id and follow it after the delay.
    const byId = new Map(records.map((r) => [r.requestId, r]));
    for (const r of records.filter((x) => x.attempt! > 1)) {
      const first = byId.get(r.firstRequestId!)!;
      expect(first.attempt).toBe(1);
      const previous = records.find(
        (x) =>
          (x.firstRequestId ?? x.requestId) === r.firstRequestId && x.attempt === r.attempt! - 1,
      )!;
      expect(previous.isRetried).toBe(true);
      const previousEndMs = ms(previous.dispatchNs) + ms(previous.e2eNs);
      expect(handedMs(r) - previousEndMs).toBeGreaterThanOrEqual(49.9);
      // Latency from the schedule counts every attempt and wait: what the user waited.
      expect(ms(r.e2eFromScheduleNs)).toBeGreaterThanOrEqual(ms(r.e2eNs) + 50);
    }
    expect(summary.resilience?.providers).toEqual([
      { provider: 'sim', max_attempts: 8, rate_limits: null, circuit_breaker: null },
    ]);
  });

  it('gives up after max_attempts and reports it; the failure counts once', async () => {
    sim = await simulatedTarget({
      ttftMs: 2,
      itlMs: 1,
      outputTokens: 2,
      faults: { serverErrorRate: 1 },
    });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      {
        targets: [
          {
            ...sim.target,
            resilience: { retries: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 20 } },
          },
        ],
        scenarios: [scenario({ requests: 6, concurrency: 2 })],
      },
      { onRecord: (r) => records.push(r) },
    );
    const group = summary.groups[0]!;
    expect(records).toHaveLength(18);
    expect(group.requests).toMatchObject({ total: 6, failed: 6, succeeded: 0 });
    expect(group.errors).toEqual({ server_error: 6 });
    expect(group.retries).toEqual({
      requests: 6,
      attempts: 18,
      retries: 12,
      attempts_per_request: { '3': 6 },
      retries_by_class: { server_error: 12 },
      succeeded_after_retry: 0,
      failed_after_retry: 6,
      gave_up: { attempts_exhausted: 6, retry_after_too_long: 0 },
    });
    const finals = records.filter((r) => r.isRetried !== true);
    expect(finals.every((r) => r.attempt === 3 && r.retryGaveUp === 'attempts_exhausted')).toBe(
      true,
    );
    // Full jitter below a 20 ms cap: every delay in [0, 20) (kept to the microsecond), and spread.
    const delays = records.filter((x) => x.isRetried === true).map((r) => r.retryDelayMs!);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(20);
    }
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(5);
  });

  it('does not retry a class outside retry_on, nor records without retries configured', async () => {
    sim = await simulatedTarget({
      ttftMs: 2,
      itlMs: 1,
      outputTokens: 2,
      faults: { serverErrorRate: 1 },
    });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      {
        targets: [
          { ...sim.target, resilience: { retries: { maxAttempts: 3, retryOn: ['rate_limited'] } } },
        ],
        scenarios: [scenario({ requests: 4 })],
      },
      { onRecord: (r) => records.push(r) },
    );
    expect(records).toHaveLength(4);
    expect(records.every((r) => r.attempt === 1 && r.retryGaveUp === undefined)).toBe(true);
    expect(summary.groups[0]!.retries!.retries).toBe(0);
  });
});

describe('rate limits', () => {
  it('paces requests to requests_per_minute however many slots are free', async () => {
    sim = await simulatedTarget({ ttftMs: 2, itlMs: 1, outputTokens: 2 });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      {
        // 600 a minute: one every 100 ms, with six slots all free at the start.
        targets: [{ ...sim.target, resilience: { rateLimits: { requestsPerMinute: 600 } } }],
        scenarios: [scenario({ requests: 6, concurrency: 6 })],
      },
      { onRecord: (r) => records.push(r) },
    );
    // The first goes at once; request i no earlier than i × 100 ms after it (a timer that
    // wakes late may bring the next one closer, never the grid forward).
    const handed = records.map(handedMs).sort((a, b) => a - b);
    for (let i = 1; i < handed.length; i++) {
      expect(handed[i]! - handed[0]!).toBeGreaterThanOrEqual(i * 100 - 1);
    }
    expect(handed[5]! - handed[0]!).toBeLessThan(1000);
    const limits = summary.resilience!.providers[0]!.rate_limits!;
    expect(limits).toMatchObject({ requests_per_minute: 600, reservations: 6, delayed: 5 });
    // The last one waited about 500 ms: less the time it took to reach the limiter after the
    // first went, which a busy machine stretches to a few ms (seen: 497.8 under load).
    expect(limits.wait_ms_max).toBeGreaterThanOrEqual(450);
    // The wait is in the queue time (latency from the schedule sees it), and it is no lag.
    expect(Math.max(...records.map((r) => ms(r.queueNs)))).toBeGreaterThanOrEqual(450);
    for (const r of records) expect(ms(r.scheduleLagNs)).toBeLessThan(20);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, holds requests for the cool-down, and closes on a good probe', async () => {
    sim = await simulatedTarget({
      ttftMs: 2,
      itlMs: 1,
      outputTokens: 2,
      faults: { serverErrorRate: 1 },
    });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      {
        targets: [
          {
            ...sim.target,
            resilience: { circuitBreaker: { failureThreshold: 3, coolDownMs: 300 } },
          },
        ],
        scenarios: [scenario({ requests: 6, concurrency: 1 })],
      },
      {
        onRecord: (r) => {
          records.push(r);
          // The server recovers while the breaker is open.
          if (records.length === 3) sim!.simulator.setFaults({});
        },
      },
    );
    expect(records.map((r) => r.status)).toEqual(['error', 'error', 'error', 'ok', 'ok', 'ok']);
    // The probe waited out the cool-down; the requests after it did not wait.
    expect(ms(records[3]!.queueNs)).toBeGreaterThanOrEqual(290);
    expect(ms(records[4]!.queueNs)).toBeLessThan(100);
    const breaker = summary.resilience!.providers[0]!.circuit_breaker!;
    expect(breaker.state).toBe('closed');
    expect(breaker.tripped).toBe(1);
    expect(breaker.transitions.map((t) => `${t.from}>${t.to}`)).toEqual([
      'closed>open',
      'open>half_open',
      'half_open>closed',
    ]);
    expect(breaker.transitions[0]!.reason).toBe('3 consecutive failures (last: server_error)');
    expect(breaker.open_ms_total).toBeGreaterThanOrEqual(299);
  });

  it('re-opens when the probe fails, so a down server gets one request per cool-down', async () => {
    sim = await simulatedTarget({
      ttftMs: 2,
      itlMs: 1,
      outputTokens: 2,
      faults: { serverErrorRate: 1 },
    });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      {
        targets: [
          {
            ...sim.target,
            resilience: { circuitBreaker: { failureThreshold: 2, coolDownMs: 150 } },
          },
        ],
        scenarios: [scenario({ requests: 5, concurrency: 2 })],
      },
      { onRecord: (r) => records.push(r) },
    );
    const handed = records.map(handedMs).sort((a, b) => a - b);
    // 1 and 2 go together; 1's failure frees a slot for 3 before 2's trips the breaker (3's
    // failure, sent before the trip, counts for nothing). 4 and 5 are probes a cool-down apart.
    expect(handed[2]! - handed[0]!).toBeLessThan(100);
    expect(handed[3]! - handed[1]!).toBeGreaterThanOrEqual(149);
    expect(handed[4]! - handed[3]!).toBeGreaterThanOrEqual(149);
    const breaker = summary.resilience!.providers[0]!.circuit_breaker!;
    expect(breaker.tripped).toBe(3);
    expect(breaker.state).toBe('open');
    expect(breaker.transitions.map((t) => t.reason)).toEqual([
      '2 consecutive failures (last: server_error)',
      'cool-down of 150 ms over',
      'probe failed (server_error)',
      'cool-down of 150 ms over',
      'probe failed (server_error)',
    ]);
  });
});

describe('budget', () => {
  const price = { model: 'mock-model', input: 1000, output: 1000 };

  it('stops dispatching before the estimated spend would pass --max-cost, and says so', async () => {
    sim = await simulatedTarget({ ttftMs: 2, itlMs: 1, outputTokens: 4 });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      {
        targets: [{ ...sim.target, price }],
        scenarios: [scenario({ requests: 100, concurrency: 1, maxTokens: 10 })],
      },
      { maxCostUsd: 0.1, onRecord: (r) => records.push(r) },
    );
    const budget = summary.resilience!.budget!;
    const spent = records.reduce((sum, r) => sum + (r.costUsd ?? 0), 0);
    expect(records.length).toBeGreaterThan(3);
    expect(records.length).toBeLessThan(100);
    expect(budget.spent_usd).toBeCloseTo(spent, 9);
    expect(budget.spent_usd).toBeLessThanOrEqual(0.1);
    // The request it refused would have passed the budget at its worst case.
    const stop = budget.stopped_by_budget!;
    expect(stop.spent_usd + stop.in_flight_usd + stop.next_request_usd).toBeGreaterThan(0.1);
    expect(stop.message).toMatch(/would pass the budget of \$0\.10/);
    expect(summary.complete).toBe(false);
    expect(summary.groups[0]!.stopped_early).toMatch(/^budget: stopped dispatching/);
  });

  it('refuses a budget it cannot enforce before sending anything', async () => {
    sim = await simulatedTarget({ ttftMs: 2, itlMs: 1, outputTokens: 4 });
    const run = runPlan(
      { targets: [sim.target], scenarios: [scenario({ requests: 2 })] },
      { maxCostUsd: 1 },
    );
    await expect(run).rejects.toBeInstanceOf(ExecutorError);
    await expect(run).rejects.toThrow(/no price is known for sim\/mock-model.*has no max_tokens/);
    expect(sim.simulator.stats().requests).toBe(0);
  });
});

describe('with worker threads', () => {
  it('splits the limits and the budget across threads and merges what they did', async () => {
    const simulator = await startSimulator({
      seed: 3,
      ttftMs: 2,
      itlMs: 1,
      outputTokens: 2,
      faults: { rateLimitRate: 0.25, retryAfterS: 0.02 },
    });
    // Worker threads import the adapter by URL, as the CLI registers it.
    const registry = await ExtensionRegistry.fromModules([
      new URL('../../providers-openai/dist/index.js', import.meta.url).href,
    ]);
    const resolved = await createTargets(
      [
        {
          name: 'sim',
          type: 'openai-compatible',
          base_url: simulator.baseUrl,
          models: ['mock-model'],
          retries: { max_attempts: 6, base_delay_ms: 1 },
          rate_limits: { requests_per_minute: 2400 },
        },
      ],
      registry,
    );
    try {
      const records: RequestRecord[] = [];
      const summary = await runPlan(
        { targets: resolved.targets, scenarios: [scenario({ requests: 20, concurrency: 4 })] },
        { workers: 2, registry, onRecord: (r) => records.push(r) },
      );
      const group = summary.groups[0]!;
      expect(group.requests.total).toBe(20);
      expect(group.retries).toMatchObject({ requests: 20, attempts: records.length });
      expect(simulator.stats().requests).toBe(records.length);
      const limits = summary.resilience!.providers[0]!.rate_limits!;
      // Each thread kept 1,200 a minute; together the provider's 2,400.
      expect(limits.requests_per_minute).toBe(2400);
      expect(limits.reservations).toBe(records.length);
      const ids = new Set(records.map((r) => r.requestId));
      for (const r of records) {
        if (r.attempt! > 1) expect(ids.has(r.firstRequestId!)).toBe(true);
      }
    } finally {
      await resolved.close();
      await simulator.close();
    }
  });
});
