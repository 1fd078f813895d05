// A realistic run, made by hand: two targets under closed-loop load, one of them swept over
// four concurrency levels, with per-token stream events, a few failures and prices. Seeded,
// so every test run builds the same records and the same summary.
import type { ErrorClass, RequestRecord } from '@llm-lens/core-timing';
import {
  Aggregator,
  analyzeSweep,
  buildFidelity,
  buildRunSummary,
  type RunSummary,
} from '@llm-lens/metrics';

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
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

/** A log-normal sample with the given median and spread (sigma of the log). */
function logNormal(random: () => number, median: number, sigma: number): number {
  const u = Math.max(1e-12, random());
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * normal);
}

interface LoadShape {
  provider: string;
  model: string;
  scenario: string;
  startMs: number;
  concurrency: number;
  requests: number;
  ttftMedianMs: number;
  itlMedianMs: number;
  /** Share of requests that fail, and how. */
  failures?: { rate: number; errorClass: ErrorClass; message: string; httpStatus: number };
  /** USD per output token. */
  priceUsd?: number;
  warmup?: number;
}

const MS = 1_000_000;

/** Records of one closed loop: `concurrency` slots, each sending its next request when the last ends. */
export function closedLoopRecords(shape: LoadShape, random: () => number): RequestRecord[] {
  const records: RequestRecord[] = [];
  const slots = Array.from({ length: shape.concurrency }, (_, i) => shape.startMs + i * 37);
  const total = shape.requests + (shape.warmup ?? 0);
  for (let n = 0; n < total; n++) {
    const slot = n % shape.concurrency;
    const startedAtMs = slots[slot]!;
    const isWarmup = n < (shape.warmup ?? 0);
    const failure = shape.failures;
    const id = `${shape.scenario}-${shape.provider}-${n}`;
    const base = {
      requestId: id,
      provider: shape.provider,
      model: shape.model,
      scenario: shape.scenario,
      isWarmup,
      startedAtMs,
      dispatchNs: BigInt(Math.round(startedAtMs * MS)),
      queueNs: 20_000n,
      sendDelayNs: 150_000n,
    };
    if (failure !== undefined && random() < failure.rate) {
      const e2e = logNormal(random, 90, 0.3);
      records.push({
        ...base,
        status: 'error',
        httpStatus: failure.httpStatus,
        errorClass: failure.errorClass,
        errorMessage: failure.message,
        e2eNs: BigInt(Math.round(e2e * MS)),
        tokenEventOffsetsNs: new Float64Array(0),
        tokenEventTokens: new Uint32Array(0),
      });
      slots[slot] = startedAtMs + e2e + 5;
      continue;
    }
    const ttft = logNormal(random, shape.ttftMedianMs, 0.35);
    const outputTokens = 60 + Math.floor(random() * 140);
    const offsets: number[] = [ttft * MS];
    const counts: number[] = [1];
    let at = ttft;
    let sent = 1;
    while (sent < outputTokens) {
      // Now and then a chunk carries two or three tokens (batched decoding).
      const k = Math.min(outputTokens - sent, random() < 0.15 ? 2 + Math.floor(random() * 2) : 1);
      at += logNormal(random, shape.itlMedianMs, 0.25) * k;
      offsets.push(at * MS);
      counts.push(k);
      sent += k;
    }
    const e2e = at + 2;
    records.push({
      ...base,
      status: 'ok',
      httpStatus: 200,
      ttfbNs: BigInt(Math.round((ttft - 3) * MS)),
      ttftNs: BigInt(Math.round(ttft * MS)),
      ttfoNs: BigInt(Math.round(ttft * MS)),
      e2eNs: BigInt(Math.round(e2e * MS)),
      tpotNs: BigInt(Math.round(((at - ttft) / (outputTokens - 1)) * MS)),
      inputTokens: 420,
      outputTokens,
      tokenCountSource: 'server_usage',
      ...(shape.priceUsd === undefined ? {} : { costUsd: outputTokens * shape.priceUsd }),
      tokenEventOffsetsNs: Float64Array.from(offsets),
      tokenEventTokens: Uint32Array.from(counts),
    });
    slots[slot] = startedAtMs + e2e + 5;
  }
  // The executor hands records over in completion order.
  return records.sort(
    (a, b) =>
      a.startedAtMs + Number(a.e2eNs ?? 0n) / MS - (b.startedAtMs + Number(b.e2eNs ?? 0n) / MS),
  );
}

