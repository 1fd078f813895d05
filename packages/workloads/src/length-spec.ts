// How many tokens (or turns) to draw per request. One grammar serves the config file and the
// command line: `512` fixed, `512±128` (or `512+-128`) normal, `256..768` uniform, or the
// object form `{distribution: fixed|uniform|normal, ...}`, which is also what a parsed spec
// is, so a parsed config validates again to itself.
import { nonNegativeNumber, positiveInt } from '@llm-lens/config-fields';
import {
  type DistributionSpecKind,
  distributionObjectSchemas,
  distributionSpecSchema,
  type RangeProblem,
} from './distribution-spec.js';
import type { SeededRandom } from './seeded-random.js';
import { parseOrThrow } from './zod-issues.js';

/** A distribution of whole numbers ≥ 1: a token length or a turn count. */
export type LengthSpec =
  | { distribution: 'fixed'; value: number }
  | { distribution: 'uniform'; min: number; max: number }
  | {
      distribution: 'normal';
      mean: number;
      sd: number;
      /** Draws below this are redrawn; default 1. */
      min?: number;
      /** Draws above this are redrawn; default {@link MAX_LENGTH}. */
      max?: number;
    };

/** The largest length a spec may produce (a million tokens). */
export const MAX_LENGTH = 1_000_000;

const GRAMMAR = '512 (fixed), 512±128 or 512+-128 (normal, sd 128), 256..768 (uniform)';

const FIXED = /^\s*(\d+)\s*$/;
const NORMAL = /^\s*(\d+(?:\.\d+)?)\s*(?:±|\+-|\+\/-)\s*(\d+(?:\.\d+)?)\s*$/;
const UNIFORM = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/;

const length = () => positiveInt(`a whole number from 1 to ${MAX_LENGTH.toLocaleString('en-US')}`);

const objectSchemas = distributionObjectSchemas({
  fixed: { value: length() },
  uniform: { min: length(), max: length() },
  normal: {
    mean: nonNegativeNumber(`a number from 1 to ${MAX_LENGTH}`),
    sd: nonNegativeNumber(),
    min: length().optional(),
    max: length().optional(),
  },
});

/** Which key of `spec` is out of range, and the rule it breaks; undefined when usable. */
function rangeProblem(spec: LengthSpec): RangeProblem | undefined {
  const limit = `at most ${MAX_LENGTH.toLocaleString('en-US')}`;
  switch (spec.distribution) {
    case 'fixed':
      return spec.value > MAX_LENGTH ? { key: 'value', rule: limit, got: spec.value } : undefined;
    case 'uniform':
      if (spec.max > MAX_LENGTH) return { key: 'max', rule: limit, got: spec.max };
      return spec.min > spec.max
        ? { key: 'min', rule: `at most max (${spec.max})`, got: spec.min }
        : undefined;
    case 'normal': {
      const min = spec.min ?? 1;
      const max = spec.max ?? MAX_LENGTH;
      if (spec.mean < 1 || spec.mean > MAX_LENGTH)
        return {
          key: 'mean',
          rule: `from 1 to ${MAX_LENGTH.toLocaleString('en-US')}`,
          got: spec.mean,
        };
      if (max > MAX_LENGTH) return { key: 'max', rule: limit, got: max };
      if (min > max) return { key: 'min', rule: `at most max (${max})`, got: min };
      // Redrawing until a value lands in [min, max] must end: keep the mean within reach.
      if (spec.mean + 3 * spec.sd < min || spec.mean - 3 * spec.sd > max)
        return { key: 'mean', rule: `within 3 sd of min..max (${min}..${max})`, got: spec.mean };
      return undefined;
    }
  }
}

function fromText(text: string): LengthSpec | undefined {
  const fixed = FIXED.exec(text);
  if (fixed !== null) return { distribution: 'fixed', value: Number(fixed[1]) };
  const normal = NORMAL.exec(text);
  if (normal !== null)
    return { distribution: 'normal', mean: Number(normal[1]), sd: Number(normal[2]) };
  const uniform = UNIFORM.exec(text);
  if (uniform !== null)
    return { distribution: 'uniform', min: Number(uniform[1]), max: Number(uniform[2]) };
  return undefined;
}

const lengthKind: DistributionSpecKind<LengthSpec> = {
  objectSchemas,
  fromNumber: (value) =>
    Number.isInteger(value) && value >= 1 ? { distribution: 'fixed', value } : undefined,
  fromText,
  rangeProblem,
};

/**
 * A zod schema of a length spec: a whole number, a spec string or the object form; its
 * output is always the object form. `noun` names the value in messages ("a token length").
 */
export function lengthSpecSchema(noun = 'a token length') {
  return distributionSpecSchema(
    lengthKind,
    `${noun}: ${GRAMMAR}, or {distribution: fixed|uniform|normal, ...}`,
  );
}

/**
 * Parses a length spec from a flag or a config value; throws LENS_WORKLOAD_INVALID naming
 * `field` (e.g. `--input-tokens`) and the valid forms.
 */
export function parseLengthSpec(value: unknown, field: string, noun?: string): LengthSpec {
  return parseOrThrow(lengthSpecSchema(noun), value, field);
}

// A normal draw outside [min, max] is redrawn (a truncated normal); after this many misses
// the value is clamped, which the range check above makes vanishingly rare.
const MAX_REDRAWS = 64;

/** One draw from `spec`, a whole number within the spec's bounds. */
export function drawLength(spec: LengthSpec, random: SeededRandom): number {
  switch (spec.distribution) {
    case 'fixed':
      return spec.value;
    case 'uniform':
      return random.int(spec.min, spec.max);
    case 'normal': {
      const min = spec.min ?? 1;
      const max = spec.max ?? MAX_LENGTH;
      let value = Math.round(random.normal(spec.mean, spec.sd));
      for (let i = 0; i < MAX_REDRAWS && (value < min || value > max); i++) {
        value = Math.round(random.normal(spec.mean, spec.sd));
      }
      return Math.min(max, Math.max(min, value));
    }
  }
}

/** The spec as its shortest string form (`512`, `512±128`, `256..768`, `512±128 in 1..600`). */
export function describeLengthSpec(spec: LengthSpec): string {
  switch (spec.distribution) {
    case 'fixed':
      return String(spec.value);
    case 'uniform':
      return `${spec.min}..${spec.max}`;
    case 'normal': {
      const base = `${spec.mean}±${spec.sd}`;
      return spec.min === undefined && spec.max === undefined
        ? base
        : `${base} in ${spec.min ?? 1}..${spec.max ?? MAX_LENGTH}`;
    }
  }
}

/** The largest value `spec` can produce. */
export function maxOfLengthSpec(spec: LengthSpec): number {
  switch (spec.distribution) {
    case 'fixed':
      return spec.value;
    case 'uniform':
      return spec.max;
    case 'normal':
      return spec.max ?? MAX_LENGTH;
  }
}
