import { describe, expect, it } from 'vitest';
import { ExecutorError } from '../executor-error.js';
import { seededRandom } from './random-source.js';
import { TokenBucket } from './token-bucket.js';

const MS = 1_000_000n;
const SECOND = 1000n * MS;
const MINUTE = 60n * SECOND;

interface Admission {
  atNs: bigint;
  units: number;
}

/** Reserves every arrival at its arrival time; returns when each was admitted. */
function admit(
  bucket: TokenBucket,
  arrivals: readonly { atNs: bigint; units: number }[],
): Admission[] {
  return arrivals.map(({ atNs, units }) => ({ atNs: atNs + bucket.reserve(atNs, units), units }));
}

/**
 * The most units admitted in any window [t, t + 60 s), over every window that starts at an
 * admission (the fullest window always does), and the admissions in sending order.
 */
function busiestMinute(admissions: readonly Admission[]): number {
  const sorted = [...admissions].sort((a, b) => (a.atNs < b.atNs ? -1 : a.atNs > b.atNs ? 1 : 0));
  let busiest = 0;
  let end = 0;
  let inWindow = 0;
  for (let start = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]!.atNs < sorted[start]!.atNs + MINUTE) {
      inWindow += sorted[end]!.units;
      end++;
    }
    busiest = Math.max(busiest, inWindow);
    inWindow -= sorted[start]!.units;
  }
  return busiest;
}

function sumOf(admissions: readonly Admission[]): number {
  return admissions.reduce((sum, admission) => sum + admission.units, 0);
}

/** `count` arrivals `gapNs` apart from time 0, each of `units`. */
function steadyArrivals(count: number, gapNs: bigint, units = 1) {
  return Array.from({ length: count }, (_, i) => ({ atNs: BigInt(i) * gapNs, units }));
}

