import type { RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { INITIAL_WINDOW_MS, MAX_WINDOWS, RunDistributions, targetId } from './run-distributions.js';

const MS = 1_000_000;
const T0 = Date.UTC(2026, 0, 1);

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: 'r',
    provider: 'p',
    model: 'm',
    scenario: 's',
    isWarmup: false,
    startedAtMs: T0,
    dispatchNs: 0n,
    status: 'ok',
    queueNs: 0n,
    ttftNs: BigInt(100 * MS),
    e2eNs: BigInt(400 * MS),
    outputTokens: 4,
    // Events at 100, 200 and 400 ms carrying 1, 1 and 2 tokens.
    tokenEventOffsetsNs: Float64Array.of(100 * MS, 200 * MS, 400 * MS),
    tokenEventTokens: Uint32Array.of(1, 1, 2),
    ...overrides,
  };
}

function only(distributions: RunDistributions) {
  return distributions.targets.get(targetId({ provider: 'p', model: 'm', scenario: 's' }))!;
}

describe('RunDistributions', () => {
  it('leaves out warm-up, cool-down and retried attempts, as the statistics do', () => {
    const d = new RunDistributions();
    d.add(record({ isWarmup: true }));
    d.add(record({ isCooldown: true }));
    d.add(record({ status: 'error', isRetried: true, attempt: 1 }));
    expect(d.records).toBe(0);
    expect(d.targets.size).toBe(0);
  });

  it('keeps TTFT and E2E of successes and counts failures in their end window', () => {
    const d = new RunDistributions();
    d.add(record());
    d.add(record({ status: 'error', errorClass: 'server_error', e2eNs: BigInt(1500 * MS) }));
    const t = only(d);
    expect(t.ttft.total).toBe(1);
    expect(t.e2e.total).toBe(1);
    expect(t.ttft.quantile(0.5)).toBeCloseTo(100, 6);
    const first = t.windows.get(T0 / INITIAL_WINDOW_MS)!;
    const second = t.windows.get(T0 / INITIAL_WINDOW_MS + 1)!;
    expect(first.completed).toBe(1);
    expect(second.failed).toBe(1);
    expect(first.ttft?.total).toBe(1);
  });

  it('counts a gap before an event of k tokens as k per-token samples of gap / k', () => {
    const d = new RunDistributions();
    d.add(record());
    const itl = only(d).itl;
    // 100 ms before the second event (1 token), 200 ms before the third (2 tokens: 2 × 100 ms).
    expect(itl.total).toBe(3);
    expect(itl.minMs).toBeCloseTo(100, 6);
    expect(itl.maxMs).toBeCloseTo(100, 6);
  });

  it('places output tokens by arrival and scales them to the reported count', () => {
    const d = new RunDistributions();
    // 8 tokens reported for 4 event tokens: each event counts double. Events straddle a second.
    d.add(
      record({
        startedAtMs: T0 + 700,
        outputTokens: 8,
        e2eNs: BigInt(600 * MS),
      }),
    );
    const windows = only(d).windows;
    const base = T0 / INITIAL_WINDOW_MS;
    // 700 + 100 and 700 + 200 ms fall in the first second; 700 + 400 in the next.
    expect(windows.get(base)?.outputTokens).toBe(4);
    expect(windows.get(base + 1)?.outputTokens).toBe(4);
  });

  it('stays within MAX_WINDOWS however long the run, merging windows without losing counts', () => {
    const d = new RunDistributions();
    const seconds = MAX_WINDOWS * 10;
    for (let s = 0; s < seconds; s++) d.add(record({ startedAtMs: T0 + s * 1000 }));
    const t = only(d);
    expect(t.windows.size).toBeLessThanOrEqual(MAX_WINDOWS);
    expect(d.windowMs).toBe(16_000);
    let completed = 0;
    let tokens = 0;
    let ttfts = 0;
    for (const w of t.windows.values()) {
      completed += w.completed;
      tokens += w.outputTokens;
      ttfts += w.ttft?.total ?? 0;
    }
    expect(completed).toBe(seconds);
    expect(tokens).toBe(seconds * 4);
    expect(ttfts).toBe(seconds);
    expect(t.ttft.total).toBe(seconds);
  });
});
