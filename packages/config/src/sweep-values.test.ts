import { describe, expect, it } from 'vitest';
import { extensions } from '../test/extensions.js';
import { applyOverrides } from './cli-overrides.js';
import { LensConfigError } from './config-error.js';
import { parseConfig } from './load-config.js';
import { parseSweepValues } from './sweep-values.js';

describe('parseSweepValues', () => {
  it('reads lists, stepped ranges and doubling ranges', () => {
    expect(parseSweepValues('1,2,4,8')).toEqual({ values: [1, 2, 4, 8] });
    expect(parseSweepValues([1, 2, '4'])).toEqual({ values: [1, 2, 4] });
    expect(parseSweepValues('1..20:step=2')).toEqual({
      values: [1, 3, 5, 7, 9, 11, 13, 15, 17, 19],
    });
    expect(parseSweepValues('2..10')).toEqual({ values: [2, 3, 4, 5, 6, 7, 8, 9, 10] });
    expect(parseSweepValues('1..64:x2')).toEqual({ values: [1, 2, 4, 8, 16, 32, 64] });
    expect(parseSweepValues('0.5..2:step=0.5')).toEqual({ values: [0.5, 1, 1.5, 2] });
  });

  it('says what is wrong with levels it cannot use', () => {
    expect(parseSweepValues('4,2')).toEqual({
      error:
        'a list of numbers > 0 in ascending order (1,2,4,8 or [1, 2, 4, 8]) or a range (1..20:step=2, or 1..64:x2 to double); 2 does not come after 4',
    });
    expect(parseSweepValues('1..1000000')).toEqual({
      error: 'at most 100 levels (got more); use a larger step',
    });
    expect(parseSweepValues('1..8:x1')).toEqual({
      error: 'a doubling range needs a factor > 1 (1..64:x2)',
    });
    expect(parseSweepValues('fast')).toHaveProperty('error');
  });
});

describe('sweep in a config and from --sweep', () => {
  const base = (sweep: unknown) =>
    parseConfig(
      { providers: [{ type: 'mock', models: ['m'] }], scenarios: [{ prompt: 'hi', sweep }] },
      { env: {}, extensions },
    );

  it('keeps the levels of one parameter and the knee thresholds', () => {
    expect(base({ concurrency: '1..8:x2', ttft_p95_ms: 900 }).scenarios[0]!.sweep).toEqual({
      concurrency: [1, 2, 4, 8],
      ttft_p95_ms: 900,
    });
    expect(
      applyOverrides(undefined, { sweep: 'rate=1..5:step=2' }, { extensions }).scenarios[0]!.sweep,
    ).toEqual({ rate: [1, 3, 5] });
  });

  it('rejects a sweep of both parameters, of neither, or of fractional concurrency', () => {
    const issues = (sweep: unknown) => {
      try {
        base(sweep);
      } catch (error) {
        if (error instanceof LensConfigError)
          return (error.issues ?? []).map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    expect(issues({ concurrency: [1, 2], rate: [1, 2] })).toEqual([
      'scenarios[0].sweep.rate: cannot sweep concurrency and rate at once; sweep one, with the other fixed in the scenario',
    ]);
    expect(issues({ min_gain: 0.2 })).toEqual([
      'scenarios[0].sweep: needs the levels of exactly one of concurrency or rate (e.g. concurrency: 1,2,4,8)',
    ]);
    expect(issues({ concurrency: [1, 2.5] })).toEqual([
      'scenarios[0].sweep.concurrency: must be whole numbers of requests in flight, got 2.5',
    ]);
  });

  it('names --sweep when the flag is malformed', () => {
    expect(() => applyOverrides(undefined, { sweep: 'users=1,2' }, { extensions })).toThrow(
      '--sweep: must be concurrency=LEVELS or rate=LEVELS (e.g. concurrency=1,2,4,8 or rate=1..20:step=2), got "users=1,2"',
    );
    expect(() => applyOverrides(undefined, { sweep: 'concurrency=8,4' }, { extensions })).toThrow(
      '--sweep: must be a list of numbers > 0 in ascending order',
    );
  });
});
