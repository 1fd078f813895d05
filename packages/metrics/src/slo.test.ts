import type { RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { Aggregator } from './aggregator.js';
import { describeSlo, meetsSlo } from './slo.js';

const fidelity = { event_loop_delay_p99_ms: 1, event_loop_delay_max_ms: 2, client_bound: false };

function record(i: number, ttftMs: number, tpotMs: number | undefined, ok = true): RequestRecord {
  return {
    requestId: `r${i}`,
    provider: 'p',
    model: 'm',
    scenario: 's',
    isWarmup: false,
    startedAtMs: 1_000 + i * 100,
    dispatchNs: 0n,
    status: ok ? 'ok' : 'error',
    queueNs: 0n,
    ttftNs: BigInt(ttftMs * 1e6),
    e2eNs: BigInt((ttftMs + 100) * 1e6),
    ...(tpotMs === undefined ? {} : { tpotNs: BigInt(tpotMs * 1e6) }),
    tokenEventOffsetsNs: new Float64Array(0),
    tokenEventTokens: new Uint32Array(0),
  };
}

describe('meetsSlo', () => {
  const slo = { ttft_ms: 500, tpot_ms: 50 };
  it('needs success and every bound met, a bound being inclusive', () => {
    expect(meetsSlo(record(0, 500, 50), slo)).toBe(true);
    expect(meetsSlo(record(0, 501, 10), slo)).toBe(false);
    expect(meetsSlo(record(0, 100, 51), slo)).toBe(false);
    expect(meetsSlo(record(0, 100, 10, false), slo)).toBe(false);
  });

  it('lets a one-token answer (no tpot) pass the tpot bound, never a missing ttft', () => {
    expect(meetsSlo(record(0, 100, undefined), slo)).toBe(true);
    const { ttftNs: _dropped, ...noTtft } = record(0, 100, 10);
    expect(meetsSlo(noTtft as RequestRecord, slo)).toBe(false);
  });

  it('describes the bounds in words', () => {
    expect(describeSlo({ tpot_ms: 50, ttft_ms: 500 })).toBe('ttft ≤ 500 ms, tpot ≤ 50 ms');
  });
});

describe('goodput per group', () => {
  it('counts requests within every SLO, and merges exactly across workers', () => {
    const slo = { ttft_ms: 300 };
    const records = [
      record(0, 100, 10),
      record(1, 400, 10),
      record(2, 200, 10),
      record(3, 100, 10, false),
    ];
    const whole = new Aggregator({ slo });
    for (const r of records) whole.add(r);
    const [group] = whole.summarize({ complete: true, fidelity });
    // 2 of 4 measured requests; the window is 1.0 s → 1.3 s + 500 ms
    expect(group!.goodput).toMatchObject({ slo, requests: 2, fraction: 0.5 });
    expect(group!.goodput!.requests_per_s).toBeCloseTo(2 / group!.throughput.window_s, 2);

    const a = new Aggregator({ slo });
    const b = new Aggregator({ slo });
    for (const [i, r] of records.entries()) (i % 2 === 0 ? a : b).add(r);
    const merged = new Aggregator({ slo });
    merged.mergeEncoded(a.encodeGroups());
    merged.mergeEncoded(b.encodeGroups());
    expect(merged.summarize({ complete: true, fidelity })[0]!.goodput).toEqual(group!.goodput);
  });

  it('is null without SLOs', () => {
    const aggregator = new Aggregator();
    aggregator.add(record(0, 100, 10));
    expect(aggregator.summarize({ complete: true, fidelity })[0]!.goodput).toBeNull();
  });
});
