import { describe, expect, it } from 'vitest';
import { nonNumericFlagProblems } from './number-flags.js';

describe('nonNumericFlagProblems', () => {
  it('quotes what was typed for each number flag that yargs turned into NaN', () => {
    const parsed = {
      concurrency: Number.NaN,
      C: Number.NaN,
      requests: Number.NaN,
      n: Number.NaN,
      warmup: 2,
    };
    expect(
      nonNumericFlagProblems(['benchmark', '-C', 'ten', '--requests=1e', '--warmup', '2'], parsed),
    ).toEqual(['-C: must be a number, got "ten"', '--requests: must be a number, got "1e"']);
  });

  it('finds nothing when every number parsed, and stops at --', () => {
    expect(nonNumericFlagProblems(['--concurrency', '4'], { concurrency: 4 })).toEqual([]);
    expect(
      nonNumericFlagProblems(['--', '--concurrency', 'x'], { concurrency: Number.NaN }),
    ).toEqual([]);
  });

  it('reports a number flag given no value at all as an empty text', () => {
    expect(nonNumericFlagProblems(['--timeout'], { timeout: Number.NaN })).toEqual([
      '--timeout: must be a number, got ""',
    ]);
  });
});
