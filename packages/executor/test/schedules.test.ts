import type { RequestRecord } from '@llm-lens/core-timing';
import { createFakeProvider, FakeTransport, fakeStream } from '@llm-lens/providers-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BenchmarkTarget,
  createTargets,
  ExtensionRegistry,
  expandSweep,
  type ResolvedTargets,
  runPlan,
  type ScenarioPlan,
  scenarioMaxInFlight,
} from '../src/index.js';
import { median, type SimulatedTarget, simulatedTarget } from './harness.js';

// Each schedule against the simulator (real HTTP, a known latency) or, where only the
// schedule itself is under test, against a scripted transport. Timers on a busy machine
// fire late, never early, so bounds are loose above and tight below.

let sim: SimulatedTarget | undefined;
let resolved: ResolvedTargets | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  await resolved?.close();
  resolved = undefined;
});

const ms = (ns: bigint | number) => Number(ns) / 1e6;

/** When the schedule said a request was due: hand-off − queue, hand-off = sent − send delay. */
function dueMs(record: RequestRecord): number {
  return ms(record.dispatchNs - (record.sendDelayNs ?? 0n) - record.queueNs);
}

function scenario(overrides: Partial<ScenarioPlan>): ScenarioPlan {
  return {
    name: 'schedule',
    prompt: 'Say something.',
    requests: 20,
    concurrency: 1,
    warmup: 0,
    stream: true,
    ...overrides,
  };
}

/** The most requests in flight at once, from each record's [sent, end] interval. */
function peakInFlight(records: readonly RequestRecord[]): number {
  const edges: Array<[number, number]> = [];
  for (const r of records) {
    edges.push([ms(r.dispatchNs), 1], [ms(r.dispatchNs) + ms(r.e2eNs ?? 0n), -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, step] of edges) {
    now += step;
    peak = Math.max(peak, now);
  }
  return peak;
}

function fakeTarget(ttftMs: number): { target: BenchmarkTarget; transport: FakeTransport } {
  const transport = new FakeTransport(() => fakeStream({ tokens: 2, ttftMs, itlMs: 1 }));
  return {
    target: { provider: createFakeProvider('fake'), transport, model: 'fake-1' },
    transport,
  };
}

describe('open loop, constant arrivals', () => {
  it('sends `rate` requests per second whatever is in flight, latency equal from dispatch and from schedule', {
    retry: 2,
  }, async () => {
    sim = await simulatedTarget({ ttftMs: 60, itlMs: 5, outputTokens: 4 });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      {
        targets: [sim.target],
        scenarios: [scenario({ requests: 30, load: { type: 'open', settings: { rate: 50 } } })],
      },
      { onRecord: (r) => records.push(r) },
    );
    const group = summary.groups[0]!;
    expect(group.requests).toMatchObject({ planned: 30, total: 30, succeeded: 30 });
    // 50 per second: a request every 20 ms, though each takes ~75 ms (several in flight).
    expect(group.throughput.dispatch_rate_per_s).toBeGreaterThan(45);
    expect(group.throughput.dispatch_rate_per_s).toBeLessThan(53);
    const due = records.map(dueMs).sort((a, b) => a - b);
    const gaps = due.slice(1).map((t, i) => t - due[i]!);
    for (const gap of gaps) expect(gap).toBeCloseTo(20, 3);
    expect(peakInFlight(records)).toBeGreaterThanOrEqual(3);
    // The simulator's TTFT is 60 ms; nothing waited, so from the schedule it is the same.
    expect(group.ttft!.p50).toBeGreaterThanOrEqual(59);
    expect(group.ttft!.p50).toBeLessThan(75);
    expect(group.ttft_from_schedule!.p50 - group.ttft!.p50).toBeLessThan(3);
    expect(group.schedule_lag!.p50).toBeLessThan(3);
    for (const r of records) {
      expect(r.ttftFromScheduleNs).toBe(r.queueNs + (r.sendDelayNs ?? 0n) + r.ttftNs!);
    }
  });
});

