import { parseDistribution, toLatencySpec } from './latency-setting.js';
import type { SeededRandom } from './seeded-random.js';
import { LensSimulatorError } from './simulator-error.js';

/**
 * A latency distribution in milliseconds. A plain number is a fixed latency. `normal` is
 * clamped at 0 (a sample below 0 becomes 0); `lognormal` is parameterised by its median
 * and the stdev of the underlying normal, the shape real TTFTs tend to have (long right tail).
 */
export type LatencySpec =
  | number
  | { distribution: 'fixed'; ms: number }
  | { distribution: 'normal'; meanMs: number; stdevMs: number }
  | { distribution: 'lognormal'; medianMs: number; sigma: number };

/**
 * Parses a latency as written on the command line: `"200"`, `"fixed:200"`,
 * `"normal:200,20"` or `"lognormal:200,0.3"` (the same reader as the config file's
 * `ttft_ms` / `itl_ms`). Throws LENS_SIMULATOR_LATENCY_SPEC_INVALID naming the accepted forms.
 */
export function parseLatencySpec(text: string): LatencySpec {
  const result = parseDistribution(text, []);
  if (!result.ok) {
    throw new LensSimulatorError(
      'LENS_SIMULATOR_LATENCY_SPEC_INVALID',
      `invalid latency ${JSON.stringify(text)}: ${result.message}`,
    );
  }
  return toLatencySpec(result.value);
}

function isNonNegativeFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Checks a LatencySpec given in options; `name` is the option name used in the message. */
export function validateLatencySpec(spec: unknown, name: string): LatencySpec {
  const invalid = (why: string): LensSimulatorError =>
    new LensSimulatorError('LENS_SIMULATOR_OPTION_INVALID', `option ${name}: ${why}`);
  if (typeof spec === 'number') {
    if (!isNonNegativeFinite(spec))
      throw invalid(`expected a non-negative number of ms, got ${spec}`);
    return spec;
  }
  if (typeof spec !== 'object' || spec === null) {
    throw invalid(`expected a number of ms or { distribution, ... }, got ${String(spec)}`);
  }
  const fields = spec as Record<string, unknown>;
  switch (fields.distribution) {
    case 'fixed':
      if (!isNonNegativeFinite(fields.ms)) throw invalid('fixed needs ms ≥ 0');
      return { distribution: 'fixed', ms: fields.ms };
    case 'normal':
      if (!isNonNegativeFinite(fields.meanMs) || !isNonNegativeFinite(fields.stdevMs)) {
        throw invalid('normal needs meanMs ≥ 0 and stdevMs ≥ 0');
      }
      return { distribution: 'normal', meanMs: fields.meanMs, stdevMs: fields.stdevMs };
    case 'lognormal':
      if (!isNonNegativeFinite(fields.medianMs) || fields.medianMs === 0) {
        throw invalid('lognormal needs medianMs > 0');
      }
      if (!isNonNegativeFinite(fields.sigma)) throw invalid('lognormal needs sigma ≥ 0');
      return { distribution: 'lognormal', medianMs: fields.medianMs, sigma: fields.sigma };
    default:
      throw invalid(
        `unknown distribution ${JSON.stringify(fields.distribution)}; use fixed, normal or lognormal`,
      );
  }
}

/** Draws one latency in milliseconds (never negative). */
export function sampleLatencyMs(spec: LatencySpec, random: SeededRandom): number {
  if (typeof spec === 'number') return spec;
  switch (spec.distribution) {
    case 'fixed':
      return spec.ms;
    case 'normal':
      return Math.max(0, spec.meanMs + spec.stdevMs * random.nextStandardNormal());
    case 'lognormal':
      return Math.exp(Math.log(spec.medianMs) + spec.sigma * random.nextStandardNormal());
  }
}

/** Draws one latency in nanoseconds, rounded to the nearest ns. */
export function sampleLatencyNs(spec: LatencySpec, random: SeededRandom): bigint {
  return BigInt(Math.round(sampleLatencyMs(spec, random) * 1e6));
}

/**
 * The mean of a distribution in milliseconds (the lockstep clock ticks at the mean ITL).
 * For normal it ignores the clamp at 0, which only matters when stdev is close to the mean.
 */
export function meanLatencyMs(spec: LatencySpec): number {
  if (typeof spec === 'number') return spec;
  switch (spec.distribution) {
    case 'fixed':
      return spec.ms;
    case 'normal':
      return spec.meanMs;
    case 'lognormal':
      return spec.medianMs * Math.exp((spec.sigma * spec.sigma) / 2);
  }
}
