// A run built from hand-made records with known distributions, for the tests: measured
// requests with TTFT uniform on [40, 640] ms, plus warm-up, cool-down, failed and retried
// records that the statistics must leave out or count as failures.
import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity, buildRunSummary, type RunSummary } from '@llm-lens/metrics';

/** mulberry32: a small seeded PRNG, so every test sees the same records. */
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

const MS = 1_000_000;
const START_MS = Date.parse('2026-01-01T00:00:00Z');

interface RecordShape {
  index: number;
  ttftMs: number;
  provider?: string;
  model?: string;
  isWarmup?: boolean;
  isCooldown?: boolean;
}

/** A succeeded streamed request: ttft, then events of 1–3 tokens 5–45 ms apart. */
export function succeededRecord(random: () => number, shape: RecordShape): RequestRecord {
  const events = 8 + Math.floor(random() * 24);
  const offsets = new Float64Array(events);
  const tokens = new Uint32Array(events);
  let at = shape.ttftMs * MS;
  let outputTokens = 0;
  for (let i = 0; i < events; i++) {
    if (i > 0) at += (5 + random() * 40) * MS;
    offsets[i] = Math.round(at);
    tokens[i] = 1 + Math.floor(random() * 3);
    outputTokens += tokens[i]!;
  }
  const last = offsets[events - 1]!;
  const first = offsets[0]!;
  return {
    requestId: `r-${shape.index}`,
    provider: shape.provider ?? 'mock',
    model: shape.model ?? 'mock-model',
    scenario: 'demo',
    isWarmup: shape.isWarmup ?? false,
    ...(shape.isCooldown === undefined ? {} : { isCooldown: shape.isCooldown }),
    startedAtMs: START_MS + shape.index * 50,
    dispatchNs: 0n,
    status: 'ok',
    queueNs: 0n,
    ttfbNs: BigInt(Math.round(shape.ttftMs * 0.5 * MS)),
    ttftNs: BigInt(first),
    e2eNs: BigInt(last + 5 * MS),
    tpotNs: BigInt(Math.round((last - first) / (outputTokens - 1))),
    inputTokens: 100 + Math.floor(random() * 100),
    outputTokens,
    tokenCountSource: 'server_usage',
    costUsd: 0.0001,
    tokenEventOffsetsNs: offsets,
    tokenEventTokens: tokens,
  };
}

function failedRecord(
  index: number,
  errorClass: 'rate_limited' | 'timeout_ttft' | 'server_error',
): RequestRecord {
  return {
    requestId: `f-${index}`,
    provider: 'mock',
    model: 'mock-model',
    scenario: 'demo',
    isWarmup: false,
    startedAtMs: START_MS + index * 50,
    dispatchNs: 0n,
    status: 'error',
    errorClass,
    errorMessage: `synthetic ${errorClass}`,
    queueNs: 0n,
    e2eNs: 30n * BigInt(MS),
    tokenEventOffsetsNs: new Float64Array(0),
    tokenEventTokens: new Uint32Array(0),
  };
}

/** What the synthetic run holds, to assert against. */
export const SYNTHETIC_COUNTS = {
  measuredOk: 400,
  rateLimited: 12,
  timeoutTtft: 8,
  /** Failed first attempts that a second, succeeded attempt followed (left out). */
  retried: 10,
  warmup: 5,
  cooldown: 3,
} as const;

/** Every record of the synthetic run, in completion order, and its summary. */
export function syntheticRun(seed = 8): { records: RequestRecord[]; summary: RunSummary } {
  const random = seededRandom(seed);
  const records: RequestRecord[] = [];
  let index = 0;
  // Warm-up and cool-down with a TTFT of 20 s: counted, they would drag every quantile up.
  for (let i = 0; i < SYNTHETIC_COUNTS.warmup; i++) {
    records.push(succeededRecord(random, { index: index++, ttftMs: 20_000, isWarmup: true }));
  }
  for (let i = 0; i < SYNTHETIC_COUNTS.measuredOk; i++) {
    records.push(succeededRecord(random, { index: index++, ttftMs: 40 + random() * 600 }));
  }
  for (let i = 0; i < SYNTHETIC_COUNTS.rateLimited; i++) {
    records.push(failedRecord(index++, 'rate_limited'));
  }
  for (let i = 0; i < SYNTHETIC_COUNTS.timeoutTtft; i++) {
    records.push(failedRecord(index++, 'timeout_ttft'));
  }
  for (let i = 0; i < SYNTHETIC_COUNTS.retried; i++) {
    const first = failedRecord(index++, 'server_error');
    records.push({ ...first, attempt: 1, isRetried: true, retryDelayMs: 100 });
    const second = succeededRecord(random, { index: index++, ttftMs: 40 + random() * 600 });
    records.push({ ...second, attempt: 2, firstRequestId: first.requestId });
  }
  for (let i = 0; i < SYNTHETIC_COUNTS.cooldown; i++) {
    records.push(succeededRecord(random, { index: index++, ttftMs: 20_000, isCooldown: true }));
  }
  const aggregator = new Aggregator();
  for (const record of records) aggregator.add(record);
  const fidelity = buildFidelity([]);
  const summary = buildRunSummary({
    runId: 'run-synthetic-1',
    toolVersion: '0.1.0',
    configHash: 'synthetic',
    startedAt: START_MS,
    endedAt: START_MS + index * 50 + 2_000,
    complete: true,
    fidelity,
    groups: aggregator.summarize({ complete: true, fidelity }),
  });
  return { records, summary };
}