describe('open loop, Poisson arrivals', () => {
  async function arrivals(seed: number): Promise<number[]> {
    const { target } = fakeTarget(1);
    const records: RequestRecord[] = [];
    await runPlan(
      {
        targets: [target],
        scenarios: [
          scenario({
            requests: 150,
            load: { type: 'open', settings: { rate: 200, arrival: 'poisson', seed } },
          }),
        ],
      },
      { onRecord: (r) => records.push(r) },
    );
    const due = records.map(dueMs).sort((a, b) => a - b);
    return due.map((t) => t - due[0]!);
  }

  it('draws exponential gaps at the asked rate, the same ones for the same seed', async () => {
    const first = await arrivals(42);
    const again = await arrivals(42);
    const other = await arrivals(43);
    const gaps = first.slice(1).map((t, i) => t - first[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (gaps.length - 1));
    // Mean gap 5 ms; for an exponential distribution the standard deviation equals the mean.
    expect(mean).toBeGreaterThan(3.8);
    expect(mean).toBeLessThan(6.2);
    expect(sd / mean).toBeGreaterThan(0.75);
    expect(sd / mean).toBeLessThan(1.3);
    // The schedule is the seed's: the same offsets to the microsecond, however late the sends.
    expect(again).toHaveLength(first.length);
    const drift = Math.max(...again.map((t, i) => Math.abs(t - first[i]!)));
    expect(drift).toBeLessThan(0.002);
    expect(other.some((t, i) => Math.abs(t - first[i]!) > 0.5)).toBe(true);
  });
});

describe('open loop with max_in_flight', () => {
  it('never exceeds the cap, and a request that waited counts its latency from its arrival', {
    retry: 2,
  }, async () => {
    // ~110 ms per request, 2 at a time: about 18 per second served, 40 per second arriving.
    sim = await simulatedTarget({ ttftMs: 100, itlMs: 10, outputTokens: 2 });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      {
        targets: [sim.target],
        scenarios: [
          scenario({
            requests: 16,
            load: { type: 'open', settings: { rate: 40, max_in_flight: 2 } },
          }),
        ],
      },
      { onRecord: (r) => records.push(r) },
    );
    const group = summary.groups[0]!;
    expect(group.requests.succeeded).toBe(16);
    expect(peakInFlight(records)).toBe(2);
    const byDue = [...records].sort((a, b) => dueMs(a) - dueMs(b));
    const last = byDue.at(-1)!;
    // Arrived at 375 ms; the 16th of 8 rounds of two started at ~770 ms: it waited ~400 ms.
    expect(ms(last.queueNs)).toBeGreaterThan(300);
    expect(ms(last.ttftFromScheduleNs!)).toBeGreaterThan(ms(last.ttftNs!) + 300);
    expect(group.ttft!.p50).toBeLessThan(130);
    expect(group.ttft_from_schedule!.max).toBeGreaterThan(400);
    // Waiting for a slot is the server being slow, not the client falling behind.
    expect(group.schedule_lag!.p99).toBeLessThan(5);
    expect(summary.fidelity.warnings.join('\n')).not.toContain('fell behind');
  });
});

describe('the client falling behind its schedule', () => {
  it('shows as schedule lag and marks the run client-bound', async () => {
    const { target } = fakeTarget(1);
    // A blocked event loop in the middle of a 200/s schedule: the requests due meanwhile go late.
    const block = setTimeout(() => {
      const until = performance.now() + 80;
      while (performance.now() < until) {}
    }, 150);
    try {
      const summary = await runPlan({
        targets: [target],
        scenarios: [scenario({ requests: 100, load: { type: 'open', settings: { rate: 200 } } })],
      });
      const group = summary.groups[0]!;
      expect(group.schedule_lag!.max).toBeGreaterThan(40);
      expect(summary.fidelity.client_bound).toBe(true);
      expect(summary.fidelity.warnings.join('\n')).toContain(
        'the client fell behind its send schedule (schedule lag p99',
      );
    } finally {
      clearTimeout(block);
    }
  });
});

