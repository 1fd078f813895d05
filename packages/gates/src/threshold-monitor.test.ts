import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity, LATENCY_METRICS, RATE_METRICS } from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import { GatesError } from './gates-error.js';
import { parseThreshold } from './threshold.js';
import { evaluateThresholds } from './threshold-evaluation.js';
import { ThresholdMonitor } from './threshold-monitor.js';

const START_MS = Date.parse('2026-01-01T00:00:00Z');
const MS = 1_000_000n;
let sequence = 0;

function record(fields: Partial<RequestRecord> = {}): RequestRecord {
  sequence += 1;
  return {
    requestId: `r-${sequence}`,
    provider: 'openai',
    model: 'gpt-4o-mini',
    scenario: 'chat',
    isWarmup: false,
    startedAtMs: START_MS + sequence,
    dispatchNs: BigInt(sequence) * MS,
    status: 'ok',
    queueNs: 0n,
    ttftNs: 100n * MS,
    e2eNs: 1000n * MS,
    outputTokens: 50,
    tokenEventOffsetsNs: new Float64Array(0),
    tokenEventTokens: new Uint32Array(0),
    ...fields,
  };
}

const failed = (fields: Partial<RequestRecord> = {}) =>
  record({ status: 'error', errorClass: 'server_error', ...fields });

function monitorOf(text: string, planned: number | null, minSamples = 100): ThresholdMonitor {
  const monitor = new ThresholdMonitor([parseThreshold(text, '--threshold')], { minSamples });
  monitor.notePlanned('openai', 'gpt-4o-mini', 'chat', planned);
  return monitor;
}

describe('ThresholdMonitor: impossible given the plan', () => {
  it('success_rate>=0.99 with 100 planned fails at the second failure, not the first', () => {
    const monitor = monitorOf('success_rate>=0.99', 100);
    for (let i = 0; i < 10; i++) monitor.add(record());
    monitor.add(failed());
    expect(monitor.check()).toEqual([]);
    monitor.add(failed());
    const [breach, ...rest] = monitor.check();
    expect(rest).toEqual([]);
    expect(breach).toEqual({
      threshold: 'success_rate>=0.99',
      origin: '--threshold',
      metric: 'success_rate',
      provider: 'openai',
      model: 'gpt-4o-mini',
      scenario: 'chat',
      value: 0.833,
      rule: 'impossible',
      bestPossible: 0.98,
      limit: 0.99,
      samples: 12,
      message:
        'success_rate>=0.99 cannot pass for openai / gpt-4o-mini / chat: success_rate is 0.833 and at best 0.98 whatever the 88 of 100 planned requests still to come measure (limit >= 0.99)',
    });
  });

  it('ttft.p95<800 with 100 planned fails once 6 samples are above 800 ms, not 5', () => {
    const monitor = monitorOf('ttft.p95<800', 100);
    for (let i = 0; i < 5; i++) monitor.add(record({ ttftNs: 900n * MS }));
    expect(monitor.check()).toEqual([]);
    monitor.add(record({ ttftNs: 100n * MS }));
    expect(monitor.check()).toEqual([]);
    monitor.add(record({ ttftNs: 850n * MS }));
    const breaches = monitor.check();
    expect(breaches.map((b) => [b.rule, b.bestPossible, b.samples])).toEqual([
      ['impossible', 850.431, 7],
    ]);
  });

  it('counts a failed request as a sample that will never come', () => {
    // 100 planned, 1 failed: at most 99 ttft samples, so 99 is the most ttft.count can reach.
    const monitor = monitorOf('ttft.count>=100', 100);
    monitor.add(record());
    expect(monitor.check()).toEqual([]);
    monitor.add(failed());
    expect(monitor.check().map((b) => [b.rule, b.value, b.bestPossible])).toEqual([
      ['impossible', 1, 99],
    ]);
  });

  it('a lower limit on a rate percentile fails once half the planned requests are slow', () => {
    // 10 planned, p50 is the 5th smallest: 5 slow requests decide it whatever comes next.
    const monitor = monitorOf('output_tokens_per_s.p50>20', 10);
    const slow = () => record({ e2eNs: 5000n * MS, outputTokens: 50 }); // 10 tokens/s
    for (let i = 0; i < 4; i++) monitor.add(slow());
    expect(monitor.check()).toEqual([]);
    monitor.add(slow());
    expect(monitor.check().map((b) => [b.rule, b.value, b.bestPossible])).toEqual([
      ['impossible', 10.007, 10.007],
    ]);
  });

  it('error_rate<=0.05 with 40 planned allows 2 failures and not 3', () => {
    const monitor = monitorOf('error_rate<=0.05', 40);
    monitor.add(failed());
    monitor.add(failed());
    expect(monitor.check()).toEqual([]);
    monitor.add(failed());
    expect(monitor.check().map((b) => [b.rule, b.value, b.bestPossible])).toEqual([
      ['impossible', 1, 0.075],
    ]);
  });

  it('requests.total>=100 fails at once when only 90 are planned, and never without a plan', () => {
    const planned = monitorOf('requests.total>=100', 90);
    planned.add(record());
    expect(planned.check().map((b) => [b.rule, b.bestPossible])).toEqual([['impossible', 90]]);
    const unplanned = monitorOf('requests.total>=100', null, 1);
    for (let i = 0; i < 50; i++) unplanned.add(record());
    expect(unplanned.check()).toEqual([]);
  });

  it('cost_per_request_usd<=0.001 fails when even free remaining requests cannot bring it down', () => {
    const cheapEnough = monitorOf('cost_per_request_usd<=0.001', 10);
    cheapEnough.add(record({ costUsd: 0.005 }));
    expect(cheapEnough.check()).toEqual([]);
    const tooDear = monitorOf('cost_per_request_usd<=0.001', 10);
    tooDear.add(record({ costUsd: 0.02 }));
    expect(tooDear.check().map((b) => [b.rule, b.value, b.bestPossible])).toEqual([
      ['impossible', 0.02, 0.002],
    ]);
  });
});

