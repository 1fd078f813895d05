import { describe, expect, it } from 'vitest';
import { mannWhitney } from './mann-whitney.js';

const sorted = (values: number[]) => Float64Array.from(values).sort();

describe('mannWhitney', () => {
  it('matches the hand computation for two samples without ties', () => {
    // NEW's ranks are 4, 5, 6: R = 15, U = 15 − 3·4/2 = 9, mean 4.5, σ² = 9/12 · 7 = 5.25,
    // z = (4.5 − 0.5) / √5.25 = 1.745743, p = 2 · P(Z > z) = 0.080856.
    const result = mannWhitney(sorted([1, 2, 3]), sorted([4, 5, 6]));
    expect(result.u).toBe(9);
    expect(result.z).toBeCloseTo(1.745743, 5);
    expect(result.p_value).toBeCloseTo(0.080856, 5);
    expect(result.direction).toBe('new_larger');
  });

  it('averages tied ranks and corrects the variance for ties', () => {
    // Pooled: 1b 2b 2b 2n 3b 3n 3n 4n. The 2s share rank 3, the 3s rank 6: NEW's R = 3 + 6 + 6 + 8
    // = 23, U = 23 − 10 = 13, mean 8. Ties of 3 and 3: Σ(t³ − t) = 48, N = 8:
    // σ² = 16/12 · (9 − 48/56) = 10.857143, z = (5 − 0.5) / √σ² = 1.365698, p = 0.172034.
    const result = mannWhitney(sorted([1, 2, 2, 3]), sorted([2, 3, 3, 4]));
    expect(result.u).toBe(13);
    expect(result.z).toBeCloseTo(1.365698, 5);
    expect(result.p_value).toBeCloseTo(0.172034, 5);
  });

  it('is symmetric: swapping the runs flips the direction and keeps the p-value', () => {
    const a = sorted([1, 2, 2, 3]);
    const b = sorted([2, 3, 3, 4]);
    const forward = mannWhitney(a, b);
    const backward = mannWhitney(b, a);
    expect(backward.direction).toBe('new_smaller');
    expect(backward.u).toBe(16 - forward.u);
    expect(backward.p_value).toBeCloseTo(forward.p_value, 12);
  });

  it('gives p = 1 when every value is the same (no variance) and when a run is empty', () => {
    expect(mannWhitney(sorted([5, 5, 5]), sorted([5, 5])).p_value).toBe(1);
    expect(mannWhitney(sorted([5, 5, 5]), sorted([5, 5])).direction).toBe('equal');
    expect(mannWhitney(sorted([]), sorted([1, 2])).p_value).toBe(1);
  });

  it('finds a clear shift at moderate sizes', () => {
    const base = sorted(Array.from({ length: 100 }, (_, i) => i));
    const next = sorted(Array.from({ length: 100 }, (_, i) => i + 40));
    const result = mannWhitney(base, next);
    expect(result.p_value).toBeLessThan(1e-10);
    // NEW values 40..99 each beat v BASE values and tie one: Σ(v + 0.5) = 4200; 100..139 beat all 100.
    expect(result.u).toBe(4200 + 40 * 100);
  });
});