describe('TokenBucket', () => {
  it('admits at most the limit in any 60 s window over 10 minutes of arrivals 6× too fast', () => {
    const limit = 100;
    for (const burst of [1, 10, 50]) {
      const bucket = new TokenBucket({ limitPerMinute: limit, burst });
      // 600 a minute for 10 minutes, against a limit of 100.
      const admissions = admit(bucket, steadyArrivals(6000, 100n * MS));
      const inTenMinutes = admissions.filter((a) => a.atNs < 10n * MINUTE);
      expect(busiestMinute(admissions)).toBeLessThanOrEqual(limit);
      // Close to the limit: the busiest minute is full, and the sustained rate is
      // limit − burst + 1 a minute after the first burst.
      expect(busiestMinute(admissions)).toBe(limit);
      expect(inTenMinutes.length).toBeGreaterThanOrEqual(burst + 10 * (limit - burst + 1) - 1);
    }
  });

  it('paces a burst of 1 evenly, one every 60/limit s', () => {
    const bucket = new TokenBucket({ limitPerMinute: 120 });
    const times = admit(bucket, steadyArrivals(5, 0n)).map((a) => a.atNs);
    expect(times).toEqual([0n, 500n * MS, 1000n * MS, 1500n * MS, 2000n * MS]);
  });

  it('lets a burst go at once after an idle spell', () => {
    const bucket = new TokenBucket({ limitPerMinute: 60, burst: 5 });
    const waits = Array.from({ length: 6 }, () => bucket.reserve(10n * MINUTE, 1));
    expect(waits.slice(0, 5)).toEqual([0n, 0n, 0n, 0n, 0n]);
    // Refill: 60 − 5 + 1 = 56 a minute, so the sixth waits 60/56 s (rounded up to the ns).
    expect(waits[5]).toBe((MINUTE + 55n) / 56n);
  });

  it('keeps every window within the limit for random arrivals and sizes', () => {
    const random = seededRandom(3);
    const limit = 20_000;
    const bucket = new TokenBucket({ limitPerMinute: limit, burst: 1000 });
    let atNs = 0n;
    const arrivals = Array.from({ length: 4000 }, () => {
      // Clumps of arrivals with pauses between: Exponential gaps, mean 150 ms.
      atNs += BigInt(Math.round(-Math.log(1 - random()) * 150e6));
      return { atNs, units: 100 + Math.floor(random() * 901) };
    });
    const admissions = admit(bucket, arrivals);
    expect(busiestMinute(admissions)).toBeLessThanOrEqual(limit);
    expect(busiestMinute(admissions)).toBeGreaterThan(limit * 0.95);
    // Offered ~220,000 tokens a minute: the bucket runs at its refill rate.
    const lastNs = admissions.at(-1)!.atNs;
    const perMinute = sumOf(admissions) / (Number(lastNs) / Number(MINUTE));
    expect(perMinute).toBeGreaterThan(bucket.refillPerMinute * 0.98);
    expect(perMinute).toBeLessThanOrEqual(limit);
  });

  it('refills at limit − burst + 1 a minute, so a full minute of burst would starve the rate', () => {
    expect(new TokenBucket({ limitPerMinute: 100 }).refillPerMinute).toBe(100);
    expect(new TokenBucket({ limitPerMinute: 100, burst: 10 }).refillPerMinute).toBe(91);
    expect(new TokenBucket({ limitPerMinute: 100, burst: 100 }).refillPerMinute).toBe(1);
  });

  it('sends a reservation larger than the burst once the excess has been refilled', () => {
    // Refill 60,000 a minute: one unit a millisecond.
    const bucket = new TokenBucket({ limitPerMinute: 60_999, burst: 1000 });
    expect(bucket.reserve(0n, 1500)).toBe(500n * MS);
    // It went at 500 ms with the bucket then empty: the next unit waits 1 ms more.
    expect(bucket.availableAt(500n * MS)).toBe(0);
    expect(bucket.reserve(500n * MS, 1)).toBe(1n * MS);
  });

  it('gives unused units back and charges extra ones when a reservation settles', () => {
    const refundCase = new TokenBucket({ limitPerMinute: 60_999, burst: 1000 });
    expect(refundCase.reserve(0n, 1000)).toBe(0n);
    refundCase.adjust(0n, 1000, 400);
    expect(refundCase.availableAt(0n)).toBe(600);
    expect(refundCase.reserve(0n, 1000)).toBe(400n * MS);

    const debitCase = new TokenBucket({ limitPerMinute: 60_999, burst: 1000 });
    expect(debitCase.reserve(0n, 1000)).toBe(0n);
    debitCase.adjust(0n, 1000, 1500);
    expect(debitCase.availableAt(0n)).toBe(-500);
    expect(debitCase.reserve(0n, 1000)).toBe(1500n * MS);

    // Settled after the bucket filled up again: a refund cannot overfill it...
    const lateRefund = new TokenBucket({ limitPerMinute: 60_999, burst: 1000 });
    lateRefund.reserve(0n, 1000);
    lateRefund.adjust(2n * SECOND, 1000, 200);
    expect(lateRefund.availableAt(2n * SECOND)).toBe(1000);
    expect(lateRefund.reserve(2n * SECOND, 1000)).toBe(0n);
    expect(lateRefund.reserve(2n * SECOND, 1)).toBe(1n * MS);
    // ...and an extra charge still empties a full one.
    const lateDebit = new TokenBucket({ limitPerMinute: 60_999, burst: 1000 });
    lateDebit.reserve(0n, 1000);
    lateDebit.adjust(5n * SECOND, 1000, 1300);
    expect(lateDebit.availableAt(5n * SECOND)).toBe(700);
  });

  it('refuses a limit or burst that cannot work, and a fractional reservation', () => {
    const message = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        expect(error).toBeInstanceOf(ExecutorError);
        return (error as Error).message;
      }
      return undefined;
    };
    expect(message(() => new TokenBucket({ limitPerMinute: 0, label: 'rpm' }))).toBe(
      'rpm: the limit must be an integer >= 1 a minute, got 0',
    );
    expect(message(() => new TokenBucket({ limitPerMinute: 10, burst: 11, label: 'rpm' }))).toBe(
      'rpm: the burst must be an integer from 1 to the limit (10), got 11',
    );
    expect(() => new TokenBucket({ limitPerMinute: 10 }).reserve(0n, 1.5)).toThrow(RangeError);
  });
});
