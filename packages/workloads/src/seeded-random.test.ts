import { describe, expect, it } from 'vitest';
import { SeededRandom, streamId } from './seeded-random.js';

function firstDraws(seed: number, stream: string, index: number, count = 4): number[] {
  const random = SeededRandom.of(seed, stream, index);
  return Array.from({ length: count }, () => random.int(0, 1_000_000));
}

describe('SeededRandom', () => {
  it('gives the same draws for the same seed, stream and index, in any order of asking', () => {
    const forward = [0, 1, 2, 3].map((index) => firstDraws(7, 'a', index));
    const backward = [3, 2, 1, 0].map((index) => firstDraws(7, 'a', index)).reverse();
    expect(backward).toEqual(forward);
  });

  it('gives other draws for another seed, stream or index', () => {
    const base = firstDraws(7, 'a', 5);
    expect(firstDraws(8, 'a', 5)).not.toEqual(base);
    expect(firstDraws(7, 'b', 5)).not.toEqual(base);
    expect(firstDraws(7, 'a', 6)).not.toEqual(base);
    // Seeds above 2^32 are not folded onto smaller ones.
    expect(firstDraws(2 ** 32 + 7, 'a', 5)).not.toEqual(base);
  });

  it('gives every request of a long run its own generator', () => {
    const seen = new Set<string>();
    for (let index = 0; index < 20_000; index++) {
      const random = SeededRandom.of(1, 'synthetic:input', index);
      seen.add(`${random.int(0, 2 ** 31)}:${random.int(0, 2 ** 31)}`);
    }
    expect(seen.size).toBe(20_000);
  });

  it('draws integers within bounds, every value of a small range', () => {
    const counts = new Map<number, number>();
    const random = SeededRandom.of(3, 'bounds', 0);
    for (let i = 0; i < 6_000; i++) {
      const value = random.int(-2, 3);
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
    for (const count of counts.values()) expect(count).toBeGreaterThan(800);
  });

  it('draws floats in [0, 1) with mean 1/2', () => {
    const random = SeededRandom.of(4, 'float', 0);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 50_000; i++) {
      const value = random.float();
      sum += value;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / 50_000).toBeCloseTo(0.5, 2);
  });

  it('picks by weight', () => {
    const random = SeededRandom.of(5, 'weights', 0);
    const counts = [0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[random.weighted([1, 4, 10])]!++;
    expect(counts[0]! / 40_000).toBeCloseTo(0.1, 1);
    expect(counts[1]! / 40_000).toBeCloseTo(0.3, 1);
    expect(counts[2]! / 40_000).toBeCloseTo(0.6, 1);
  });

  it('names streams by a stable 32-bit id', () => {
    expect(streamId('mix:entry')).toBe(streamId('mix:entry'));
    expect(streamId('mix:entry')).not.toBe(streamId('mix:entrx'));
    expect(streamId('x')).toBeLessThan(2 ** 32);
  });
});
