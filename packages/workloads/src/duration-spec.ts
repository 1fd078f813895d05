// Think time between the turns of a conversation: `2s` fixed, `1s..5s` uniform, `2s±500ms`
// normal, or the object form `{distribution, value_ms | min_ms, max_ms | mean_ms, sd_ms}`,
// which is also what a parsed spec is. Units are ms, s, m and h; a number without a unit is
// seconds, as in every other duration of llm-latency-lens.
import { nonNegativeNumber } from '@llm-lens/config-fields';
import {
  type DistributionSpecKind,
  distributionObjectSchemas,
  distributionSpecSchema,
} from './distribution-spec.js';
import type { SeededRandom } from './seeded-random.js';
import { parseOrThrow } from './zod-issues.js';

/** A distribution of durations ≥ 0, in milliseconds. */
export type DurationSpec =
  | { distribution: 'fixed'; value_ms: number }
  | { distribution: 'uniform'; min_ms: number; max_ms: number }
  | { distribution: 'normal'; mean_ms: number; sd_ms: number };

/** The longest duration a spec may hold: one day. */
export const MAX_DURATION_MS = 86_400_000;

const GRAMMAR = '2s or 500ms (fixed), 1s..5s (uniform), 2s±500ms or 2s+-500ms (normal)';
const MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const AMOUNT = String.raw`(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?`;
const SINGLE = new RegExp(String.raw`^\s*${AMOUNT}\s*$`);
const RANGE = new RegExp(String.raw`^\s*${AMOUNT}\s*\.\.\s*${AMOUNT}\s*$`);
const SPREAD = new RegExp(String.raw`^\s*${AMOUNT}\s*(?:±|\+-|\+/-)\s*${AMOUNT}\s*$`);

// In `1..5s` or `2±0.5s` the unit written once, on the right, applies to both sides.
function toMs(amount: string, unit: string | undefined, otherUnit?: string): number {
  return Number(amount) * MS_PER_UNIT[unit ?? otherUnit ?? 's']!;
}

/** The two amounts of a RANGE or SPREAD match, in milliseconds. */
function pairMs(match: RegExpExecArray): [number, number] {
  return [toMs(match[1]!, match[2], match[4]), toMs(match[3]!, match[4])];
}

function fromText(text: string): DurationSpec | undefined {
  const single = SINGLE.exec(text);
  if (single !== null) return { distribution: 'fixed', value_ms: toMs(single[1]!, single[2]) };
  const range = RANGE.exec(text);
  if (range !== null) {
    const [min_ms, max_ms] = pairMs(range);
    return { distribution: 'uniform', min_ms, max_ms };
  }
  const spread = SPREAD.exec(text);
  if (spread !== null) {
    const [mean_ms, sd_ms] = pairMs(spread);
    return { distribution: 'normal', mean_ms, sd_ms };
  }
  return undefined;
}

const ms = () => nonNegativeNumber('a number of milliseconds ≥ 0');

const durationKind: DistributionSpecKind<DurationSpec> = {
  objectSchemas: distributionObjectSchemas({
    fixed: { value_ms: ms() },
    uniform: { min_ms: ms(), max_ms: ms() },
    normal: { mean_ms: ms(), sd_ms: ms() },
  }),
  fromNumber: (seconds) =>
    Number.isFinite(seconds) && seconds >= 0
      ? { distribution: 'fixed', value_ms: seconds * 1000 }
      : undefined,
  fromText,
  rangeProblem(spec) {
    const limit = `at most ${MAX_DURATION_MS} (one day)`;
    switch (spec.distribution) {
      case 'fixed':
        return spec.value_ms > MAX_DURATION_MS
          ? { key: 'value_ms', rule: limit, got: spec.value_ms }
          : undefined;
      case 'uniform':
        if (spec.max_ms > MAX_DURATION_MS) return { key: 'max_ms', rule: limit, got: spec.max_ms };
        return spec.min_ms > spec.max_ms
          ? { key: 'min_ms', rule: `at most max_ms (${spec.max_ms})`, got: spec.min_ms }
          : undefined;
      case 'normal':
        return spec.mean_ms > MAX_DURATION_MS
          ? { key: 'mean_ms', rule: limit, got: spec.mean_ms }
          : undefined;
    }
  },
};

/**
 * A zod schema of a duration spec: a number of seconds, a spec string or the object form;
 * its output is always the object form, in milliseconds.
 */
export function durationSpecSchema(noun = 'a think time') {
  return distributionSpecSchema(durationKind, `${noun}: ${GRAMMAR}; a bare number is seconds`);
}

/** Parses a duration spec from a flag or config value; throws LENS_WORKLOAD_INVALID naming `field`. */
export function parseDurationSpec(value: unknown, field: string, noun?: string): DurationSpec {
  return parseOrThrow(durationSpecSchema(noun), value, field);
}

/** One draw from `spec`, in whole milliseconds ≥ 0 (a normal draw below 0 is redrawn, then clamped). */
export function drawDurationMs(spec: DurationSpec, random: SeededRandom): number {
  switch (spec.distribution) {
    case 'fixed':
      return Math.round(spec.value_ms);
    case 'uniform':
      return Math.round(spec.min_ms + random.float() * (spec.max_ms - spec.min_ms));
    case 'normal': {
      let value = random.normal(spec.mean_ms, spec.sd_ms);
      for (let i = 0; i < 64 && value < 0; i++) value = random.normal(spec.mean_ms, spec.sd_ms);
      return Math.round(Math.min(MAX_DURATION_MS, Math.max(0, value)));
    }
  }
}

function formatMs(value: number): string {
  return value >= 1000 && value % 100 === 0 ? `${value / 1000}s` : `${value}ms`;
}

/** The spec in its string form (`2s`, `1s..5s`, `2s±500ms`). */
export function describeDurationSpec(spec: DurationSpec): string {
  switch (spec.distribution) {
    case 'fixed':
      return formatMs(spec.value_ms);
    case 'uniform':
      return `${formatMs(spec.min_ms)}..${formatMs(spec.max_ms)}`;
    case 'normal':
      return `${formatMs(spec.mean_ms)}±${formatMs(spec.sd_ms)}`;
  }
}
