import { describe, expect, it } from 'vitest';
import { describeDurationSpec, drawDurationMs, parseDurationSpec } from './duration-spec.js';
import { SeededRandom } from './seeded-random.js';

describe('parseDurationSpec', () => {
  it('reads units, ranges and spreads, a bare number as seconds', () => {
    expect(parseDurationSpec('2s', 'x')).toEqual({ distribution: 'fixed', value_ms: 2000 });
    expect(parseDurationSpec('500ms', 'x')).toEqual({ distribution: 'fixed', value_ms: 500 });
    expect(parseDurationSpec(1.5, 'x')).toEqual({ distribution: 'fixed', value_ms: 1500 });
    expect(parseDurationSpec('0.5m', 'x')).toEqual({ distribution: 'fixed', value_ms: 30_000 });
    expect(parseDurationSpec('1s..5s', 'x')).toEqual({
      distribution: 'uniform',
      min_ms: 1000,
      max_ms: 5000,
    });
    expect(parseDurationSpec('500ms..2s', 'x')).toEqual({
      distribution: 'uniform',
      min_ms: 500,
      max_ms: 2000,
    });
    // A unit written once, on the right, applies to both sides.
    expect(parseDurationSpec('1..5s', 'x')).toEqual({
      distribution: 'uniform',
      min_ms: 1000,
      max_ms: 5000,
    });
    expect(parseDurationSpec('2s±500ms', 'x')).toEqual({
      distribution: 'normal',
      mean_ms: 2000,
      sd_ms: 500,
    });
    expect(parseDurationSpec('3+-1s', 'x')).toEqual({
      distribution: 'normal',
      mean_ms: 3000,
      sd_ms: 1000,
    });
  });

  it('reads the object form, which is what it returns', () => {
    const spec = parseDurationSpec({ distribution: 'uniform', min_ms: 10, max_ms: 20 }, 'x');
    expect(parseDurationSpec(spec, 'x')).toEqual(spec);
  });

  it('names the field and the valid forms', () => {
    expect(() => parseDurationSpec('soon', 'conversations.think_time')).toThrow(
      'conversations.think_time: must be a think time: 2s or 500ms (fixed), 1s..5s (uniform), 2s±500ms or 2s+-500ms (normal); a bare number is seconds, got "soon"',
    );
    expect(() => parseDurationSpec('5s..1s', 'f')).toThrow(
      '(its min_ms must be at most max_ms (1000))',
    );
    expect(() => parseDurationSpec({ distribution: 'fixed', value: 3 }, 'f')).toThrow(
      'invalid f (2 problems): f.value_ms: is required (a number of milliseconds ≥ 0); f.value: unknown key, did you mean "value_ms"?',
    );
  });
});

describe('drawDurationMs', () => {
  it('draws uniform whole milliseconds within the range', () => {
    const spec = parseDurationSpec('1s..2s', 'x');
    const values = Array.from({ length: 2_000 }, (_, i) =>
      drawDurationMs(spec, SeededRandom.of(1, 't', i)),
    );
    expect(Math.min(...values)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...values)).toBeLessThanOrEqual(2000);
    expect(Math.min(...values)).toBeLessThan(1010);
    expect(Math.max(...values)).toBeGreaterThan(1990);
    expect(values.every(Number.isInteger)).toBe(true);
  });

  it('never draws a negative think time', () => {
    const spec = parseDurationSpec('100ms±1s', 'x');
    const values = Array.from({ length: 2_000 }, (_, i) =>
      drawDurationMs(spec, SeededRandom.of(1, 't', i)),
    );
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
  });

  it('prints specs back in their string form', () => {
    for (const text of ['2s', '500ms', '1s..5s', '2s±500ms']) {
      expect(describeDurationSpec(parseDurationSpec(text, 'x'))).toBe(text);
    }
  });
});
