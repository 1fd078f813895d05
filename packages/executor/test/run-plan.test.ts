import type { RequestRecord } from '@llm-lens/core-timing';
import { createTokenCounter } from '@llm-lens/providers-core';
import { afterEach, describe, expect, it } from 'vitest';
import { runPlan } from '../src/index.js';
import { type SimulatedTarget, scenario, simulatedTarget } from './harness.js';

let sim: SimulatedTarget | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function run(
  simulatorOptions: Parameters<typeof simulatedTarget>[0],
  scenarioOverrides: Parameters<typeof scenario>[0] = {},
  options: Parameters<typeof runPlan>[1] & { includeUsage?: boolean } = {},
) {
  const { includeUsage, ...runOptions } = options;
  sim = await simulatedTarget(
    { ttftMs: 20, itlMs: 2, outputTokens: 8, ...simulatorOptions },
    includeUsage === undefined ? {} : { includeUsage },
  );
  const records: RequestRecord[] = [];
  const summary = await runPlan(
    {
      targets: [{ ...sim.target, ...(options as { targetExtra?: object }).targetExtra }],
      scenarios: [scenario(scenarioOverrides)],
    },
    { onRecord: (r) => records.push(r), ...runOptions },
  );
  return { summary, group: summary.groups[0]!, records };
}

