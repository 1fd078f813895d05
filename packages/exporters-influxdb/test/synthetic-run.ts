// A run built by hand: records with known, seeded values, and the RunSummary the
// aggregator makes of them, so a test can compare what InfluxDB returns with the source.
import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity, buildRunSummary, type RunSummary } from '@llm-lens/metrics';

/** mulberry32: a small seeded PRNG, so every run of a test sees the same "random" values. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const RUN_START_MS = Date.parse('2026-01-01T00:00:00Z');

export interface SyntheticRunOptions {
  count: number;
  seed?: number;
  provider?: string;
  model?: string;
  scenario?: string;
  /** Every n-th record fails with a server_error (0: none fail). Default 10. */
  failEvery?: number;
  /** Records dispatched per millisecond: more than one gives same-millisecond start times. */
  perMs?: number;
}

/** `count` records: ttft 100–300 ms, 8 token events 20–40 ms apart, some failed; warm-up first. */
export function syntheticRecords(options: SyntheticRunOptions): RequestRecord[] {
  const random = seededRandom(options.seed ?? 42);
  const failEvery = options.failEvery ?? 10;
  const perMs = options.perMs ?? 1;
  const records: RequestRecord[] = [];
  for (let i = 0; i < options.count; i++) {
    const isFailed = failEvery > 0 && i % failEvery === failEvery - 1;
    const ttftNs = BigInt(Math.round(100_000_000 + random() * 200_000_000));
    const offsets: number[] = [Number(ttftNs)];
    for (let e = 1; e < 8; e++) offsets.push(offsets[e - 1]! + 20_000_000 + random() * 20_000_000);
    const base = {
      requestId: `req-${i}`,
      provider: options.provider ?? 'mock',
      model: options.model ?? 'mock-model',
      scenario: options.scenario ?? 'synthetic',
      isWarmup: i < 2,
      startedAtMs: RUN_START_MS + Math.floor(i / perMs),
      dispatchNs: BigInt(i) * 1_000_000n,
      queueNs: BigInt(Math.round(random() * 1_000_000)),
    };
    if (isFailed) {
      records.push({
        ...base,
        status: 'error',
        httpStatus: 503,
        errorClass: 'server_error',
        errorMessage: 'upstream overloaded\nretry later',
        tokenEventOffsetsNs: new Float64Array(0),
        tokenEventTokens: new Uint32Array(0),
      });
      continue;
    }
    const lastNs = offsets[offsets.length - 1]!;
    records.push({
      ...base,
      status: 'ok',
      httpStatus: 200,
      ttfbNs: ttftNs - 5_000_000n,
      ttftNs,
      e2eNs: BigInt(Math.round(lastNs)) + 1_000_000n,
      tpotNs: BigInt(Math.round((lastNs - offsets[0]!) / 7)),
      inputTokens: 100,
      outputTokens: 8,
      costUsd: 0.0001,
      tokenCountSource: 'server_usage',
      tokenEventOffsetsNs: Float64Array.from(offsets),
      tokenEventTokens: new Uint32Array(8).fill(1),
    });
  }
  return records;
}

/** The summary the aggregator makes of `records`, ending 60 s after the run's start. */
export function summaryOf(records: readonly RequestRecord[], runId = 'run-synthetic'): RunSummary {
  const aggregator = new Aggregator();
  for (const record of records) aggregator.add(record);
  const fidelity = buildFidelity([]);
  return buildRunSummary({
    runId,
    toolVersion: '0.1.0',
    configHash: 'test',
    startedAt: RUN_START_MS,
    endedAt: RUN_START_MS + 60_000,
    complete: true,
    fidelity,
    groups: aggregator.summarize({ complete: true, fidelity }),
  });
}
