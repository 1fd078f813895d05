import { nonNegativeNumber, strictObject } from '@llm-lens/config-fields';
import type { RequestRecord } from '@llm-lens/core-timing';
import { MemoryRecordSink } from '@llm-lens/metrics';
import {
  createFakeProvider,
  FakeTransport,
  fakeProviderFactory,
  fakeStream,
} from '@llm-lens/providers-core/testing';
import { describe, expect, it } from 'vitest';
import {
  type BenchmarkTarget,
  createTargets,
  EARLY_STOP_AFTER,
  ExtensionRegistry,
  type LoadPattern,
  runPlan,
  type ScenarioPlan,
} from '../src/index.js';

// Everything here runs on a provider with a wire format of its own and a transport that
// plays scripted responses: the executor must work without knowing any real provider.

function fakeTarget(script: ConstructorParameters<typeof FakeTransport>[0]) {
  const transport = new FakeTransport(script);
  const target: BenchmarkTarget = {
    provider: createFakeProvider('fake'),
    transport,
    model: 'fake-1',
  };
  return { target, transport };
}

function scenario(overrides: Partial<ScenarioPlan> = {}): ScenarioPlan {
  return {
    name: 's',
    prompt: 'hi',
    requests: 6,
    concurrency: 2,
    warmup: 0,
    stream: true,
    ...overrides,
  };
}

/** A load pattern from outside the executor: one request every `gap_ms`, whatever is in flight. */
const paced: LoadPattern = {
  type: 'paced',
  description: 'one request every gap_ms (a test pattern)',
  configSchema: strictObject({ gap_ms: nonNegativeNumber() }, 'an object {type: paced, gap_ms}'),
  shard: (load, index) => (index === 0 ? load : undefined),
  async run(load, driver) {
    const start = driver.now();
    const gapNs = BigInt(Math.round((load.settings.gap_ms as number) * 1e6));
    const sent: Promise<void>[] = [];
    for (let i = 0; i < load.requests && !driver.isStopped; i++) {
      const due = start + BigInt(i) * gapNs;
      await driver.sleepUntil(due);
      sent.push(driver.send(due));
    }
    await Promise.all(sent);
  },
};

describe('the executor knows no provider', () => {
  it('measures a fake provider over a fake transport: tokens, ttft, tpot and usage', async () => {
    const { target, transport } = fakeTarget(() => fakeStream({ tokens: 5, ttftMs: 20, itlMs: 4 }));
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      { targets: [target], scenarios: [scenario()] },
      { onRecord: (r) => records.push(r) },
    );
    const group = summary.groups[0]!;
    expect(group.requests).toMatchObject({ planned: 6, total: 6, succeeded: 6, not_sent: 0 });
    expect(group.tokens.output).toBe(30);
    expect(group.token_count_sources.server_usage).toBe(6);
    expect(group.ttft!.p50).toBeGreaterThanOrEqual(19);
    expect(group.ttft!.p50).toBeLessThan(40);
    expect(group.tpot!.p50).toBeGreaterThanOrEqual(3);
    expect(group.tpot!.p50).toBeLessThan(10);
    // Every request carried its id, for servers that log it.
    expect(transport.requests.map((r) => r.headers['x-request-id'])).toEqual(
      records.map((r) => r.requestId),
    );
  });
});

describe('load patterns register by type', () => {
  it('runs a pattern the executor has never heard of, due times from its schedule', {
    retry: 2,
  }, async () => {
    const registry = new ExtensionRegistry();
    registry.register({ loadPatterns: [paced] });
    const { target, transport } = fakeTarget(() => fakeStream({ tokens: 2, ttftMs: 60, itlMs: 1 }));
    const records: RequestRecord[] = [];
    await runPlan(
      {
        targets: [target],
        scenarios: [scenario({ requests: 5, load: { type: 'paced', settings: { gap_ms: 20 } } })],
      },
      { registry, onRecord: (r) => records.push(r) },
    );
    expect(transport.requests).toHaveLength(5);
    const dispatches = records.map((r) => Number(r.dispatchNs)).sort((a, b) => a - b);
    // Open loop: a request every 20 ms although each takes 60 ms, so several are in flight.
    for (let i = 1; i < dispatches.length; i++) {
      const gapMs = (dispatches[i]! - dispatches[i - 1]!) / 1e6;
      // Timers fire late on a busy machine, never early (sleepUntil re-arms).
      expect(gapMs).toBeGreaterThan(15);
      expect(gapMs).toBeLessThan(45);
    }
    for (const record of records) {
      expect(Number(record.queueNs) / 1e6).toBeLessThan(5);
      // e2e counts from the schedule too: queue + send delay + e2e.
      expect(record.e2eFromScheduleNs).toBe(
        record.queueNs + (record.sendDelayNs ?? 0n) + record.e2eNs!,
      );
    }
  });

  it('refuses a pattern no one registered, naming those that are', async () => {
    const { target } = fakeTarget(() => fakeStream({ tokens: 1, ttftMs: 0, itlMs: 0 }));
    await expect(
      runPlan({
        targets: [target],
        scenarios: [scenario({ load: { type: 'poisson', settings: {} } })],
      }),
    ).rejects.toThrow(
      'no load pattern "poisson" is registered; registered: closed, open, burst, replay',
    );
  });
});