describe('runPlan', () => {
  it('executes warm-up requests but excludes them from every statistic', async () => {
    const { group, records } = await run({}, { requests: 5, warmup: 3, concurrency: 2 });
    expect(records).toHaveLength(8);
    expect(records.filter((r) => r.isWarmup)).toHaveLength(3);
    expect(group.requests).toEqual({
      planned: 5,
      total: 5,
      succeeded: 5,
      failed: 0,
      warmup: 3,
      not_sent: 0,
    });
    expect(group.ttft!.count).toBe(5);
    expect(group.e2e!.count).toBe(5);
    expect(group.tokens.output).toBe(5 * 8);
  });

  it('reports dns/connect only for requests that opened a connection', async () => {
    const { records } = await run({}, { requests: 12, concurrency: 3 });
    const fresh = records.filter((r) => r.connection !== undefined);
    // One connection per concurrent slot, then keep-alive reuse.
    expect(fresh).toHaveLength(3);
    for (const r of fresh) {
      expect(r.connection!.connectNs).toBeGreaterThan(0n);
      expect(r.connection!.dnsNs).toBeUndefined(); // 127.0.0.1 needs no lookup
      expect(r.connection!.tlsNs).toBeUndefined();
    }
  });

  it('takes output tokens from server usage and flags no mismatch when the tokenizer agrees', async () => {
    // A tokenizer the caller supplies is taken as the model's own: its counts are compared.
    const ownVocabulary = (model: string) => {
      const counter = createTokenCounter(model);
      return { count: (text: string) => counter.count(text) };
    };
    const { records, group } = await run({}, { requests: 2 }, { tokenizer: ownVocabulary });
    for (const r of records) {
      expect(r.tokenCountSource).toBe('server_usage');
      expect(r.outputTokens).toBe(8);
      expect(r.inputTokens).toBeGreaterThan(0);
      expect(r.tokenCountMismatch).toBe(false);
    }
    expect(group.token_count_sources.server_usage).toBe(2);
    await sim!.close();
    sim = undefined;
    // The offline tokenizer is only an estimate for a model outside OpenAI's families: no verdict.
    const estimated = await run({}, { requests: 1 }, { tokenizer: 'offline' });
    expect(estimated.records[0]!.tokenCountMismatch).toBeUndefined();
  });

  it('falls back to the tokenizer, then to the event count, when the server sends no usage', async () => {
    const tokenized = await run({}, { requests: 1 }, { includeUsage: false, tokenizer: 'offline' });
    expect(tokenized.records[0]!.tokenCountSource).toBe('tokenizer');
    expect(tokenized.records[0]!.outputTokens).toBe(8);
    await sim!.close();
    sim = undefined;
    const counted = await run({ tokensPerEvent: 2 }, { requests: 1 }, { includeUsage: false });
    expect(counted.records[0]!.tokenCountSource).toBe('event_count');
    expect(counted.records[0]!.outputTokens).toBe(4);
  });

  it('splits a gap over the tokens of a multi-token event for ITL but not for chunk gap', async () => {
    const { group } = await run(
      { tokensPerEvent: 4, itlMs: 40, outputTokens: 16 },
      { requests: 2 },
      { tokenizer: 'offline' },
    );
    expect(Math.abs(group.chunk_gap!.p50 - 40)).toBeLessThanOrEqual(2);
    expect(Math.abs(group.itl!.p50 - 10)).toBeLessThanOrEqual(0.5);
    expect(group.itl!.count).toBe(2 * 12); // 3 gaps × 4 tokens per request
    // tpot = (last − first) / (16 − 1) = 3 × 40 / 15
    expect(Math.abs(group.tpot!.p50 - 8)).toBeLessThanOrEqual(0.5);
  });

  it('separates time to first answer token from reasoning tokens', async () => {
    const { group, records } = await run({ reasoningTokens: 5, itlMs: 10 }, { requests: 2 });
    expect(records[0]!.reasoningTokens).toBe(5);
    expect(group.ttfo!.p50 - group.ttft!.p50).toBeGreaterThan(45);
    expect(group.ttfo!.p50 - group.ttft!.p50).toBeLessThan(56);
  });

  it('measures non-streaming requests end to end with one token event', async () => {
    const { records } = await run({}, { requests: 2, stream: false });
    for (const r of records) {
      expect(r.status).toBe('ok');
      expect(r.outputTokens).toBe(8);
      expect(r.tokenEventOffsetsNs).toHaveLength(1);
      expect(r.tpotNs).toBeUndefined();
      // The whole body arrives at once, after ttft + 7 gaps of generation.
      expect(Number(r.e2eNs) / 1e6).toBeGreaterThan(30);
    }
  });

  it.each([
    [{ faults: { rateLimitRate: 1, retryAfterS: 2 } }, 'rate_limited', 429],
    [{ faults: { serverErrorRate: 1 } }, 'server_error', 500],
    [{ faults: { dropRate: 1 } }, 'stream_interrupted', 200],
  ] as const)('classifies injected faults (%j → %s)', async (options, errorClass, status) => {
    const { group, records } = await run(options, { requests: 3 });
    expect(group.requests).toMatchObject({ total: 3, succeeded: 0, failed: 3 });
    expect(group.errors).toEqual({ [errorClass]: 3 });
    expect(group.success_rate).toBe(0);
    expect(group.ttft).toBeNull();
    for (const r of records) {
      expect(r.errorClass).toBe(errorClass);
      expect(r.httpStatus).toBe(status);
      expect(r.errorMessage).toBeTruthy();
    }
  });

  it('turns a mid-stream error payload into a failed request', async () => {
    const { records } = await run({ faults: { midStreamErrorRate: 1 } }, { requests: 1 });
    expect(records[0]!.status).toBe('error');
    expect(records[0]!.errorClass).toMatch(/server_error|protocol/);
  });

  it('enforces ttft, idle and total timeouts with their own error classes', async () => {
    const ttft = await run({ ttftMs: 400 }, { requests: 1 }, {
      targetExtra: { timeouts: { ttftMs: 60 } },
    } as never);
    expect(ttft.records[0]!.errorClass).toBe('timeout_ttft');
    expect(Number(ttft.records[0]!.e2eNs) / 1e6).toBeLessThan(300);
    await sim!.close();
    sim = undefined;
    const idle = await run({ faults: { stallRate: 1, stallMs: 500 }, itlMs: 5 }, { requests: 1 }, {
      targetExtra: { timeouts: { idleMs: 80 } },
    } as never);
    expect(idle.records[0]!.errorClass).toBe('timeout_idle');
    await sim!.close();
    sim = undefined;
    const total = await run({ itlMs: 50, outputTokens: 20 }, { requests: 1, timeoutMs: 150 });
    expect(total.records[0]!.errorClass).toBe('timeout_total');
    // The timeout clock starts at hand-off; e2e starts later, when the headers reach the socket.
    const fromHandOffMs =
      Number((total.records[0]!.sendDelayNs ?? 0n) + total.records[0]!.e2eNs!) / 1e6;
    // libuv timers run on a millisecond-rounded loop clock, so they may fire up to 1 ms early.
    expect(fromHandOffMs).toBeGreaterThanOrEqual(149);
    expect(fromHandOffMs).toBeLessThan(400);
  });

  it('stops dispatching on interrupt, cancels after the grace period and marks the run incomplete', async () => {
    const stop = new AbortController();
    const pending = run(
      { ttftMs: 50, itlMs: 20, outputTokens: 50 },
      { requests: 100, concurrency: 4 },
      { signal: stop.signal, graceMs: 100 },
    );
    setTimeout(() => stop.abort(), 300);
    const { summary, group, records } = await pending;
    expect(summary.complete).toBe(false);
    expect(group.complete).toBe(false);
    expect(records.length).toBeLessThan(100);
    expect(records.length).toBeGreaterThanOrEqual(4);
    // Requests in flight at the interrupt could not finish in 100 ms: they are cancelled.
    expect(records.filter((r) => r.errorClass === 'cancelled').length).toBe(4);
    // The summary tells completed, cancelled and never-sent requests apart.
    expect(group.requests.planned).toBe(100);
    expect(group.requests.total).toBe(records.length);
    expect(group.requests.not_sent).toBe(100 - records.length);
    expect(group.errors.cancelled).toBe(4);
  });

  it('reports progress with done/total and a running p50 TTFT', async () => {
    const events: Array<{ done: number; total: number; p50TtftMs: number | null; phase: string }> =
      [];
    await run(
      {},
      { requests: 6, warmup: 2, concurrency: 2 },
      { onProgress: (e) => events.push(e), progressIntervalMs: 0 },
    );
    const last = events.at(-1)!;
    expect(last).toMatchObject({ done: 6, total: 6, phase: 'measure' });
    expect(last.p50TtftMs).toBeGreaterThan(15);
    expect(events.some((e) => e.phase === 'warmup')).toBe(true);
  });
});

