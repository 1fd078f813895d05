import type { RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { SaturationGuard } from './saturation-guard.js';

const MS = 1_000_000n;

function finished(ok: boolean, fromScheduleMs: number): RequestRecord {
  return {
    requestId: 'r',
    provider: 'p',
    model: 'm',
    scenario: 's',
    isWarmup: false,
    startedAtMs: 0,
    dispatchNs: 0n,
    status: ok ? 'ok' : 'error',
    queueNs: 0n,
    ttftFromScheduleNs: BigInt(fromScheduleMs) * MS,
    tokenEventOffsetsNs: new Float64Array(),
    tokenEventTokens: new Uint32Array(),
  };
}

/** Feeds `perWindow` requests into each 1 s window; returns the first reason and its window. */
function feed(
  guard: SaturationGuard,
  windows: Array<{ failed: number; ms: number }>,
  perWindow = 20,
) {
  for (const [w, { failed, ms }] of windows.entries()) {
    for (let i = 0; i < perWindow; i++) {
      const at = BigInt(w) * 1000n * MS + BigInt(i) * 10n * MS;
      const reason = guard.observe(finished(i >= failed, ms), at);
      if (reason !== undefined) return { reason, window: w };
    }
  }
  return undefined;
}

describe('SaturationGuard', () => {
  it('stops after consecutive windows with a high error rate, not after one', () => {
    const guard = new SaturationGuard({ windowMs: 1000 });
    const verdict = feed(guard, [
      { failed: 0, ms: 100 },
      { failed: 15, ms: 100 },
      { failed: 2, ms: 100 },
      { failed: 12, ms: 100 },
      { failed: 14, ms: 100 },
      { failed: 0, ms: 100 },
    ]);
    // Windows are judged when the next one begins: windows 3 and 4 fail, seen in window 5.
    expect(verdict?.window).toBe(5);
    expect(verdict?.reason).toMatch(
      /error rate was 60%, 70% in the last 2 windows of 1 s \(above 50%\)/,
    );
  });

  it('stops when the latency from the schedule keeps rising, and only then', () => {
    const steady = new SaturationGuard({ windowMs: 1000 });
    expect(
      feed(
        steady,
        [100, 120, 110, 130, 125, 140].map((ms) => ({ failed: 0, ms })),
      ),
    ).toBeUndefined();
    const overloaded = new SaturationGuard({ windowMs: 1000 });
    const verdict = feed(
      overloaded,
      [100, 150, 190, 260, 500].map((ms) => ({ failed: 0, ms })),
    );
    // 100 → 150 → 190 rises but not to twice the first; 150 → 190 → 260 not either; then
    // 190 → 260 → 500 does, judged when the window after it begins.
    expect(verdict).toBeUndefined();
    const more = new SaturationGuard({ windowMs: 1000 });
    const later = feed(
      more,
      [100, 150, 190, 260, 500, 500].map((ms) => ({ failed: 0, ms })),
    );
    expect(later?.window).toBe(5);
    expect(later?.reason).toMatch(/kept rising \(190 ms → 260 ms → 500 ms\) over 3 windows of 1 s/);
  });

  it('does not judge windows with too few requests, and refuses bad settings', () => {
    const guard = new SaturationGuard({ windowMs: 1000, minRequests: 50 });
    expect(
      feed(
        guard,
        [1, 2, 3, 4].map(() => ({ failed: 20, ms: 100 })),
      ),
    ).toBeUndefined();
    expect(() => new SaturationGuard({ maxErrorRate: 1.5, risingWindows: 1 })).toThrow(
      /maxErrorRate must be in \[0, 1\), got 1.5; risingWindows must be a whole number >= 2, got 1/,
    );
  });
});
