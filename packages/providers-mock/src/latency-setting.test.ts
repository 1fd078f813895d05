import { describe, expect, it } from 'vitest';
import { parseDistribution } from './latency-setting.js';

const at = ['ttft_ms'];

describe('parseDistribution', () => {
  it('reads a plain number (or numeric string) as a fixed value in ms', () => {
    expect(parseDistribution(150, at)).toEqual({
      ok: true,
      value: { distribution: 'fixed', value_ms: 150 },
    });
    expect(parseDistribution('12.5', at)).toEqual({
      ok: true,
      value: { distribution: 'fixed', value_ms: 12.5 },
    });
  });

  it('reads the normal and lognormal string spellings', () => {
    expect(parseDistribution('normal:200,20', at)).toEqual({
      ok: true,
      value: { distribution: 'normal', mean_ms: 200, stdev_ms: 20 },
    });
    expect(parseDistribution(' lognormal: 200 , 0.3 ', at)).toEqual({
      ok: true,
      value: { distribution: 'lognormal', median_ms: 200, sigma: 0.3 },
    });
  });

  it('reads the object spellings, which are also what it produces', () => {
    for (const value of [
      { distribution: 'normal', mean_ms: 200, stdev_ms: 20 },
      { distribution: 'lognormal', median_ms: 200, sigma: 0.3 },
      { distribution: 'fixed', value_ms: 40 },
    ]) {
      expect(parseDistribution(value, at)).toEqual({ ok: true, value });
    }
  });

  it('names the unknown distribution and suggests the near miss', () => {
    expect(parseDistribution('lognorml:200,0.3', at)).toEqual({
      ok: false,
      path: [],
      message:
        'must be a number of ms, "normal:<mean_ms>,<stdev_ms>", "lognormal:<median_ms>,<sigma>" or an object {distribution: fixed|normal|lognormal, ...}, got "lognorml:200,0.3" (did you mean "lognormal"?)',
    });
  });

  it('says how many numbers a spelling needs', () => {
    expect(parseDistribution('normal:200', at)).toEqual({
      ok: false,
      path: [],
      message: 'must be "normal:<mean_ms>,<stdev_ms>" with two numbers, got "normal:200"',
    });
  });

  it('rejects negative spreads and a zero lognormal median', () => {
    expect(parseDistribution('normal:200,-5', at)).toMatchObject({
      ok: false,
      message: 'stdev_ms must be >= 0, got -5 in "normal:200,-5"',
    });
    expect(parseDistribution({ distribution: 'lognormal', median_ms: 0, sigma: 1 }, at)).toEqual({
      ok: false,
      path: ['median_ms'],
      message: 'must be > 0, got 0',
    });
    expect(parseDistribution(-1, at)).toMatchObject({
      ok: false,
      message: 'must be a number of ms >= 0, got -1',
    });
  });

  it('points into the object form at the missing or unknown field', () => {
    expect(parseDistribution({ distribution: 'normal', mean_ms: 200 }, at)).toEqual({
      ok: false,
      path: ['stdev_ms'],
      message: 'is required (a number) for a normal distribution',
    });
    expect(parseDistribution({ distribution: 'normal', mean_ms: 1, stdev: 2 }, at)).toEqual({
      ok: false,
      path: ['stdev'],
      message: 'unknown key, did you mean "stdev_ms"?',
    });
    expect(parseDistribution({ mean_ms: 1 }, at)).toEqual({
      ok: false,
      path: ['distribution'],
      message: 'is required (one of fixed | normal | lognormal)',
    });
  });
});