describe('ThresholdMonitor: impossible without a plan', () => {
  it('a count with an upper limit fails as soon as it is reached', () => {
    const monitor = monitorOf('requests.failed<3', null);
    monitor.add(failed());
    monitor.add(failed());
    expect(monitor.check()).toEqual([]);
    monitor.add(failed());
    expect(monitor.check().map((b) => [b.rule, b.value])).toEqual([['impossible', 3]]);
  });

  it('a max with an upper limit fails at the first sample above it', () => {
    const monitor = monitorOf('ttft.max<1000', null);
    monitor.add(record({ ttftNs: 999n * MS }));
    expect(monitor.check()).toEqual([]);
    monitor.add(record({ ttftNs: 1200n * MS }));
    expect(monitor.check().map((b) => [b.rule, b.value])).toEqual([['impossible', 1200.127]]);
  });

  it('cost_total_usd and token totals with upper limits fail when reached', () => {
    const monitor = new ThresholdMonitor([
      parseThreshold('cost_total_usd<0.05', 'a'),
      parseThreshold('tokens.output<=120', 'b'),
    ]);
    monitor.add(record({ costUsd: 0.03, outputTokens: 60 }));
    monitor.add(record({ costUsd: 0.01, outputTokens: 60 }));
    expect(monitor.check()).toEqual([]);
    monitor.add(record({ costUsd: 0.01, outputTokens: 1 }));
    expect(monitor.check().map((b) => [b.threshold, b.value])).toEqual([
      ['cost_total_usd<0.05', 0.05],
      ['tokens.output<=120', 121],
    ]);
  });
});