/** The sweep's levels: TTFT and the per-token pace grow with concurrency until throughput stalls. */
export const SWEEP_LEVELS = [
  { concurrency: 1, ttftMedianMs: 140, itlMedianMs: 11 },
  { concurrency: 4, ttftMedianMs: 170, itlMedianMs: 13 },
  { concurrency: 16, ttftMedianMs: 290, itlMedianMs: 21 },
  { concurrency: 64, ttftMedianMs: 1400, itlMedianMs: 68 },
] as const;

export const RUN_STARTED_MS = Date.UTC(2026, 0, 15, 9, 30, 0);

export interface RealisticRun {
  /** Every record in completion order, warm-up included. */
  records: RequestRecord[];
  summary: RunSummary;
}

/**
 * Two targets at concurrency 8 for about 30 s (one of them with rate-limit failures), then a
 * sweep of the first target over concurrency 1, 4, 16 and 64: 880 measured records.
 */
export function buildRealisticRun(): RealisticRun {
  const random = seededRandom(20260115);
  const openai = { provider: 'openai', model: 'gpt-4o-mini' };
  const anthropic = { provider: 'anthropic', model: 'claude-3-5-haiku' };
  const records: RequestRecord[] = [
    ...closedLoopRecords(
      {
        ...openai,
        scenario: 'chat',
        startMs: RUN_STARTED_MS + 100,
        concurrency: 8,
        requests: 200,
        warmup: 8,
        ttftMedianMs: 180,
        itlMedianMs: 12,
        priceUsd: 6e-7,
      },
      random,
    ),
    ...closedLoopRecords(
      {
        ...anthropic,
        scenario: 'chat',
        startMs: RUN_STARTED_MS + 100,
        concurrency: 8,
        requests: 200,
        warmup: 8,
        ttftMedianMs: 310,
        itlMedianMs: 15,
        priceUsd: 4e-6,
        failures: {
          rate: 0.04,
          errorClass: 'rate_limited',
          httpStatus: 429,
          message:
            'HTTP 429: {"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit | retry in 2s"}}\nrequest-id: req_01',
        },
      },
      random,
    ),
  ];
  let levelStartMs = RUN_STARTED_MS + 32_000;
  for (const level of SWEEP_LEVELS) {
    const levelRecords = closedLoopRecords(
      {
        ...openai,
        scenario: `chat-sweep@concurrency=${level.concurrency}`,
        startMs: levelStartMs,
        concurrency: level.concurrency,
        requests: 120,
        ttftMedianMs: level.ttftMedianMs,
        itlMedianMs: level.itlMedianMs,
        priceUsd: 6e-7,
      },
      random,
    );
    records.push(...levelRecords);
    const lastEnd = Math.max(
      ...levelRecords.map((r) => r.startedAtMs + Number(r.e2eNs ?? 0n) / MS),
    );
    levelStartMs = lastEnd + 500;
  }
  const aggregator = new Aggregator({ slo: { ttft_ms: 500, tpot_ms: 25 } });
  for (const record of records) aggregator.add(record);
  const fidelity = buildFidelity([
    {
      thread: 'main',
      snapshot: {
        p50Ms: 0.4,
        p99Ms: 1.9,
        maxMs: 11.2,
        meanMs: 0.5,
        utilization: 0.21,
        samples: 80_000,
      },
    },
  ]);
  const groups = aggregator.summarize({ complete: true, fidelity });
  const sweep = analyzeSweep(
    { ...openai, scenario: 'chat-sweep', parameter: 'concurrency' },
    SWEEP_LEVELS.map((level) => ({
      value: level.concurrency,
      group: groups.find((g) => g.scenario === `chat-sweep@concurrency=${level.concurrency}`)!,
    })),
  );
  const endedMs = Math.max(...records.map((r) => r.startedAtMs + Number(r.e2eNs ?? 0n) / MS)) + 20;
  const summary = buildRunSummary({
    runId: '3f1c2a9e-5b7d-4e21-9a0c-6d8e2f4b1a77',
    toolVersion: '0.1.0',
    configHash: 'sha256:realistic-run',
    startedAt: RUN_STARTED_MS,
    endedAt: endedMs,
    nodeVersion: 'v20.19.0',
    cpuCount: 8,
    platform: 'linux-x64',
    complete: true,
    fidelity,
    groups,
    sweeps: [sweep],
  });
  return { records, summary };
}
