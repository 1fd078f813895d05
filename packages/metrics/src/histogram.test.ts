import { describe, expect, it } from 'vitest';
import { LatencyHistogram, MAX_RECORDED_COUNT, MAX_RECORDED_VALUE } from './histogram.js';
import { RateHistogram } from './rate-histogram.js';

const MS = 1_000_000n;

/** Deterministic pseudo-random durations spread log-uniformly from 10 µs to ~100 s. */
function durationsNs(n: number, seed: number): number[] {
  let state = seed >>> 0;
  const values: number[] = [];
  for (let i = 0; i < n; i += 1) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const unit = state / 2 ** 32;
    values.push(Math.round(10_000 * 10 ** (unit * 7)));
  }
  return values;
}

function expectWithinHdrPrecision(actual: number, expected: number): void {
  // 3 significant digits: buckets are at most 1/1024 of their value wide (plus 1 µs).
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected / 1024 + 0.001);
}

describe('LatencyHistogram', () => {
  it('reports 1..1000 ms with the expected statistics within HDR precision', () => {
    const h = new LatencyHistogram();
    for (let ms = 1n; ms <= 1000n; ms += 1n) h.recordNs(ms * MS);
    const s = h.summary();
    expect(s).not.toBeNull();
    if (s === null) return;
    expect(s.count).toBe(1000);
    expect(h.count).toBe(1000);
    expect(s.min).toBe(1);
    expectWithinHdrPrecision(s.max, 1000);
    expectWithinHdrPrecision(s.p50, 500);
    expectWithinHdrPrecision(s.p75, 750);
    expectWithinHdrPrecision(s.p90, 900);
    expectWithinHdrPrecision(s.p95, 950);
    expectWithinHdrPrecision(s.p99, 990);
    expectWithinHdrPrecision(s.p999, 999);
    expectWithinHdrPrecision(s.mean, 500.5);
    // population standard deviation of 1..n is sqrt((n² − 1) / 12)
    expectWithinHdrPrecision(s.stdev, Math.sqrt((1000 ** 2 - 1) / 12));
  });

  it('reports a single percentile exactly as the summary does, without building one', () => {
    const h = new LatencyHistogram();
    expect(h.percentile(50)).toBeNull();
    for (let ms = 1n; ms <= 1000n; ms += 1n) h.recordNs(ms * MS);
    const s = h.summary()!;
    expect(h.percentile(0)).toBe(s.min);
    expect(h.percentile(50)).toBe(s.p50);
    expect(h.percentile(99)).toBe(s.p99);
    expect(h.percentile(100)).toBe(s.max);
    expectWithinHdrPrecision(h.percentile(50)!, 500);
  });

  it('returns null from summary when nothing was recorded', () => {
    const h = new LatencyHistogram();
    expect(h.count).toBe(0);
    expect(h.summary()).toBeNull();
    expect(LatencyHistogram.decode(h.encode()).summary()).toBeNull();
  });

  it('keeps sub-millisecond durations to the microsecond', () => {
    const h = new LatencyHistogram();
    h.recordNs(1_499); // rounds to 1 µs
    h.recordNs(250_400n); // 250 µs
    const s = h.summary();
    expect(s?.min).toBe(0.001);
    expect(s?.max).toBe(0.25);
  });

  it('records a value several times with one call', () => {
    const h = new LatencyHistogram();
    h.recordNs(20n * MS, 3);
    h.recordNs(40n * MS);
    const s = h.summary();
    expect(s?.count).toBe(4);
    expectWithinHdrPrecision(s?.p50 ?? 0, 20);
    expectWithinHdrPrecision(s?.p75 ?? 0, 20);
    expectWithinHdrPrecision(s?.max ?? 0, 40);
    expectWithinHdrPrecision(s?.mean ?? 0, 25);
  });

  it('grows past one hour instead of throwing', () => {
    const h = new LatencyHistogram();
    h.recordNs(2n * 3_600_000n * MS);
    expectWithinHdrPrecision(h.summary()?.max ?? 0, 7_200_000);
  });

  it('leaves out negative and non-finite durations and counts them, never throwing', () => {
    const h = new LatencyHistogram();
    h.recordNs(-5_000n);
    h.recordNs(Number.NaN);
    h.recordNs(Number.POSITIVE_INFINITY);
    h.recordNs(1_000, -2);
    expect(h.count).toBe(0);
    expect(h.outOfRange).toBe(4);
  });

  it('records values above the ceiling at the ceiling and counts them', () => {
    const h = new LatencyHistogram();
    // 10^20 tokens' worth of microseconds: hdr itself would throw "Index Out Of Bounds".
    h.recordNs(1e26);
    h.recordNs(2 ** 60 * 1_000);
    h.recordNs(1_000_000, 2 ** 40);
    h.recordNs(5_000_000);
    expect(h.outOfRange).toBe(3);
    expect(h.count).toBe(3 + MAX_RECORDED_COUNT);
    expectWithinHdrPrecision(h.summary()?.max ?? 0, MAX_RECORDED_VALUE / 1000);
    const merged = LatencyHistogram.decode(new LatencyHistogram().encode());
    merged.merge(h);
    expect(merged.outOfRange).toBe(3);
  });

  it('merges encoded halves into exactly the summary of one histogram of the whole', () => {
    const values = durationsNs(5_000, 42);
    const whole = new LatencyHistogram();
    const first = new LatencyHistogram();
    const second = new LatencyHistogram();
    values.forEach((ns, i) => {
      whole.recordNs(ns);
      (i < 2_500 ? first : second).recordNs(ns);
    });

    const merged = LatencyHistogram.decode(first.encode());
    merged.merge(LatencyHistogram.decode(second.encode()));

    expect(merged.count).toBe(5_000);
    expect(merged.summary()).toEqual(whole.summary());
    expect(LatencyHistogram.decode(merged.encode()).summary()).toEqual(
      LatencyHistogram.decode(whole.encode()).summary(),
    );
  });

  it('merges interleaved samples of different ranges exactly', () => {
    const small = durationsNs(300, 7).map((ns) => Math.min(ns, 5_000_000));
    const large = durationsNs(300, 9).map((ns) => ns * 50);
    const whole = new LatencyHistogram();
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (const ns of small) {
      whole.recordNs(ns);
      a.recordNs(ns);
    }
    for (const ns of large) {
      whole.recordNs(ns);
      b.recordNs(ns);
    }
    const merged = new LatencyHistogram();
    merged.merge(LatencyHistogram.decode(b.encode()));
    merged.merge(LatencyHistogram.decode(a.encode()));
    expect(merged.summary()).toEqual(whole.summary());
  });

  it('fails to decode text that is not an encoded histogram with LENS_METRICS_DECODE_FAILED', () => {
    expect(() => LatencyHistogram.decode('not a histogram')).toThrow(
      expect.objectContaining({ code: 'LENS_METRICS_DECODE_FAILED' }),
    );
  });
});

