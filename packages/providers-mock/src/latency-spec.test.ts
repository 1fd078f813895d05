import { describe, expect, it } from 'vitest';
import {
  meanLatencyMs,
  parseLatencySpec,
  sampleLatencyMs,
  sampleLatencyNs,
  validateLatencySpec,
} from './latency-spec.js';
import { SeededRandom } from './seeded-random.js';
import { LensSimulatorError } from './simulator-error.js';

function stats(samples: number[]): { mean: number; stdev: number; median: number } {
  const n = samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  const stdev = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const sorted = [...samples].sort((a, b) => a - b);
  return { mean, stdev, median: sorted[Math.floor(n / 2)]! };
}

describe('parseLatencySpec', () => {
  it('reads a bare number as a fixed latency in ms', () => {
    expect(parseLatencySpec('200')).toEqual({ distribution: 'fixed', ms: 200 });
    expect(parseLatencySpec(' 12.5 ')).toEqual({ distribution: 'fixed', ms: 12.5 });
  });

  it('reads fixed, normal and lognormal forms', () => {
    expect(parseLatencySpec('fixed:80')).toEqual({ distribution: 'fixed', ms: 80 });
    expect(parseLatencySpec('normal:200,20')).toEqual({
      distribution: 'normal',
      meanMs: 200,
      stdevMs: 20,
    });
    expect(parseLatencySpec('lognormal:200,0.3')).toEqual({
      distribution: 'lognormal',
      medianMs: 200,
      sigma: 0.3,
    });
    expect(parseLatencySpec('Normal: 50 , 5')).toEqual({
      distribution: 'normal',
      meanMs: 50,
      stdevMs: 5,
    });
  });

  const FORMS =
    'must be a number of ms, "normal:<mean_ms>,<stdev_ms>", "lognormal:<median_ms>,<sigma>"';
  it.each([
    ['', FORMS],
    ['abc', FORMS],
    ['-5', 'must be a number of ms >= 0, got "-5"'],
    ['0x10', FORMS],
    ['normal:200', 'must be "normal:<mean_ms>,<stdev_ms>" with two numbers'],
    ['normal:200,20,3', 'must be "normal:<mean_ms>,<stdev_ms>" with two numbers'],
    ['lognormal:0,0.3', 'median_ms must be > 0'],
    ['gamma:1,2', FORMS],
    ['200,20', FORMS],
  ])(
    'rejects %j with a message that says why and what is valid (the config file reader)',
    (text, why) => {
      let error: unknown;
      try {
        parseLatencySpec(text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(LensSimulatorError);
      const simulatorError = error as LensSimulatorError;
      expect(simulatorError.code).toBe('LENS_SIMULATOR_LATENCY_SPEC_INVALID');
      expect(simulatorError.message).toContain(`invalid latency ${JSON.stringify(text)}: `);
      expect(simulatorError.message).toContain(why);
    },
  );
});

describe('validateLatencySpec', () => {
  it('accepts every valid shape unchanged', () => {
    expect(validateLatencySpec(0, 'ttftMs')).toBe(0);
    expect(validateLatencySpec({ distribution: 'normal', meanMs: 5, stdevMs: 1 }, 'itlMs')).toEqual(
      {
        distribution: 'normal',
        meanMs: 5,
        stdevMs: 1,
      },
    );
  });

  it('names the option in its error', () => {
    expect(() => validateLatencySpec(-1, 'itlMs')).toThrow(/option itlMs: expected a non-negative/);
    expect(() => validateLatencySpec({ distribution: 'normal', meanMs: 5 }, 'ttftMs')).toThrow(
      /option ttftMs: normal needs meanMs ≥ 0 and stdevMs ≥ 0/,
    );
    expect(() => validateLatencySpec({ distribution: 'weibull' }, 'ttftMs')).toThrow(
      /unknown distribution "weibull"/,
    );
  });
});

describe('sampling', () => {
  it('returns the fixed value without drawing', () => {
    const random = new SeededRandom(1);
    expect(sampleLatencyMs(150, random)).toBe(150);
    expect(sampleLatencyMs({ distribution: 'fixed', ms: 7 }, random)).toBe(7);
    expect(sampleLatencyNs(1.5, random)).toBe(1_500_000n);
  });

  it('draws normal samples with the configured mean and stdev over 10k samples', () => {
    const random = new SeededRandom(2024);
    const spec = { distribution: 'normal', meanMs: 200, stdevMs: 20 } as const;
    const { mean, stdev } = stats(
      Array.from({ length: 10_000 }, () => sampleLatencyMs(spec, random)),
    );
    expect(Math.abs(mean - 200)).toBeLessThan(1);
    expect(Math.abs(stdev - 20)).toBeLessThan(1);
  });

  it('clamps normal samples at 0', () => {
    const random = new SeededRandom(5);
    const spec = { distribution: 'normal', meanMs: 1, stdevMs: 10 } as const;
    const samples = Array.from({ length: 2000 }, () => sampleLatencyMs(spec, random));
    expect(Math.min(...samples)).toBe(0);
    expect(samples.filter((s) => s === 0).length).toBeGreaterThan(500);
  });

  it('draws lognormal samples around the median with the mean exp(σ²/2) above it', () => {
    const random = new SeededRandom(99);
    const spec = { distribution: 'lognormal', medianMs: 200, sigma: 0.3 } as const;
    const { mean, median } = stats(
      Array.from({ length: 10_000 }, () => sampleLatencyMs(spec, random)),
    );
    expect(Math.abs(median - 200)).toBeLessThan(4);
    expect(meanLatencyMs(spec)).toBeCloseTo(200 * Math.exp(0.045), 6);
    expect(Math.abs(mean - meanLatencyMs(spec))).toBeLessThan(3);
  });

  it('gives the same samples for the same seed', () => {
    const spec = { distribution: 'lognormal', medianMs: 50, sigma: 0.5 } as const;
    const a = new SeededRandom(8);
    const b = new SeededRandom(8);
    for (let i = 0; i < 20; i++) expect(sampleLatencyNs(spec, a)).toBe(sampleLatencyNs(spec, b));
  });
});
