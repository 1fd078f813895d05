import type { RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { Aggregator, type GroupSummary } from './aggregator.js';
import { analyzeSweep } from './sweep.js';

const fidelity = { event_loop_delay_p99_ms: 1, event_loop_delay_max_ms: 2, client_bound: false };

/**
 * A level's group from `n` requests dispatched `gapMs` apart, each with this TTFT and e2e,
 * 10 output tokens, `failed` of them failed.
 */
function level(name: string, n: number, gapMs: number, ttftMs: number, failed = 0): GroupSummary {
  const aggregator = new Aggregator();
  for (let i = 0; i < n; i++) {
    const ok = i >= failed;
    const record: RequestRecord = {
      requestId: `${name}-${i}`,
      provider: 'p',
      model: 'm',
      scenario: name,
      isWarmup: false,
      startedAtMs: 1_000_000 + i * gapMs,
      dispatchNs: 0n,
      status: ok ? 'ok' : 'error',
      queueNs: 0n,
      e2eNs: BigInt(Math.round(ttftMs * 2e6)),
      tokenEventOffsetsNs: new Float64Array(0),
      tokenEventTokens: new Uint32Array(0),
      ...(ok
        ? { ttftNs: BigInt(Math.round(ttftMs * 1e6)), outputTokens: 10 }
        : { errorClass: 'server_error' }),
    };
    aggregator.add(record);
  }
  return aggregator.summarize({ complete: true, fidelity })[0]!;
}

const identity = { provider: 'p', model: 'm', scenario: 's', parameter: 'concurrency' as const };

describe('analyzeSweep', () => {
  it('puts the knee at the first level whose throughput rose less than min_gain, best before it', () => {
    const report = analyzeSweep(identity, [
      { value: 1, group: level('s c=1', 20, 100, 50) }, // ~10 req/s
      { value: 2, group: level('s c=2', 20, 50, 50) }, // ~20
      { value: 4, group: level('s c=4', 20, 25, 55) }, // ~38
      { value: 8, group: level('s c=8', 20, 24, 60) }, // ~40: +5 %
    ]);
    expect(report.levels.map((l) => l.value)).toEqual([1, 2, 4, 8]);
    expect(report.levels[0]).toMatchObject({ scenario: 's c=1', requests: 20, error_rate: 0 });
    expect(report.levels[0]!.ttft_p50_ms).toBeCloseTo(50, 1);
    expect(report.knee?.value).toBe(8);
    expect(report.knee?.reasons).toHaveLength(1);
    expect(report.knee?.reasons[0]).toMatch(
      /^throughput \d+(\.\d+)? tokens\/s rose \d+(\.\d+)? % over the previous level \(< 10 %\)$/,
    );
    expect(report.best?.value).toBe(4);
    // The TTFT limit defaults to 3 × the first level's p95.
    expect(report.thresholds.min_gain).toBe(0.1);
    expect(report.thresholds.max_error_rate).toBe(0.05);
    expect(report.thresholds.ttft_p95_ms).toBeCloseTo(150, 0);
  });

  it('puts it where TTFT p95 passes its limit or errors pass theirs, whatever the throughput', () => {
    const byTtft = analyzeSweep(
      identity,
      [
        { value: 1, group: level('a', 10, 100, 50) },
        { value: 2, group: level('b', 10, 50, 400) },
      ],
      { ttftP95Ms: 300 },
    );
    expect(byTtft.knee?.value).toBe(2);
    expect(byTtft.knee?.reasons[0]).toMatch(/^TTFT p95 400(\.\d+)? ms > 300 ms$/);
    const byErrors = analyzeSweep(identity, [
      { value: 1, group: level('a', 10, 100, 50) },
      { value: 2, group: level('b', 10, 25, 50, 2) },
    ]);
    expect(byErrors.knee?.value).toBe(2);
    expect(byErrors.knee?.reasons[0]).toBe('error rate 0.2 > 0.05');
    expect(byErrors.best?.value).toBe(1);
  });

  it('reports no knee when every level was still healthy, the last as best', () => {
    const report = analyzeSweep(identity, [
      { value: 1, group: level('a', 10, 100, 50) },
      { value: 2, group: level('b', 10, 50, 50) },
    ]);
    expect(report.knee).toBeNull();
    expect(report.best?.value).toBe(2);
  });
});