describe('RateHistogram', () => {
  it('reports fractional rates in units per second to 3 significant digits', () => {
    const h = new RateHistogram();
    h.record(12.3456);
    h.record(80, 2);
    h.record(150.5);
    const s = h.summary();
    expect(s?.count).toBe(4);
    expectWithinHdrPrecision(s?.min ?? 0, 12.3456);
    expectWithinHdrPrecision(s?.p50 ?? 0, 80);
    expectWithinHdrPrecision(s?.max ?? 0, 150.5);
    // each sample may sit anywhere in its bucket, so the mean is only as precise as the
    // largest sample's bucket
    expect(Math.abs((s?.mean ?? 0) - (12.3456 + 160 + 150.5) / 4)).toBeLessThanOrEqual(
      150.5 / 1024,
    );
  });

  it('merges encoded rate histograms exactly', () => {
    const whole = new RateHistogram();
    const a = new RateHistogram();
    const b = new RateHistogram();
    for (let i = 1; i <= 400; i += 1) {
      const rate = 5 + i * 0.731;
      whole.record(rate);
      (i % 2 === 0 ? a : b).record(rate);
    }
    const merged = RateHistogram.decode(a.encode());
    merged.merge(RateHistogram.decode(b.encode()));
    expect(merged.summary()).toEqual(whole.summary());
  });

  it('leaves out a negative or infinite rate and caps an absurd one', () => {
    const h = new RateHistogram();
    h.record(-1);
    h.record(Number.POSITIVE_INFINITY);
    h.record(1e300);
    h.record(42);
    expect(h.outOfRange).toBe(3);
    expect(h.count).toBe(2);
    expect(h.percentile(50)).toBeCloseTo(42, 1);
  });
});
