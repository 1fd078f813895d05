import { describe, expect, it } from 'vitest';
import { SlotAssigner } from './slot-assigner.js';

/** A small seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Interval = { start: bigint; end: bigint };

/** The most intervals in flight at once (an end at t frees the slot for a start at t). */
function maxInFlight(intervals: Interval[]): number {
  const points = intervals.flatMap((i) => [
    { t: i.start, delta: 1 },
    { t: i.end, delta: -1 },
  ]);
  points.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.delta - b.delta));
  let now = 0;
  let max = 0;
  for (const p of points) {
    now += p.delta;
    max = Math.max(max, now);
  }
  return max;
}

function place(intervals: Interval[]) {
  const assigner = new SlotAssigner();
  const byTrack = new Map<number, Interval[]>();
  for (const interval of intervals) {
    const track = assigner.assign(interval.start, interval.end);
    byTrack.set(track, [...(byTrack.get(track) ?? []), interval]);
  }
  return { assigner, byTrack };
}

function overlapsOnATrack(byTrack: Map<number, Interval[]>): boolean {
  for (const placed of byTrack.values()) {
    const sorted = [...placed].sort((a, b) => (a.start < b.start ? -1 : 1));
    for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) return true;
  }
  return false;
}

const byEnd = (a: Interval, b: Interval) => (a.end < b.end ? -1 : a.end > b.end ? 1 : 0);

describe('SlotAssigner', () => {
  it('uses two tracks where lowest-numbered-first would open a third', () => {
    // Slot A: [0,10] then [10,20]; slot B: [0,3] then [3,30]; in completion order.
    const { assigner } = place([
      { start: 0n, end: 3n },
      { start: 0n, end: 10n },
      { start: 10n, end: 20n },
      { start: 3n, end: 30n },
    ]);
    expect(assigner.count).toBe(2);
  });

  it('opens as many tracks as requests were in flight at most, for any open-loop arrivals in end order', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = prng(seed);
      const intervals: Interval[] = [];
      let t = 0;
      for (let i = 0; i < 300; i++) {
        t += Math.floor(random() * 50);
        const start = BigInt(t);
        intervals.push({ start, end: start + BigInt(1 + Math.floor(random() * 400)) });
      }
      intervals.sort(byEnd);
      const { assigner, byTrack } = place(intervals);
      expect(overlapsOnATrack(byTrack)).toBe(false);
      expect(assigner.count).toBe(maxInFlight(intervals));
    }
  });

  it('never overlaps on a track even when records come out of end order (worker threads)', () => {
    const random = prng(99);
    const intervals: Interval[] = Array.from({ length: 2000 }, () => {
      const start = BigInt(Math.floor(random() * 100_000));
      return { start, end: start + BigInt(1 + Math.floor(random() * 2_000)) };
    });
    intervals.sort(byEnd);
    // Swap neighbours here and there, as batches from two threads interleave.
    for (let i = 1; i < intervals.length; i += 7) {
      [intervals[i - 1], intervals[i]] = [intervals[i]!, intervals[i - 1]!];
    }
    const { byTrack } = place(intervals);
    expect(overlapsOnATrack(byTrack)).toBe(false);
  });

  it('reuses the lowest-numbered of equally good tracks', () => {
    const assigner = new SlotAssigner();
    expect(assigner.assign(0n, 5n)).toBe(1);
    expect(assigner.assign(1n, 5n)).toBe(2);
    expect(assigner.assign(5n, 9n)).toBe(1);
    expect(assigner.assign(5n, 9n)).toBe(2);
    expect(assigner.assign(6n, 10n)).toBe(3);
  });
});