describe('ThresholdMonitor: failing after the minimum sample count', () => {
  it('reports a failing percentile without a plan only from minSamples samples on', () => {
    const monitor = monitorOf('ttft.p95<800', null, 20);
    for (let i = 0; i < 19; i++) monitor.add(record({ ttftNs: 900n * MS }));
    expect(monitor.check()).toEqual([]);
    monitor.add(record({ ttftNs: 900n * MS }));
    const [breach] = monitor.check();
    expect(breach).toMatchObject({ rule: 'min_samples', samples: 20, bestPossible: null });
    expect(breach?.message).toBe(
      'ttft.p95<800 is failing for openai / gpt-4o-mini / chat: ttft.p95 = 900.095 ms over 20 samples (limit < 800 ms; judged from 20 samples on)',
    );
  });

  it('stops reporting when the current value passes again', () => {
    const monitor = monitorOf('ttft.p50<800', null, 10);
    for (let i = 0; i < 10; i++) monitor.add(record({ ttftNs: 900n * MS }));
    expect(monitor.check()).toHaveLength(1);
    for (let i = 0; i < 11; i++) monitor.add(record({ ttftNs: 100n * MS }));
    expect(monitor.check()).toEqual([]);
  });

  it('judges per-event metrics (itl) by sample count only, even with a plan', () => {
    const monitor = monitorOf('itl.p50<10', 1000, 50);
    // One request, 41 events 20 ms apart: 40 itl samples of 20 ms.
    const offsets = Float64Array.from({ length: 41 }, (_, i) => 100e6 + i * 20e6);
    const withEvents = () =>
      record({ tokenEventOffsetsNs: offsets, tokenEventTokens: new Uint32Array(41).fill(1) });
    monitor.add(withEvents());
    expect(monitor.check()).toEqual([]);
    monitor.add(withEvents());
    expect(monitor.check().map((b) => [b.rule, b.samples])).toEqual([['min_samples', 80]]);
  });

  it('uses request counts for success rate', () => {
    const monitor = monitorOf('success_rate>=0.9', null, 10);
    for (let i = 0; i < 9; i++) monitor.add(failed());
    expect(monitor.check()).toEqual([]);
    monitor.add(failed());
    expect(monitor.check().map((b) => [b.rule, b.value])).toEqual([['min_samples', 0]]);
  });
});

describe('ThresholdMonitor: counting and scope', () => {
  it('leaves out warm-up, cool-down and attempts another followed, as the Aggregator does', () => {
    const monitor = monitorOf('success_rate>=0.99', 100);
    const other = parseThreshold('requests.warmup<3', 'w');
    const both = new ThresholdMonitor([parseThreshold('success_rate>=0.99', 's'), other]);
    both.notePlanned('openai', 'gpt-4o-mini', 'chat', 100);
    for (const m of [monitor, both]) {
      m.add(failed({ isWarmup: true }));
      m.add(failed({ isWarmup: true }));
      m.add(failed({ isCooldown: true }));
      m.add(failed({ isCooldown: true }));
      m.add(failed({ attempt: 1, isRetried: true }));
      m.add(failed({ attempt: 2, isRetried: true }));
      m.add(record({ attempt: 3 }));
    }
    expect(monitor.check()).toEqual([]);
    expect(both.check()).toEqual([]);
    expect(both.results().map((r) => r.groups[0]?.value)).toEqual([1, 2]);
  });

  it('judges each group in scope separately, and ignores groups out of scope', () => {
    const monitor = new ThresholdMonitor([parseThreshold('openai/requests.failed<1', 'x')]);
    monitor.add(failed({ provider: 'anthropic', model: 'claude' }));
    expect(monitor.check()).toEqual([]);
    monitor.add(failed({ model: 'gpt-4o' }));
    monitor.add(failed());
    expect(monitor.check().map((b) => b.model)).toEqual(['gpt-4o', 'gpt-4o-mini']);
  });

  it('leaves throughput and goodput to the end', () => {
    const thresholds = [
      parseThreshold('throughput.requests_per_s>100', 'a'),
      parseThreshold('goodput_fraction>0.9', 'b'),
      parseThreshold('ttft.p50<1', 'c'),
    ];
    const monitor = new ThresholdMonitor(thresholds, { minSamples: 1 });
    expect(monitor.live.map((t) => t.expression)).toEqual(['ttft.p50<1']);
    expect(monitor.endOnly.map((t) => t.expression)).toEqual([
      'throughput.requests_per_s>100',
      'goodput_fraction>0.9',
    ]);
    monitor.add(record());
    expect(monitor.check().map((b) => b.threshold)).toEqual(['ttft.p50<1']);
  });

  it('rejects a minimum sample count or a plan that is not a whole number', () => {
    expect(() => new ThresholdMonitor([], { minSamples: 0 })).toThrow(GatesError);
    expect(() => monitorOf('ttft.p50<1', 2.5)).toThrow(/whole number ≥ 0 or null, got 2.5/);
  });
});