describe('burst', () => {
  it('sends waves of `concurrency` at one instant, `pause` after the previous wave ended', {
    retry: 2,
  }, async () => {
    sim = await simulatedTarget({ ttftMs: 40, itlMs: 5, outputTokens: 3 });
    const records: RequestRecord[] = [];
    await runPlan(
      {
        targets: [sim.target],
        scenarios: [
          scenario({
            requests: 10,
            concurrency: 4,
            load: { type: 'burst', settings: { pause: 0.2 } },
          }),
        ],
      },
      { onRecord: (r) => records.push(r) },
    );
    const waves = new Map<number, RequestRecord[]>();
    for (const r of records) {
      const key = Math.round(dueMs(r) * 1000);
      waves.set(key, [...(waves.get(key) ?? []), r]);
    }
    // Every request of a wave was due at the wave's instant: 4, 4, then the last 2.
    expect([...waves.values()].map((w) => w.length)).toEqual([4, 4, 2]);
    const starts = [...waves.keys()].sort((a, b) => a - b).map((k) => k / 1000);
    const ends = [...waves.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, w]) => Math.max(...w.map((r) => ms(r.dispatchNs) + ms(r.e2eNs!))));
    for (let i = 1; i < starts.length; i++) {
      expect(starts[i]! - ends[i - 1]!).toBeGreaterThanOrEqual(199);
      expect(starts[i]! - ends[i - 1]!).toBeLessThan(260);
    }
  });
});

describe('duration', () => {
  it('ends the measured phase after its time, with no request count planned', {
    retry: 2,
  }, async () => {
    sim = await simulatedTarget({ ttftMs: 80, itlMs: 10, outputTokens: 3 });
    const records: RequestRecord[] = [];
    const started = performance.now();
    const summary = await runPlan(
      {
        targets: [sim.target],
        scenarios: [
          scenario({ requests: Number.POSITIVE_INFINITY, concurrency: 2, durationMs: 1000 }),
        ],
      },
      { onRecord: (r) => records.push(r) },
    );
    const elapsed = performance.now() - started;
    const group = summary.groups[0]!;
    // Two slots of ~100 ms requests for one second: about 20 requests.
    expect(group.requests).toMatchObject({ planned: null, not_sent: null, failed: 0 });
    expect(group.requests.total).toBeGreaterThanOrEqual(14);
    expect(group.requests.total).toBeLessThanOrEqual(22);
    const firstDue = Math.min(...records.map(dueMs));
    for (const r of records) expect(dueMs(r) - firstDue).toBeLessThan(1005);
    // The last ones finish after the deadline; nothing is sent after it.
    expect(elapsed).toBeLessThan(1500);
  });

  it('caps an open loop by time, and by requests when both are given', async () => {
    const { target, transport } = fakeTarget(1);
    await runPlan({
      targets: [target],
      scenarios: [
        scenario({
          requests: 1000,
          durationMs: 300,
          load: { type: 'open', settings: { rate: 100 } },
        }),
      ],
    });
    expect(transport.requests.length).toBeGreaterThanOrEqual(25);
    expect(transport.requests.length).toBeLessThanOrEqual(31);
    const capped = fakeTarget(1);
    await runPlan({
      targets: [capped.target],
      scenarios: [
        scenario({
          requests: 5,
          durationMs: 5000,
          load: { type: 'open', settings: { rate: 100 } },
        }),
      ],
    });
    expect(capped.transport.requests).toHaveLength(5);
  });
});

