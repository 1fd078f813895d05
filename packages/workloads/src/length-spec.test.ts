import { describe, expect, it } from 'vitest';
import {
  describeLengthSpec,
  drawLength,
  type LengthSpec,
  MAX_LENGTH,
  parseLengthSpec,
} from './length-spec.js';
import { SeededRandom } from './seeded-random.js';
import { WorkloadError } from './workload-error.js';

function problem(value: unknown, field = '--input-tokens'): string {
  try {
    parseLengthSpec(value, field);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkloadError);
    expect((error as WorkloadError).code).toBe('LENS_WORKLOAD_INVALID');
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
}

function draws(spec: LengthSpec, count: number): number[] {
  return Array.from({ length: count }, (_, index) =>
    drawLength(spec, SeededRandom.of(11, 'test', index)),
  );
}

function meanAndSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, sd: Math.sqrt(variance) };
}

describe('parseLengthSpec', () => {
  it.each([
    ['512', 512],
    [128, 128],
  ])('reads %j as fixed %d', (value, length) => {
    expect(parseLengthSpec(value, 'x')).toEqual({ distribution: 'fixed', value: length });
  });

  it.each([
    ['512±128', 512, 128],
    [' 512 +- 128 ', 512, 128],
    ['100+/-12.5', 100, 12.5],
  ])('reads %j as normal, mean %d and sd %d', (text, mean, sd) => {
    expect(parseLengthSpec(text, 'x')).toEqual({ distribution: 'normal', mean, sd });
  });

  it('reads the uniform string form', () => {
    expect(parseLengthSpec('256..768', 'x')).toEqual({
      distribution: 'uniform',
      min: 256,
      max: 768,
    });
  });

  it('reads the object form, which is also what it returns', () => {
    const spec = parseLengthSpec({ distribution: 'normal', mean: 300, sd: 50, max: 400 }, 'x');
    expect(spec).toEqual({ distribution: 'normal', mean: 300, sd: 50, max: 400 });
    expect(parseLengthSpec(spec, 'x')).toEqual(spec);
    expect(parseLengthSpec({ distribution: 'uniform', min: 1, max: 2 }, 'x')).toEqual({
      distribution: 'uniform',
      min: 1,
      max: 2,
    });
  });

  it('names the field, what was given and the valid forms', () => {
    expect(problem('lots')).toBe(
      '--input-tokens: must be a token length: 512 (fixed), 512±128 or 512+-128 (normal, sd 128), 256..768 (uniform), or {distribution: fixed|uniform|normal, ...}, got "lots"',
    );
    expect(problem(0)).toContain('got 0');
    expect(problem(12.5)).toContain('got 12.5');
    expect(problem('768..256')).toContain('got "768..256" (its min must be at most max (256))');
    expect(problem('2000000')).toContain('(its value must be at most 1,000,000)');
  });

  it('reports object-form problems at their keys', () => {
    expect(problem({ distribution: 'gaussian', mean: 5 }, 'prompts.input_tokens')).toBe(
      'prompts.input_tokens.distribution: must be one of fixed | uniform | normal, got "gaussian"',
    );
    expect(problem({ distribution: 'uniform', min: 5 }, 'prompts.input_tokens')).toBe(
      'prompts.input_tokens.max: is required (a whole number from 1 to 1,000,000)',
    );
    expect(problem({ distribution: 'fixed', value: 3, sd: 1 }, 'f')).toBe(
      'f.sd: unknown key; valid keys here: distribution, value',
    );
    expect(problem({ distribution: 'normal', mean: 10, sd: 1, min: 100 }, 'f')).toBe(
      'f.mean: must be within 3 sd of min..max (100..1000000), got 10',
    );
  });
});

describe('drawLength', () => {
  it('returns a fixed value every time', () => {
    expect(new Set(draws({ distribution: 'fixed', value: 64 }, 100))).toEqual(new Set([64]));
  });

  it('draws uniform integers covering both bounds and nothing outside', () => {
    const values = draws({ distribution: 'uniform', min: 10, max: 20 }, 5_000);
    expect(Math.min(...values)).toBe(10);
    expect(Math.max(...values)).toBe(20);
    expect(values.every(Number.isInteger)).toBe(true);
    expect(new Set(values).size).toBe(11);
    expect(meanAndSd(values).mean).toBeCloseTo(15, 0);
  });

  it('draws a normal with the written mean and standard deviation', () => {
    const values = draws({ distribution: 'normal', mean: 512, sd: 128 }, 20_000);
    const { mean, sd } = meanAndSd(values);
    expect(Math.abs(mean - 512)).toBeLessThan(4); // standard error ≈ 0.9
    expect(Math.abs(sd - 128)).toBeLessThan(4);
    expect(values.every((value) => Number.isInteger(value) && value >= 1)).toBe(true);
  });

  it('redraws a normal outside its bounds (truncated to ≥ 1 by default)', () => {
    const wide = draws({ distribution: 'normal', mean: 5, sd: 10 }, 5_000);
    expect(Math.min(...wide)).toBe(1);
    const bounded = draws({ distribution: 'normal', mean: 100, sd: 50, min: 80, max: 120 }, 5_000);
    expect(Math.min(...bounded)).toBe(80);
    expect(Math.max(...bounded)).toBe(120);
    // Redrawn, not clamped: the bounds get no pile-up of their own.
    expect(bounded.filter((value) => value === 80).length).toBeLessThan((5_000 / 41) * 2);
  });

  it('caps every spec at MAX_LENGTH', () => {
    expect(() => parseLengthSpec(MAX_LENGTH + 1, 'x')).toThrow(WorkloadError);
    expect(parseLengthSpec(MAX_LENGTH, 'x')).toEqual({ distribution: 'fixed', value: MAX_LENGTH });
  });
});

describe('describeLengthSpec', () => {
  it('prints the shortest string form, which parses back to the same spec', () => {
    for (const text of ['512', '512±128', '256..768']) {
      const spec = parseLengthSpec(text, 'x');
      expect(describeLengthSpec(spec)).toBe(text);
    }
    expect(describeLengthSpec({ distribution: 'normal', mean: 10, sd: 2, max: 12 })).toBe(
      '10±2 in 1..12',
    );
  });
});
