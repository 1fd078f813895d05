// The load levels of a sweep, written as a list or a range: `1,2,4,8`, `1..20:step=2`,
// `1..64:x2` (doubling). Parsed here so a config file and `--sweep` read them the same way.

/** At most this many levels: a sweep is a series of runs, each with its own warm-up. */
export const MAX_SWEEP_LEVELS = 100;

const RANGE =
  /^\s*(\d+(?:\.\d+)?)\s*\.\.\s*(\d+(?:\.\d+)?)\s*(?::\s*(?:step\s*=\s*(\d+(?:\.\d+)?)|x\s*(\d+(?:\.\d+)?)))?\s*$/;
const NUMBER = /^\s*\d+(?:\.\d+)?\s*$/;

/** What a sweep's levels may be written as, for messages. */
export const SWEEP_VALUES_WHAT =
  'a list of numbers > 0 in ascending order (1,2,4,8 or [1, 2, 4, 8]) or a range (1..20:step=2, or 1..64:x2 to double)';

/**
 * The levels `text` describes, ascending and > 0, or a reason it describes none. A range
 * `a..b:step=s` runs a, a+s, ... up to b; `a..b:xf` multiplies by f; `a..b` steps by 1.
 */
export function parseSweepValues(value: unknown): { values: number[] } | { error: string } {
  let values: number[];
  if (Array.isArray(value)) {
    if (!value.every((v) => typeof v === 'number' || (typeof v === 'string' && NUMBER.test(v)))) {
      return { error: SWEEP_VALUES_WHAT };
    }
    values = value.map(Number);
  } else if (typeof value === 'number') {
    values = [value];
  } else if (typeof value === 'string') {
    const range = RANGE.exec(value);
    if (range !== null) {
      const [, from, to, step, factor] = range;
      const start = Number(from);
      const end = Number(to);
      if (!(start > 0) || end < start)
        return {
          error: `${SWEEP_VALUES_WHAT}; a range runs from a number > 0 up to one at least as large`,
        };
      values = [];
      if (factor !== undefined) {
        if (!(Number(factor) > 1))
          return { error: 'a doubling range needs a factor > 1 (1..64:x2)' };
        for (
          let v = start;
          v <= end + 1e-9 && values.length <= MAX_SWEEP_LEVELS;
          v *= Number(factor)
        )
          values.push(round6(v));
      } else {
        const by = step === undefined ? 1 : Number(step);
        if (!(by > 0)) return { error: 'a range needs a step > 0 (1..20:step=2)' };
        for (let i = 0; start + i * by <= end + 1e-9 && values.length <= MAX_SWEEP_LEVELS; i++)
          values.push(round6(start + i * by));
      }
    } else if (value.split(',').every((part) => NUMBER.test(part))) {
      values = value.split(',').map(Number);
    } else {
      return { error: SWEEP_VALUES_WHAT };
    }
  } else {
    return { error: SWEEP_VALUES_WHAT };
  }
  if (values.length === 0) return { error: SWEEP_VALUES_WHAT };
  if (values.length > MAX_SWEEP_LEVELS) {
    return { error: `at most ${MAX_SWEEP_LEVELS} levels (got more); use a larger step` };
  }
  if (values.some((v) => !(v > 0)))
    return { error: `${SWEEP_VALUES_WHAT}; every level must be > 0` };
  for (let i = 1; i < values.length; i++) {
    if (values[i]! <= values[i - 1]!) {
      return { error: `${SWEEP_VALUES_WHAT}; ${values[i]} does not come after ${values[i - 1]}` };
    }
  }
  return { values };
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
