import type { ErrorClass, RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import {
  Aggregator,
  type EncodedAggregator,
  EVENTS_PER_SLICE,
  type SummarizeOptions,
} from './aggregator.js';

const MS = 1_000_000n;
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z, epoch ms

const options: SummarizeOptions = {
  complete: true,
  fidelity: { event_loop_delay_p99_ms: 0.4, event_loop_delay_max_ms: 2.1, client_bound: false },
};

function makeRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: 'req-1',
    provider: 'openai',
    model: 'gpt-4o-mini',
    scenario: 'chat',
    isWarmup: false,
    startedAtMs: T0,
    dispatchNs: 0n,
    status: 'ok',
    queueNs: 0n,
    tokenEventOffsetsNs: new Float64Array(),
    tokenEventTokens: new Uint32Array(),
    ...overrides,
  };
}

function events(offsetsMs: number[], tokens: number[]): Partial<RequestRecord> {
  return {
    tokenEventOffsetsNs: Float64Array.from(offsetsMs, (ms) => ms * 1e6),
    tokenEventTokens: Uint32Array.from(tokens),
  };
}

function failed(errorClass: ErrorClass | undefined, overrides: Partial<RequestRecord> = {}) {
  return makeRecord({
    status: 'error',
    ...(errorClass === undefined ? {} : { errorClass }),
    e2eNs: 5n * MS,
    ...overrides,
  });
}

/** Within HDR's 3-significant-digit bucket width. */
function near(actual: number | undefined, expected: number): void {
  expect(actual).toBeDefined();
  expect(Math.abs((actual ?? 0) - expected)).toBeLessThanOrEqual(expected / 1024 + 0.001);
}

// Two successful requests whose every statistic is computed by hand below.
const first = makeRecord({
  requestId: 'a',
  queueNs: 5n * MS,
  connection: { dnsNs: 2n * MS, connectNs: 1n * MS },
  ttfbNs: 50n * MS,
  ttftNs: 100n * MS,
  ttfoNs: 100n * MS,
  ...events([100, 120, 160], [1, 1, 2]),
  tpotNs: 20n * MS,
  e2eNs: 200n * MS,
  e2eFromScheduleNs: 205n * MS,
  inputTokens: 10,
  outputTokens: 4,
  tokenCountSource: 'server_usage',
});
const second = makeRecord({
  requestId: 'b',
  startedAtMs: T0 + 100,
  ttftNs: 300n * MS,
  ...events([300, 310], [1, 1]),
  e2eNs: 400n * MS,
  e2eFromScheduleNs: 400n * MS,
  inputTokens: 20,
  outputTokens: 2,
  // (310 − 300) / (2 − 1), as the stream timer computes it: the one tpot formula.
  tpotNs: 10n * MS,
  reasoningTokens: 3,
  cachedInputTokens: 5,
  tokenCountSource: 'tokenizer',
});