describe('the most requests in flight', () => {
  it('is the concurrency, the cap of an open loop, or unbounded without one', () => {
    expect(scenarioMaxInFlight(scenario({ concurrency: 8 }))).toBe(8);
    expect(
      scenarioMaxInFlight(
        scenario({ load: { type: 'open', settings: { rate: 5, max_in_flight: 12 } } }),
      ),
    ).toBe(12);
    expect(scenarioMaxInFlight(scenario({ load: { type: 'open', settings: { rate: 5 } } }))).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe('schedules on worker threads', () => {
  it('split an open loop so the threads together keep the rate', { retry: 2 }, async () => {
    const registry = await ExtensionRegistry.fromModules([
      new URL('../../providers-openai/dist/index.js', import.meta.url).href,
      new URL('../../providers-mock/dist/index.js', import.meta.url).href,
    ]);
    resolved = await createTargets(
      [
        {
          name: 'sim',
          type: 'mock',
          models: ['mock-model'],
          mock: { ttft_ms: 30, itl_ms: 5, output_tokens: 3, seed: 3 },
        },
      ],
      registry,
    );
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      {
        targets: resolved.targets,
        scenarios: [scenario({ requests: 40, load: { type: 'open', settings: { rate: 80 } } })],
      },
      { registry, workers: 2, onRecord: (r) => records.push(r) },
    );
    const group = summary.groups[0]!;
    expect(group.requests.total).toBe(40);
    expect(group.throughput.dispatch_rate_per_s).toBeGreaterThan(70);
    expect(group.throughput.dispatch_rate_per_s).toBeLessThan(88);
    // The two threads' schedules start at one shared instant and interleave: the requests
    // are due exactly 12.5 ms apart overall (due times are the schedule's, not timer wake-ups).
    const due = records.map(dueMs).sort((a, b) => a - b);
    const dueGaps = due.slice(1).map((t, i) => t - due[i]!);
    for (const gap of dueGaps) expect(Math.abs(gap - 12.5)).toBeLessThan(0.01);
    const sent = records.map((r) => ms(r.dispatchNs)).sort((a, b) => a - b);
    const gaps = sent.slice(1).map((t, i) => t - sent[i]!);
    expect(median(gaps)).toBeGreaterThan(9);
    expect(median(gaps)).toBeLessThan(16);
  });
});

describe('sweeps', () => {
  it('runs one level per rate and finds the knee where throughput stops rising', {
    retry: 2,
  }, async () => {
    // One request at a time, ~66 ms each: the server serves ~15 per second, whatever arrives.
    sim = await simulatedTarget({ ttftMs: 60, itlMs: 3, outputTokens: 2 });
    const levels = expandSweep(
      scenario({
        name: 'sat',
        requests: 12,
        load: { type: 'open', settings: { rate: 1, max_in_flight: 1 } },
      }),
      'rate',
      [4, 8, 16, 32],
    );
    expect(levels.map((l) => l.name)).toEqual([
      'sat rate=4',
      'sat rate=8',
      'sat rate=16',
      'sat rate=32',
    ]);
    expect(levels[2]!.load).toEqual({ type: 'open', settings: { rate: 16, max_in_flight: 1 } });
    const summary = await runPlan({ targets: [sim.target], scenarios: levels });
    expect(summary.groups.map((g) => g.scenario)).toEqual(levels.map((l) => l.name));
    expect(summary.sweeps).toHaveLength(1);
    const sweep = summary.sweeps[0]!;
    expect(sweep).toMatchObject({
      provider: 'sim',
      model: 'mock-model',
      scenario: 'sat',
      parameter: 'rate',
    });
    const served = sweep.levels.map((l) => l.requests_per_s);
    // Rising while the server keeps up (4, 8, then its ~15), flat once it cannot.
    expect(served[0]).toBeGreaterThan(3.5);
    expect(served[1]).toBeGreaterThan(7);
    expect(served[2]).toBeGreaterThan(12);
    expect(served[3]! / served[2]!).toBeLessThan(1.1);
    expect(sweep.knee?.value).toBe(32);
    expect(sweep.knee?.reasons.join(' ')).toContain('throughput');
    expect(sweep.best?.value).toBe(16);
  });
});

describe('phases: warm-up by time and cool-down', () => {
  it('warms up for a duration, then measures; the summary says when each phase ran', {
    retry: 2,
  }, async () => {
    sim = await simulatedTarget({ ttftMs: 80, itlMs: 10, outputTokens: 3 });
    const summary = await runPlan({
      targets: [sim.target],
      scenarios: [scenario({ requests: 4, concurrency: 2, warmupDurationMs: 400 })],
    });
    const group = summary.groups[0]!;
    // Two slots of ~100 ms requests for 0.4 s: about 8 warm-up requests, none measured.
    expect(group.requests.warmup).toBeGreaterThanOrEqual(6);
    expect(group.requests.warmup).toBeLessThanOrEqual(10);
    expect(group.requests.total).toBe(4);
    expect(group.phases.map((p) => [p.phase, p.requests])).toEqual([
      ['warmup', group.requests.warmup],
      ['measure', 4],
    ]);
    expect(Date.parse(group.phases[1]!.started_at!)).toBeGreaterThanOrEqual(
      Date.parse(group.phases[0]!.started_at!) + 400,
    );
  });

  it('keeps the load on after the last measured send until the last measured request ends', {
    retry: 2,
  }, async () => {
    sim = await simulatedTarget({ ttftMs: 150, itlMs: 10, outputTokens: 5 });
    const records: RequestRecord[] = [];
    const started = performance.now();
    const summary = await runPlan(
      {
        targets: [sim.target],
        scenarios: [scenario({ requests: 6, concurrency: 2, cooldownMs: 5000 })],
      },
      { onRecord: (r) => records.push(r) },
    );
    const group = summary.groups[0]!;
    expect(group.requests).toMatchObject({ total: 6, succeeded: 6, warmup: 0 });
    const measured = records.filter((r) => r.isCooldown !== true);
    const cooldown = records.filter((r) => r.isCooldown === true);
    // Both slots stay busy while the last measured requests run: two cool-down requests.
    expect(cooldown.length).toBeGreaterThanOrEqual(1);
    expect(cooldown.length).toBeLessThanOrEqual(3);
    const lastMeasuredSent = Math.max(...measured.map((r) => ms(r.dispatchNs)));
    const lastMeasuredEnd = Math.max(...measured.map((r) => ms(r.dispatchNs) + ms(r.e2eNs!)));
    for (const r of cooldown) {
      expect(ms(r.dispatchNs)).toBeGreaterThanOrEqual(lastMeasuredSent - 1);
      // Cut off when the measured phase ended: cancelled, not left to run its 5 s.
      expect(ms(r.dispatchNs) + ms(r.e2eNs ?? 0n)).toBeLessThan(lastMeasuredEnd + 100);
    }
    expect(performance.now() - started).toBeLessThan(2500);
    expect(group.phases.map((p) => p.phase)).toEqual(['measure', 'cooldown']);
    expect(group.phases[1]!.requests).toBe(cooldown.length);
  });
});

describe('a prompt per request', () => {
  const prompts = {
    description: 'three prompts',
    items: [{ prompt: 'zero' }, { prompt: 'one', maxTokens: 5 }, { prompt: 'two' }],
  };
  const sentPrompts = (transport: FakeTransport) =>
    transport.requests.map(
      (r) => JSON.parse(String(r.body)) as { prompt: string; max_tokens?: number },
    );

  it('walks the prompt set once across warm-up and measured requests, item caps winning', async () => {
    const { target, transport } = fakeTarget(1);
    await runPlan({
      targets: [target],
      scenarios: [scenario({ requests: 4, warmup: 2, concurrency: 1, maxTokens: 50, prompts })],
    });
    const sent = sentPrompts(transport);
    expect(sent.map((body) => body.prompt)).toEqual(['zero', 'one', 'two', 'zero', 'one', 'two']);
    expect(sent.map((body) => body.max_tokens)).toEqual([50, 5, 50, 50, 5, 50]);
  });
});

describe('replay', () => {
  it("sends request i at the log's offset i with prompt i, however late earlier ones finish", async () => {
    const { target, transport } = fakeTarget(120);
    const records: RequestRecord[] = [];
    await runPlan(
      {
        targets: [target],
        scenarios: [
          scenario({
            requests: 4,
            load: { type: 'replay', settings: { offsets_ms: [0, 50, 60, 300] } },
            prompts: {
              description: 'a log',
              items: [
                { prompt: 'a' },
                { prompt: 'b' },
                { prompt: 'c' },
                { prompt: 'd', maxTokens: 3 },
              ],
            },
          }),
        ],
      },
      { onRecord: (r) => records.push(r) },
    );
    const bodies = transport.requests.map((r) => JSON.parse(String(r.body)) as { prompt: string });
    expect(bodies.map((b) => b.prompt)).toEqual(['a', 'b', 'c', 'd']);
    const due = records.map(dueMs).sort((x, y) => x - y);
    expect(due.map((t) => Math.round(t - due[0]!))).toEqual([0, 50, 60, 300]);
  });
});