describe('runPlan with interleaved rounds', () => {
  it('alternates the pairs round by round, warm-ups first, and counts every request once', async () => {
    const a = await simulatedTarget({ ttftMs: 1, itlMs: 1, outputTokens: 2 }, { name: 'a' });
    const b = await simulatedTarget({ ttftMs: 1, itlMs: 1, outputTokens: 2 }, { name: 'b' });
    try {
      const records: RequestRecord[] = [];
      const summary = await runPlan(
        { targets: [a.target, b.target], scenarios: [scenario({ requests: 7, warmup: 1 })] },
        { onRecord: (r) => records.push(r), interleaveRounds: 3 },
      );
      // Rounds of 3, 2 and 2 requests; round 2 starts with b, round 3 with a again.
      const order = records.map((r) => `${r.provider}${r.isWarmup ? 'w' : ''}`).join(' ');
      expect(order).toBe('aw a a a bw b b b b b a a a a b b');
      for (const group of summary.groups) {
        expect(group.requests).toMatchObject({ planned: 7, total: 7, succeeded: 7, warmup: 1 });
        expect(group.ttft?.count).toBe(7);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses rounds with worker threads and rounds below 1', async () => {
    const a = await simulatedTarget({ ttftMs: 1, itlMs: 1, outputTokens: 2 });
    try {
      const plan = { targets: [a.target], scenarios: [scenario()] };
      await expect(runPlan(plan, { interleaveRounds: 0 })).rejects.toThrow(/whole number >= 1/);
      await expect(runPlan(plan, { interleaveRounds: 2, workers: 2 })).rejects.toThrow(
        /one thread/,
      );
    } finally {
      await a.close();
    }
  });
});