describe('Aggregator', () => {
  it('summarizes a group with hand-computed distributions, tokens and throughput', () => {
    const aggregator = new Aggregator();
    aggregator.add(first);
    aggregator.add(second);
    const [group, ...rest] = aggregator.summarize(options);
    expect(rest).toEqual([]);
    if (group === undefined) throw new Error('no group');

    expect(group.requests).toEqual({
      planned: null,
      total: 2,
      succeeded: 2,
      failed: 0,
      warmup: 0,
      not_sent: null,
    });
    expect(group.success_rate).toBe(1);
    expect(group.ttft?.count).toBe(2);
    near(group.ttft?.min, 100);
    near(group.ttft?.max, 300);
    expect(group.ttfo?.count).toBe(1);
    near(group.ttfo?.p50, 100);
    expect(group.ttfb?.count).toBe(1);
    near(group.ttfb?.p50, 50);
    // gaps 20, 40 (first) and 10 (second)
    expect(group.chunk_gap?.count).toBe(3);
    expect(group.chunk_gap?.min).toBe(10);
    near(group.chunk_gap?.max, 40);
    // itl samples 20, 20, 20 (first) and 10 (second)
    expect(group.itl?.count).toBe(4);
    expect(group.itl?.min).toBe(10);
    near(group.itl?.p50, 20);
    near(group.itl?.mean, 17.5);
    // tpot 20 and 10, from the records
    expect(group.tpot?.count).toBe(2);
    expect(group.tpot?.min).toBe(10);
    near(group.tpot?.max, 20);
    near(group.e2e?.max, 400);
    near(group.e2e_from_schedule?.min, 205);
    expect(group.queue?.count).toBe(2);
    expect(group.queue?.min).toBe(0);
    near(group.queue?.max, 5);
    expect(group.dns?.count).toBe(1);
    expect(group.dns?.p50).toBe(2);
    expect(group.connect?.p50).toBe(1);
    expect(group.tls).toBeNull();
    // 4 tokens / 0.2 s and 2 tokens / 0.4 s
    near(group.output_tokens_per_s?.min, 5);
    near(group.output_tokens_per_s?.max, 20);
    // 3 tokens / 60 ms and 1 token / 10 ms
    near(group.decode_tokens_per_s?.min, 50);
    near(group.decode_tokens_per_s?.max, 100);
    expect(group.tokens).toEqual({ input: 30, output: 6, reasoning: 3, cached_input: 5 });
    expect(group.token_count_sources).toEqual({ server_usage: 1, tokenizer: 1, event_count: 0 });
    expect(group.token_count_mismatches).toBe(0);
    // window: T0 (first dispatch) to T0 + 100 + 400 (second end)
    // Two requests dispatched 100 ms apart: sent at 10 per second.
    expect(group.throughput).toEqual({
      window_s: 0.5,
      requests_per_s: 4,
      output_tokens_per_s: 12,
      dispatch_rate_per_s: 10,
    });
    expect(group.errors).toEqual({});
    expect(group.complete).toBe(true);
    expect(group.fidelity).toEqual(options.fidelity);
  });

  it('sums the cost of priced requests, keeps it unknown without prices, and merges it exactly', () => {
    const unpriced = new Aggregator();
    unpriced.add(makeRecord());
    expect(unpriced.summarize(options)[0]?.cost).toBeNull();

    const left = new Aggregator();
    const right = new Aggregator();
    left.add(makeRecord({ costUsd: 0.0012 }));
    left.add(makeRecord());
    left.add(failed('server_error', { costUsd: 5 }));
    right.add(makeRecord({ costUsd: 0.0003 }));
    const merged = new Aggregator();
    merged.mergeEncoded(left.encodeGroups());
    merged.mergeEncoded(right.encodeGroups());
    expect(merged.summarize(options)[0]?.cost).toEqual({
      total_usd: 0.0015,
      per_request_usd: 0.00075,
      priced_requests: 2,
      unpriced_requests: 1,
    });
  });

  it('emits exactly the documented snake_case keys', () => {
    const aggregator = new Aggregator();
    aggregator.add(first);
    const [group] = aggregator.summarize(options);
    expect(Object.keys(group ?? {})).toEqual([
      'provider',
      'model',
      'scenario',
      'complete',
      'requests',
      'stopped_early',
      'success_rate',
      'ttft',
      'ttfo',
      'itl',
      'chunk_gap',
      'tpot',
      'e2e',
      'e2e_from_schedule',
      'ttft_from_schedule',
      'ttfb',
      'queue',
      'schedule_lag',
      'send_delay',
      'dns',
      'connect',
      'tls',
      'output_tokens_per_s',
      'decode_tokens_per_s',
      'tokens',
      'token_count_sources',
      'token_count_mismatches',
      'connections',
      'out_of_range_samples',
      'throughput',
      'cost',
      'goodput',
      'phases',
      'retries',
      'sessions',
      'errors',
      'error_examples',
      'fidelity',
    ]);
    expect(Object.keys(group?.ttft ?? {})).toEqual([
      'count',
      'min',
      'mean',
      'stdev',
      'p50',
      'p75',
      'p90',
      'p95',
      'p99',
      'p999',
      'max',
    ]);
  });

  it('counts warm-up records but keeps them out of every statistic', () => {
    const aggregator = new Aggregator();
    aggregator.add(first);
    aggregator.add(
      makeRecord({
        isWarmup: true,
        startedAtMs: T0 - 60_000,
        ttftNs: 9_000n * MS,
        e2eNs: 9_500n * MS,
        outputTokens: 500,
        inputTokens: 99,
        tokenCountSource: 'server_usage',
      }),
    );
    aggregator.add(makeRecord({ isWarmup: true, status: 'error', errorClass: 'timeout_ttft' }));
    const [group] = aggregator.summarize(options);
    expect(group?.requests).toEqual({
      planned: null,
      total: 1,
      succeeded: 1,
      failed: 0,
      warmup: 2,
      not_sent: null,
    });
    expect(group?.ttft?.count).toBe(1);
    expect(group?.ttft?.max).toBeLessThan(101);
    expect(group?.tokens).toEqual({ input: 10, output: 4, reasoning: 0, cached_input: 0 });
    expect(group?.token_count_sources.server_usage).toBe(1);
    expect(group?.errors).toEqual({});
    expect(group?.throughput.window_s).toBe(0.2);
  });

  it('counts failures by class and keeps their latencies out of the distributions', () => {
    const aggregator = new Aggregator();
    aggregator.add(first);
    aggregator.add(failed('rate_limited', { ttfbNs: 3n * MS, httpStatus: 429 }));
    aggregator.add(failed('rate_limited'));
    aggregator.add(failed('server_error', { tokenCountMismatch: true, outputTokens: 50 }));
    aggregator.add(failed(undefined));
    const [group] = aggregator.summarize(options);
    expect(group?.requests).toEqual({
      planned: null,
      total: 5,
      succeeded: 1,
      failed: 4,
      warmup: 0,
      not_sent: null,
    });
    expect(group?.success_rate).toBe(0.2);
    expect(group?.errors).toEqual({ rate_limited: 2, server_error: 1, unclassified: 1 });
    expect(Object.keys(group?.errors ?? {})).toEqual([
      'rate_limited',
      'server_error',
      'unclassified',
    ]);
    expect(group?.e2e?.count).toBe(1);
    expect(group?.ttfb?.count).toBe(1);
    near(group?.ttfb?.max, 50);
    expect(group?.tokens.output).toBe(4);
    expect(group?.token_count_mismatches).toBe(1);
  });

  it('never throws on absurd token counts and says how many values were out of range', () => {
    const aggregator = new Aggregator();
    // 10^300 output tokens in 5 ms is an infinite rate; 10^20 overflows hdr's range.
    aggregator.add(makeRecord({ e2eNs: 5n * MS, outputTokens: 1e300, tpotNs: 1n }));
    aggregator.add(makeRecord({ e2eNs: 5n * MS, outputTokens: 1e20, inputTokens: 1e308 }));
    aggregator.add(makeRecord({ e2eNs: 5n * MS, inputTokens: 1e308 }));
    aggregator.add(makeRecord({ e2eNs: 5n * MS, outputTokens: 10, inputTokens: 3 }));
    const [group] = aggregator.summarize(options);
    expect(group?.requests.succeeded).toBe(4);
    // The infinite rate is left out, the 10^20 one is capped: both counted.
    expect(group?.output_tokens_per_s?.count).toBe(2);
    expect(group?.out_of_range_samples).toBe(3);
    expect(Number.isFinite(group?.tokens.input)).toBe(true);
    expect(Number.isFinite(group?.tokens.output)).toBe(true);
    const merged = new Aggregator();
    merged.mergeEncoded(JSON.parse(JSON.stringify(aggregator.encodeGroups())));
    const [mergedGroup] = merged.summarize(options);
    expect(mergedGroup?.out_of_range_samples).toBe(group?.out_of_range_samples);
    expect(mergedGroup?.output_tokens_per_s).toEqual(group?.output_tokens_per_s);
  });

  it('adds a record of 100,000 events in slices, to exactly what one add gives', () => {
    const offsets = Array.from({ length: 100_000 }, (_, i) => i * 0.25 + (i % 7) * 0.01);
    const long = makeRecord({
      e2eNs: 30_000n * MS,
      ...events(
        offsets,
        offsets.map(() => 1),
      ),
    });
    const whole = new Aggregator();
    whole.add(long);
    const sliced = new Aggregator();
    const addition = sliced.beginAdd(long);
    let steps = 1;
    // A deadline already past: each step adds one slice and yields.
    while (!addition.step(0n)) steps++;
    expect(steps).toBe(Math.ceil((100_000 - 1) / EVENTS_PER_SLICE));
    const [a] = whole.summarize(options);
    const [b] = sliced.summarize(options);
    expect(b?.itl).toEqual(a?.itl);
    expect(b?.chunk_gap).toEqual(a?.chunk_gap);
    expect(b?.chunk_gap?.count).toBe(99_999);
  });

  it('keeps one group per provider/model/scenario in first-seen order', () => {
    const aggregator = new Aggregator();
    aggregator.add(makeRecord({ provider: 'anthropic', model: 'claude', ttftNs: 1n * MS }));
    aggregator.add(makeRecord({ provider: 'openai', model: 'gpt', ttftNs: 2n * MS }));
    aggregator.add(makeRecord({ provider: 'anthropic', model: 'claude', ttftNs: 3n * MS }));
    aggregator.add(
      makeRecord({ provider: 'openai', model: 'gpt', scenario: 'long', ttftNs: 4n * MS }),
    );
    const groups = aggregator.summarize(options);
    expect(groups.map((g) => [g.provider, g.model, g.scenario, g.ttft?.count])).toEqual([
      ['anthropic', 'claude', 'chat', 2],
      ['openai', 'gpt', 'chat', 1],
      ['openai', 'gpt', 'long', 1],
    ]);
  });

  it('reports a group of only warm-up records with empty distributions and zero rates', () => {
    const aggregator = new Aggregator();
    aggregator.add(makeRecord({ isWarmup: true, ttftNs: 10n * MS }));
    const [group] = aggregator.summarize({ ...options, complete: false });
    expect(group?.complete).toBe(false);
    expect(group?.requests).toEqual({
      planned: null,
      total: 0,
      succeeded: 0,
      failed: 0,
      warmup: 1,
      not_sent: null,
    });
    expect(group?.success_rate).toBe(0);
    expect(group?.ttft).toBeNull();
    expect(group?.output_tokens_per_s).toBeNull();
    expect(group?.throughput).toEqual({
      window_s: 0,
      requests_per_s: 0,
      output_tokens_per_s: 0,
      dispatch_rate_per_s: null,
    });
  });

  it('merges the encoded state of two workers into exactly what one aggregator of all records reports', () => {
    const records = generatedRecords(600);
    const whole = new Aggregator();
    const workerA = new Aggregator();
    const workerB = new Aggregator();
    records.forEach((record, i) => {
      whole.add(record);
      (i < records.length / 2 ? workerA : workerB).add(record);
    });

    // through JSON, as a worker thread or a queue would carry it
    const transfer = (encoded: EncodedAggregator): EncodedAggregator =>
      JSON.parse(JSON.stringify(encoded)) as EncodedAggregator;
    const coordinator = new Aggregator();
    coordinator.mergeEncoded(transfer(workerA.encodeGroups()));
    coordinator.mergeEncoded(transfer(workerB.encodeGroups()));

    const expected = whole.summarize(options);
    expect(expected.length).toBe(3);
    expect(expected.every((g) => (g.itl?.count ?? 0) > 100)).toBe(true);
    expect(coordinator.summarize(options)).toEqual(expected);
  });

  it('merges interleaved worker states exactly whatever the merge order', () => {
    const records = generatedRecords(300);
    const whole = new Aggregator();
    const workers = [new Aggregator(), new Aggregator(), new Aggregator()];
    records.forEach((record, i) => {
      whole.add(record);
      workers[i % 3]?.add(record);
    });
    const coordinator = new Aggregator();
    for (const worker of [...workers].reverse()) coordinator.mergeEncoded(worker.encodeGroups());
    const byKey = (groups: ReturnType<Aggregator['summarize']>) =>
      [...groups].sort((a, b) =>
        (a.provider + a.model + a.scenario).localeCompare(b.provider + b.model + b.scenario),
      );
    expect(byKey(coordinator.summarize(options))).toEqual(byKey(whole.summarize(options)));
  });

  it('rejects encoded state of another format with LENS_METRICS_ENCODING_UNSUPPORTED', () => {
    const wrong = {
      format: 'llm-lens-aggregator',
      version: 1,
      groups: [],
    } as unknown as EncodedAggregator;
    expect(() => new Aggregator().mergeEncoded(wrong)).toThrow(
      expect.objectContaining({ code: 'LENS_METRICS_ENCODING_UNSUPPORTED' }),
    );
  });

  it('keeps the first message of each error class, through merges too', () => {
    const one = new Aggregator();
    one.add(failed('network', { errorMessage: 'connection refused (ECONNREFUSED)' }));
    one.add(failed('network', { errorMessage: 'a later one' }));
    const two = new Aggregator();
    two.add(failed('auth', { errorMessage: `HTTP 401: ${'x'.repeat(300)}` }));
    two.add(failed('network', { errorMessage: 'from the other worker' }));
    one.mergeEncoded(two.encodeGroups());
    const [group] = one.summarize(options);
    expect(group?.errors).toEqual({ auth: 1, network: 3 });
    expect(group?.error_examples.network).toBe('connection refused (ECONNREFUSED)');
    expect(group?.error_examples.auth).toBe(`HTTP 401: ${'x'.repeat(190)}…`);
    expect(Object.keys(group?.error_examples ?? {})).toEqual(['auth', 'network']);
  });

  it('reports what was planned, not sent and why a group stopped early', () => {
    const aggregator = new Aggregator();
    aggregator.notePlanned('openai', 'gpt-4o-mini', 'chat', 500);
    aggregator.add(first);
    aggregator.add(failed('cancelled'));
    aggregator.noteStoppedEarly('openai', 'gpt-4o-mini', 'chat', 'the first 3 requests all failed');
    const [group] = aggregator.summarize(options);
    expect(group?.requests).toEqual({
      planned: 500,
      total: 2,
      succeeded: 1,
      failed: 1,
      warmup: 0,
      not_sent: 498,
    });
    expect(group?.stopped_early).toBe('the first 3 requests all failed');
  });
});

