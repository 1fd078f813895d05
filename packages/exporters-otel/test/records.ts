// Hand-built request records with known values, for the tests: no provider is involved.
import type { RequestRecord } from '@llm-lens/core-timing';

/** A deterministic PRNG (mulberry32), so generated runs are the same on every machine. */
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

/** One successful streamed request; `overrides` replace any field. */
export function okRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: 'r-1',
    provider: 'openai',
    model: 'gpt-test',
    scenario: 'chat-short',
    isWarmup: false,
    startedAtMs: RUN_START_MS + 1000,
    dispatchNs: 5_000_000_000n,
    status: 'ok',
    httpStatus: 200,
    queueNs: 2_000_000n,
    ttfbNs: 120_000_000n,
    ttftNs: 150_300_000n,
    e2eNs: 1_420_123_457n,
    tpotNs: 9_000_000n,
    inputTokens: 42,
    outputTokens: 4,
    tokenCountSource: 'server_usage',
    tokenEventOffsetsNs: Float64Array.of(150_300_000, 160_000_000, 1_000_000_000, 1_400_000_001),
    tokenEventTokens: Uint32Array.of(1, 1, 1, 1),
    ...overrides,
  };
}

/** `record` as a failure before any token: no ttft, tpot, output tokens or token events. */
export function failed(record: RequestRecord, overrides: Partial<RequestRecord>): RequestRecord {
  const copy: RequestRecord = {
    ...record,
    ...overrides,
    tokenEventOffsetsNs: new Float64Array(),
    tokenEventTokens: new Uint32Array(),
  };
  delete copy.ttftNs;
  delete copy.tpotNs;
  delete copy.outputTokens;
  delete copy.tokenCountSource;
  return copy;
}

/**
 * A run of `count` measured requests with varied timings and token counts (seeded), plus
 * warm-up, cool-down, failed and retried ones among them.
 */
export function generatedRun(count: number, seed = 7): RequestRecord[] {
  const random = seededRandom(seed);
  const records: RequestRecord[] = [];
  for (let i = 0; i < count; i++) {
    const ttftNs = BigInt(Math.round(20_000_000 + random() * 900_000_000));
    const events = 1 + Math.floor(random() * 30);
    const offsets = new Float64Array(events);
    const tokens = new Uint32Array(events);
    let at = Number(ttftNs);
    for (let e = 0; e < events; e++) {
      offsets[e] = at;
      tokens[e] = 1 + Math.floor(random() * 3);
      at += Math.round(1_000_000 + random() * 60_000_000);
    }
    const e2eNs = BigInt(Math.round(offsets[events - 1]! + 1_000_000 + random() * 5_000_000));
    const outputTokens = tokens.reduce((sum, n) => sum + n, 0);
    const base = okRecord({
      requestId: `r-${i}`,
      model: i % 3 === 0 ? 'model-b' : 'model-a',
      startedAtMs: RUN_START_MS + i * 37 + Math.round(random() * 1000) / 1000,
      ttftNs,
      e2eNs,
      inputTokens: 10 + Math.floor(random() * 2000),
      outputTokens,
      tokenEventOffsetsNs: offsets,
      tokenEventTokens: tokens,
    });
    if (outputTokens > 1) {
      base.tpotNs = BigInt(Math.round((offsets[events - 1]! - offsets[0]!) / (outputTokens - 1)));
    } else delete base.tpotNs;
    if (i < 3) base.isWarmup = true;
    if (i >= count - 2) base.isCooldown = true;
    if (i % 11 === 5) {
      records.push(
        failed(base, {
          status: 'error',
          httpStatus: 429,
          errorClass: 'rate_limited',
          errorMessage: 'HTTP 429: slow down',
          e2eNs: 30_000_000n,
        }),
      );
      continue;
    }
    if (i % 13 === 7) {
      // A failed first attempt that was retried: a span, but outside the statistics.
      records.push(
        failed(base, {
          requestId: `r-${i}-a1`,
          attempt: 1,
          isRetried: true,
          status: 'error',
          errorClass: 'server_error',
          httpStatus: 503,
          e2eNs: 12_000_000n,
        }),
      );
      records.push({ ...base, attempt: 2, firstRequestId: `r-${i}-a1` });
      continue;
    }
    records.push(base);
  }
  return records;
}