// Mulberry32: a small seeded PRNG, so the stream is the same on every run.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ThresholdMonitor values match the Aggregator summary', () => {
  it('gives every live metric the value the summary gives, on a varied seeded stream', () => {
    const random = seededRandom(42);
    const ns = (ms: number) => BigInt(Math.round(ms * 1e6));
    const records: RequestRecord[] = [];
    for (let i = 0; i < 600; i++) {
      const events = 1 + Math.floor(random() * 30);
      const offsets = new Float64Array(events);
      const tokens = new Uint32Array(events);
      let t = 50e6 + random() * 400e6;
      for (let e = 0; e < events; e++) {
        offsets[e] = Math.round(t);
        tokens[e] = 1 + Math.floor(random() * 3);
        t += random() * 60e6;
      }
      const roll = random();
      records.push(
        record({
          provider: random() < 0.5 ? 'openai' : 'vllm',
          model: random() < 0.5 ? 'a' : 'meta-llama/Llama-3.1-8B',
          status: roll < 0.08 ? 'error' : 'ok',
          ...(roll < 0.08 ? { errorClass: 'timeout_ttft' as const } : {}),
          isWarmup: roll > 0.95,
          ...(roll > 0.9 && roll <= 0.93 ? { isCooldown: true } : {}),
          ...(roll > 0.93 && roll <= 0.95 ? { attempt: 1, isRetried: true } : {}),
          queueNs: ns(random() * 20),
          sendDelayNs: ns(random() * 5),
          scheduleLagNs: ns(random() * 3),
          ...(random() < 0.3
            ? {
                connection: {
                  dnsNs: ns(random() * 10),
                  connectNs: ns(random() * 20),
                  tlsNs: ns(30),
                },
              }
            : {}),
          ttfbNs: ns(offsets[0]! / 1e6 - 5),
          ttftNs: BigInt(offsets[0]!),
          ttfoNs: BigInt(offsets[0]!),
          ...(events > 1
            ? { tpotNs: ns((offsets[events - 1]! - offsets[0]!) / 1e6 / (events - 1)) }
            : {}),
          e2eNs: BigInt(Math.round(t)),
          e2eFromScheduleNs: BigInt(Math.round(t)) + ns(25),
          ttftFromScheduleNs: BigInt(offsets[0]!) + ns(25),
          inputTokens: 100 + Math.floor(random() * 50),
          outputTokens: tokens.reduce((a, b) => a + b, 0),
          reasoningTokens: Math.floor(random() * 5),
          cachedInputTokens: 10,
          ...(random() < 0.7 ? { costUsd: random() / 1000 } : {}),
          tokenEventOffsetsNs: offsets,
          tokenEventTokens: tokens,
        }),
      );
    }
    const texts = [
      ...[...LATENCY_METRICS, ...RATE_METRICS].flatMap((metric) =>
        ['count', 'min', 'mean', 'stdev', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max'].map(
          (statistic) => `${metric}.${statistic}<100`,
        ),
      ),
      'success_rate>=0.9',
      'error_rate<0.1',
      'requests.total>1',
      'requests.succeeded>1',
      'requests.failed<1',
      'requests.warmup<1',
      'tokens.input>1',
      'tokens.output>1',
      'tokens.reasoning>1',
      'tokens.cached_input>1',
      'cost_per_request_usd<0.0005',
      'cost_total_usd<0.1',
    ];
    const monitor = new ThresholdMonitor(texts.map((text) => parseThreshold(text, 'x')));
    const aggregator = new Aggregator();
    for (const r of records) {
      monitor.add(r);
      aggregator.add(r);
    }
    const fidelity = buildFidelity([]);
    const groups = aggregator.summarize({ complete: true, fidelity });
    expect(groups).toHaveLength(4);
    expect(monitor.live).toHaveLength(texts.length);
    const live = monitor.results();
    expect(live).toEqual(evaluateThresholds({ groups }, monitor.live));
    // Not vacuous: values are there, and some thresholds pass and some fail.
    const values = live.flatMap((r) => r.groups.map((g) => g.value));
    expect(values.filter((v) => v === null)).toHaveLength(0);
    expect(live.some((r) => r.passed)).toBe(true);
    expect(live.some((r) => !r.passed)).toBe(true);
  });
});