/** Deterministic mixed records over three groups: successes, failures and warm-ups. */
function generatedRecords(n: number): RequestRecord[] {
  let state = 12_345;
  const next = (): number => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const groups = [
    ['openai', 'gpt-4o-mini', 'chat'],
    ['anthropic', 'claude-sonnet', 'chat'],
    ['openai', 'gpt-4o-mini', 'long-context'],
  ] as const;
  const classes: ErrorClass[] = ['rate_limited', 'server_error', 'timeout_ttft', 'network'];
  const records: RequestRecord[] = [];
  for (let i = 0; i < n; i += 1) {
    const [provider, model, scenario] = groups[i % groups.length]!;
    const startedAtMs = T0 + i * 37.5 + next() * 10;
    const queueNs = BigInt(Math.round(next() * 3e6));
    if (next() < 0.1) {
      records.push(
        makeRecord({
          requestId: `r${i}`,
          provider,
          model,
          scenario,
          startedAtMs,
          queueNs,
          status: 'error',
          errorClass: classes[i % classes.length]!,
          e2eNs: BigInt(Math.round(next() * 50e6)),
          tokenCountMismatch: next() < 0.5,
        }),
      );
      continue;
    }
    const ttftMs = 50 + next() * 400;
    const offsetsMs = [ttftMs];
    const tokens = [1];
    const eventCount = 1 + Math.floor(next() * 40);
    for (let e = 1; e < eventCount; e += 1) {
      offsetsMs.push(offsetsMs[e - 1]! + 5 + next() * 30);
      tokens.push(1 + Math.floor(next() * 3));
    }
    const outputTokens = tokens.reduce((a, b) => a + b, 0);
    const e2eNs = BigInt(Math.round((offsetsMs[offsetsMs.length - 1]! + 2) * 1e6));
    const isNewConnection = next() < 0.3;
    records.push(
      makeRecord({
        requestId: `r${i}`,
        provider,
        model,
        scenario,
        isWarmup: i < 6,
        startedAtMs,
        queueNs,
        ...(isNewConnection
          ? {
              connection: {
                dnsNs: BigInt(Math.round(next() * 2e6)),
                connectNs: BigInt(Math.round(next() * 1e6)),
                tlsNs: BigInt(Math.round(next() * 8e6)),
              },
            }
          : {}),
        ttfbNs: BigInt(Math.round((ttftMs - 10) * 1e6)),
        ttftNs: BigInt(Math.round(ttftMs * 1e6)),
        ttfoNs: BigInt(Math.round(ttftMs * 1e6)),
        ...events(offsetsMs, tokens),
        e2eNs,
        e2eFromScheduleNs: e2eNs + queueNs,
        inputTokens: 100 + Math.floor(next() * 900),
        outputTokens,
        reasoningTokens: Math.floor(next() * 5),
        cachedInputTokens: Math.floor(next() * 50),
        tokenCountSource: next() < 0.8 ? 'server_usage' : 'event_count',
        tokenCountMismatch: next() < 0.05,
      }),
    );
  }
  return records;
}