describe('early stop', () => {
  it(`stops a pair when its first ${EARLY_STOP_AFTER} requests all fail the same persistent way`, async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      code: 'ECONNREFUSED',
    });
    const { target, transport } = fakeTarget(() => ({ error: refused }));
    const summary = await runPlan({
      targets: [target],
      scenarios: [scenario({ requests: 50, concurrency: 1 })],
    });
    const group = summary.groups[0]!;
    // A slot sends its next request before the last one is accounted for, so one more per
    // slot may already be on its way when the rule fires.
    expect(transport.requests.length).toBeGreaterThanOrEqual(EARLY_STOP_AFTER);
    expect(transport.requests.length).toBeLessThanOrEqual(EARLY_STOP_AFTER + 1);
    const sent = transport.requests.length;
    expect(group.requests).toMatchObject({
      planned: 50,
      total: sent,
      failed: sent,
      not_sent: 50 - sent,
    });
    expect(group.stopped_early).toBe(
      'the first 3 requests all failed the same way (network: connection refused (is the server running, and are host and port right?): connect ECONNREFUSED 127.0.0.1:9 (ECONNREFUSED)), so the rest were not sent',
    );
    expect(group.error_examples.network).toContain('connection refused');
  });

  it('goes on when a success or a transient failure comes among the first ones', async () => {
    const { target, transport } = fakeTarget((_spec, index) =>
      index === 1
        ? { status: 500, chunks: [{ afterMs: 0, data: '{}' }] }
        : fakeStream({ tokens: 1, ttftMs: 1, itlMs: 0 }),
    );
    const summary = await runPlan({
      targets: [target],
      scenarios: [scenario({ requests: 8, concurrency: 1 })],
    });
    expect(transport.requests).toHaveLength(8);
    expect(summary.groups[0]!.stopped_early).toBeNull();
  });
});

describe('record sinks', () => {
  it('get every record in completion order, waiting out backpressure, and are closed', async () => {
    const { target } = fakeTarget(() => fakeStream({ tokens: 3, ttftMs: 2, itlMs: 1 }));
    const sink = new MemoryRecordSink(2);
    const order: string[] = [];
    // The sink takes two, then needs a drain: free it a moment later, every time.
    const release = setInterval(() => sink.release(), 5);
    try {
      await runPlan(
        { targets: [target], scenarios: [scenario({ requests: 12, warmup: 2, concurrency: 3 })] },
        { sinks: [sink], onRecord: (r) => order.push(r.requestId) },
      );
    } finally {
      clearInterval(release);
    }
    expect(sink.isClosed).toBe(true);
    expect(sink.records.map((r) => r.requestId)).toEqual(order);
    expect(sink.records).toHaveLength(14);
  });
});

describe('createTargets', () => {
  it('builds targets through the factory of each type, with its settings validated and defaulted', async () => {
    const registry = new ExtensionRegistry();
    registry.register({ providerFactories: [fakeProviderFactory] });
    const resolved = await createTargets(
      [{ name: 'f', type: 'fake', models: ['a', 'b'], tokens: '3' }],
      registry,
    );
    try {
      expect(resolved.targets.map((t) => [t.provider.name, t.model])).toEqual([
        ['f', 'a'],
        ['f', 'b'],
      ]);
      expect(resolved.targets[0]!.portable?.settings).toMatchObject({
        tokens: 3,
        ttft_ms: 5,
        fail: 'none',
      });
      expect(resolved.endpoints.get('f')).toBe('a fake transport (no network)');
    } finally {
      await resolved.close();
    }
    await expect(
      createTargets(
        [{ name: 'g', type: 'fake', models: ['a'], tokenz: 3, fail: 'maybe' }],
        registry,
      ),
    ).rejects.toThrow(
      'provider "g" (type fake): tokenz: not a setting of provider type fake; fail: must be one of none | refused | http_500 | http_401, got "maybe"',
    );
  });
});
