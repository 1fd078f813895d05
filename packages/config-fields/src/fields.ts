// Leaf schemas with our own messages. Each states what is valid in words a user reads in
// a terminal ("must be a positive integer, got \"ten\""), instead of zod's type jargon.
import * as z from 'zod';
import { describeValue, type IssuePath } from './describe-value.js';
import { closestMatch } from './did-you-mean.js';

/** The parts of a zod issue our messages need. */
interface IssueInput {
  readonly input?: unknown;
  readonly path?: IssuePath | undefined;
}

/** Message for a value that is missing or is not `what`. */
export function expectationMessage(what: string, input: unknown, path: IssuePath): string {
  if (input === undefined) return `is required (${what})`;
  return `must be ${what}, got ${describeValue(input, path)}`;
}

/** A zod `error` option that reports `what` was expected. */
export function expecting(what: string): { error: (issue: IssueInput) => string } {
  return { error: (issue) => expectationMessage(what, issue.input, issue.path ?? []) };
}

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

// `${VAR}` substitution always yields strings, so numeric and boolean fields accept their
// string spelling; anything else is still reported with the value the user wrote.
function fromNumericString(value: unknown): unknown {
  return typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
}

function fromBooleanString(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** An integer > 0. */
export function positiveInt(what = 'a positive integer') {
  const e = expecting(what);
  return z.preprocess(fromNumericString, z.number(e).int(e).positive(e));
}

/** An integer >= 0. */
export function nonNegativeInt(what = 'an integer >= 0') {
  const e = expecting(what);
  return z.preprocess(fromNumericString, z.number(e).int(e).nonnegative(e));
}

/** A finite number >= 0. */
export function nonNegativeNumber(what = 'a number >= 0') {
  const e = expecting(what);
  return z.preprocess(fromNumericString, z.number(e).nonnegative(e));
}

/** A finite number > 0. */
export function positiveNumber(what = 'a number > 0') {
  const e = expecting(what);
  return z.preprocess(fromNumericString, z.number(e).positive(e));
}

/** A finite number in [min, max]. */
export function numberBetween(min: number, max: number) {
  const e = expecting(`a number between ${min} and ${max}`);
  return z.preprocess(fromNumericString, z.number(e).min(min, e).max(max, e));
}

const DURATION = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h)?\s*$/;
const MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration in milliseconds, parsed from a number of seconds or a string with a unit
 * (`500ms`, `30s`, `1.5m`, `2h`; a bare number is seconds). Undefined when `text` is not one.
 */
export function parseDurationMs(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * MS_PER_UNIT[match[2] ?? 's']!;
}

/**
 * A duration > 0 in seconds, written as a number of seconds or a string with a unit
 * (`500ms`, `30s`, `1.5m`, `2h`). Seconds in and out, so a validated value validates again
 * to itself.
 */
export function durationSeconds(
  what = 'a duration such as 500ms, 30s, 2m or 1h (a bare number is seconds)',
) {
  const e = expecting(what);
  return z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    const ms = parseDurationMs(value);
    return ms === undefined ? value : ms / 1000;
  }, z.number(e).positive(e));
}

/** true or false. */
export function flag() {
  return z.preprocess(fromBooleanString, z.boolean(expecting('true or false')));
}

/** A non-empty string. */
export function text(what = 'a non-empty string') {
  const e = expecting(what);
  return z.string(e).min(1, e);
}

/** One of a fixed set of strings, with a suggestion for near misses. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const what = `one of ${values.join(' | ')}`;
  return z.enum(values, {
    error: (issue: IssueInput) => {
      const base = expectationMessage(what, issue.input, issue.path ?? []);
      if (typeof issue.input !== 'string') return base;
      const guess = closestMatch(issue.input, values);
      return guess === undefined ? base : `${base} (did you mean "${guess}"?)`;
    },
  });
}

/**
 * An absolute http:// or https:// URL. `whenMissing` replaces the message for an absent
 * value (say why this field is needed here).
 */
export function httpUrl(whenMissing?: string) {
  const what = 'an http:// or https:// URL such as http://localhost:8000/v1';
  const e = {
    error: (issue: IssueInput) =>
      issue.input === undefined && whenMissing !== undefined
        ? whenMissing
        : expectationMessage(what, issue.input, issue.path ?? []),
  };
  return z.string(e).refine((value) => {
    if (!URL.canParse(value)) return false;
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  }, e);
}

/** The name (not the value) of an environment variable. */
export function envVarName() {
  const e = expecting(
    'the name of an environment variable such as VLLM_API_KEY (not the key itself)',
  );
  return z.string(e).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, e);
}

/** A list of `item`, optionally with at least one entry. */
export function listOf<T extends z.ZodType>(item: T, what: string, nonEmpty = false) {
  const e = expecting(what);
  const list = z.array(item, e);
  return nonEmpty ? list.min(1, e) : list;
}

/** An object with free-form keys and `value` values. */
export function mapOf<T extends z.ZodType>(value: T, what: string) {
  return z.record(z.string(), value, expecting(what));
}

/**
 * An object that rejects unknown keys, one issue per key at the key's own path, with a
 * suggestion when the key is a near miss of a known one.
 */
export function strictObject<S extends z.ZodRawShape>(shape: S, what: string) {
  const known = Object.keys(shape);
  return z.looseObject(shape, expecting(what)).superRefine(
    (value, ctx) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      for (const key of Object.keys(value)) {
        if (Object.hasOwn(shape, key)) continue;
        ctx.addIssue({ code: 'custom', path: [key], message: unknownKeyMessage(key, known) });
      }
    },
    // Report unknown keys together with every other problem, not only once the rest is valid.
    { when: () => true },
  );
}

/** The message for a key that is not one of `known`, with a suggestion for a near miss. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = closestMatch(key, known);
  return guess === undefined
    ? `unknown key; valid keys here: ${known.join(', ')}`
    : `unknown key, did you mean "${guess}"?`;
}

/** Treats an explicit null (a YAML section left empty) as an absent value. */
export function nullAsAbsent(value: unknown): unknown {
  return value === null ? undefined : value;
}
