import { describe, expect, it } from 'vitest';
import { describeDurationSpec, drawDurationMs, parseDurationSpec } from './duration-spec.js';
import { SeededRandom } from './seeded-random.js';

describe('parseDurationSpec', () => {
  it.each([
    ['2s', 2000],
    ['500ms', 500],
    [1.5, 1500],
    ['0.5m', 30_000],
  ])('reads %j as a fixed %d ms (a bare number is seconds)', (value, valueMs) => {
    expect(parseDurationSpec(value, 'x')).toEqual({ distribution: 'fixed', value_ms: valueMs });
  });

  it.each([
    ['1s..5s', 1000, 5000],
    ['500ms..2s', 500, 2000],
    // A unit written once, on the right, applies to both sides.
    ['1..5s', 1000, 5000],
  ])('reads the range %j as uniform %d..%d ms', (text, minMs, maxMs) => {
    expect(parseDurationSpec(text, 'x')).toEqual({
      distribution: 'uniform',
      min_ms: minMs,
      max_ms: maxMs,
    });
  });

  it.each([
    ['2s±500ms', 2000, 500],
    ['3+-1s', 3000, 1000],
  ])('reads the spread %j as normal, mean %d ms and sd %d ms', (text, meanMs, sdMs) => {
    expect(parseDurationSpec(text, 'x')).toEqual({
      distribution: 'normal',
      mean_ms: meanMs,
      sd_ms: sdMs,
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
