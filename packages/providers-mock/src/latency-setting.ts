// A latency setting of the simulator (`ttft_ms`, `itl_ms`, `--ttft`, `--itl`) accepts three
// spellings; all normalise to one tagged object in the config's snake_case, which
// `toLatencySpec` turns into the simulator's option.
import { closestMatch, describeValue, type IssuePath } from '@llm-lens/config-fields';
import type { LatencySpec } from './latency-spec.js';

/**
 * A latency distribution as written in a config file (or a flag), normalised from any
 * accepted spelling (`150`, `"normal:200,20"`, `{distribution: lognormal, ...}`).
 */
export type LatencySetting =
  | { distribution: 'fixed'; value_ms: number }
  | { distribution: 'normal'; mean_ms: number; stdev_ms: number }
  | { distribution: 'lognormal'; median_ms: number; sigma: number };

/** Outcome of reading one distribution: the value, or a problem at a path below the field. */
export type DistributionResult =
  | { ok: true; value: LatencySetting }
  | { ok: false; path: IssuePath; message: string };

const SPELLINGS =
  'a number of ms, "normal:<mean_ms>,<stdev_ms>", "lognormal:<median_ms>,<sigma>" or an object {distribution: fixed|normal|lognormal, ...}';

const FIELDS = {
  fixed: ['value_ms'],
  normal: ['mean_ms', 'stdev_ms'],
  lognormal: ['median_ms', 'sigma'],
} as const;

type DistributionName = keyof typeof FIELDS;
const NAMES = Object.keys(FIELDS) as DistributionName[];

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/** Reads `150`, `"normal:200,20"`, `"lognormal:200,0.3"` or the object forms; `path` is the field's own path. */
export function parseDistribution(input: unknown, path: IssuePath): DistributionResult {
  if (typeof input === 'number' || (typeof input === 'string' && NUMBER.test(input))) {
    return build('fixed', [Number(input)], [], path, input);
  }
  if (typeof input === 'string') return parseSpec(input, path);
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    return parseObject(input as Record<string, unknown>, path);
  }
  return fail([], `must be ${SPELLINGS}, got ${describeValue(input, path)}`);
}

function parseSpec(spec: string, path: IssuePath): DistributionResult {
  const colon = spec.indexOf(':');
  const name = (colon === -1 ? spec : spec.slice(0, colon)).trim().toLowerCase();
  if (!isName(name)) {
    const guess = closestMatch(name, NAMES);
    const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
    return fail([], `must be ${SPELLINGS}, got ${JSON.stringify(spec)}${hint}`);
  }
  const fields = FIELDS[name];
  const parts = colon === -1 ? [] : spec.slice(colon + 1).split(',');
  const usage = `"${name}:${fields.map((f) => `<${f}>`).join(',')}"`;
  if (parts.length !== fields.length || parts.some((part) => !NUMBER.test(part))) {
    return fail(
      [],
      `must be ${usage} with ${fields.length === 1 ? 'one number' : 'two numbers'}, got ${JSON.stringify(spec)}`,
    );
  }
  return build(name, parts.map(Number), [], path, spec);
}

function parseObject(input: Record<string, unknown>, path: IssuePath): DistributionResult {
  const name = input.distribution;
  if (typeof name !== 'string' || !isName(name)) {
    const what = `one of ${NAMES.join(' | ')}`;
    if (name === undefined) return fail(['distribution'], `is required (${what})`);
    const guess = typeof name === 'string' ? closestMatch(name, NAMES) : undefined;
    const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
    return fail(
      ['distribution'],
      `must be ${what}, got ${describeValue(name, [...path, 'distribution'])}${hint}`,
    );
  }
  const fields: readonly string[] = FIELDS[name];
  for (const key of Object.keys(input)) {
    if (key === 'distribution' || fields.includes(key)) continue;
    const guess = closestMatch(key, fields);
    return fail(
      [key],
      guess === undefined
        ? `unknown key; a ${name} distribution has: ${fields.join(', ')}`
        : `unknown key, did you mean "${guess}"?`,
    );
  }
  const values: number[] = [];
  for (const field of fields) {
    const raw = input[field];
    const value = typeof raw === 'string' && NUMBER.test(raw) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return fail(
        [field],
        raw === undefined
          ? `is required (a number) for a ${name} distribution`
          : `must be a number, got ${describeValue(raw, [...path, field])}`,
      );
    }
    values.push(value);
  }
  return build(name, values, fields, path, input);
}

function build(
  name: DistributionName,
  values: readonly number[],
  fieldPaths: readonly string[],
  path: IssuePath,
  input: unknown,
): DistributionResult {
  const fields: readonly string[] = FIELDS[name];
  for (const [i, field] of fields.entries()) {
    const value = values[i] ?? Number.NaN;
    // A lognormal median is a scale: zero would make every sample zero.
    const mustBePositive = field === 'median_ms';
    if (!Number.isFinite(value) || value < 0 || (mustBePositive && value === 0)) {
      const bound = mustBePositive ? '> 0' : '>= 0';
      if (typeof input === 'number' || (typeof input === 'string' && NUMBER.test(input))) {
        return fail([], `must be a number of ms >= 0, got ${describeValue(input, path)}`);
      }
      const fieldPath = fieldPaths[i];
      if (fieldPath !== undefined) return fail([fieldPath], `must be ${bound}, got ${value}`);
      return fail([], `${field} must be ${bound}, got ${value} in ${describeValue(input, path)}`);
    }
  }
  switch (name) {
    case 'fixed':
      return { ok: true, value: { distribution: 'fixed', value_ms: values[0] ?? 0 } };
    case 'normal':
      return {
        ok: true,
        value: { distribution: 'normal', mean_ms: values[0] ?? 0, stdev_ms: values[1] ?? 0 },
      };
    case 'lognormal':
      return {
        ok: true,
        value: { distribution: 'lognormal', median_ms: values[0] ?? 0, sigma: values[1] ?? 0 },
      };
  }
}

function isName(name: string): name is DistributionName {
  return Object.hasOwn(FIELDS, name);
}

function fail(path: IssuePath, message: string): DistributionResult {
  return { ok: false, path, message };
}

/** The simulator option for a latency setting. */
export function toLatencySpec(setting: LatencySetting): LatencySpec {
  switch (setting.distribution) {
    case 'fixed':
      return { distribution: 'fixed', ms: setting.value_ms };
    case 'normal':
      return { distribution: 'normal', meanMs: setting.mean_ms, stdevMs: setting.stdev_ms };
    case 'lognormal':
      return { distribution: 'lognormal', medianMs: setting.median_ms, sigma: setting.sigma };
  }
}
