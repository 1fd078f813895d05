import { randomInt } from 'node:crypto';
import { type LatencySpec, meanLatencyMs, validateLatencySpec } from './latency-spec.js';
import { LensSimulatorError } from './simulator-error.js';

/** How streams are scheduled; see the README for the model behind each. */
export type SimulatorMode = 'independent' | 'lockstep';

/**
 * Fault injection. Each rate is the probability (0..1) that a request gets that fault; the
 * faults are exclusive (one draw per request picks at most one), so every rate is met
 * exactly and the rates may add up to at most 1.
 */
export interface FaultOptions {
  /** Answer 429 with `Retry-After` before any generation. Default 0. */
  rateLimitRate?: number | undefined;
  /** `Retry-After` of the 429, seconds. Default 1. */
  retryAfterS?: number | undefined;
  /** Answer 500 with an OpenAI-shaped JSON error before any generation. Default 0. */
  serverErrorRate?: number | undefined;
  /** Destroy the socket when half the token events are written (no `[DONE]`). Default 0. */
  dropRate?: number | undefined;
  /** Pause `stallMs` after half the token events, then carry on. Default 0. */
  stallRate?: number | undefined;
  /** Length of a stall, ms. Default 2000. */
  stallMs?: number | undefined;
  /** After half the token events send `data: {"error": {...}}` and end without `[DONE]`. Default 0. */
  midStreamErrorRate?: number | undefined;
}

/** Options of {@link startSimulator}; every field is optional. */
export interface SimulatorOptions {
  /** Interface to listen on. Default '127.0.0.1'. */
  host?: string | undefined;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number | undefined;
  /** Time from request arrival to the first token event, ms. Default 150 (fixed). */
  ttftMs?: LatencySpec | undefined;
  /** Gap between consecutive token events (one decode step), ms. Default 20 (fixed). */
  itlMs?: LatencySpec | undefined;
  /** Content tokens per response, fixed or uniform in [min, max]; capped by the request's max_tokens. Default 64. */
  outputTokens?: number | { min: number; max: number } | undefined;
  /** Tokens carried by one event (>1 simulates multi-token chunks); the last event may carry fewer. Default 1. */
  tokensPerEvent?: number | undefined;
  /**
   * Reasoning tokens streamed before the answer, in each protocol's own field (`delta.reasoning_content`,
   * Anthropic's `thinking_delta`, Gemini's thought parts, ...), when the request's protocol and
   * options allow reasoning (not on legacy completions). Default 0.
   */
  reasoningTokens?: number | undefined;
  /** 'independent' (each stream on its own schedule) or 'lockstep' (one batch decode clock). Default 'independent'. */
  mode?: SimulatorMode | undefined;
  /** Fault injection; all rates default to 0. */
  faults?: FaultOptions | undefined;
  /** Seed of the PRNG behind latency samples and fault draws. Default: random (see `RunningSimulator.seed`). */
  seed?: number | undefined;
  /** Keep a {@link WriteLog} of when every token event was really written. Default false. */
  recordWrites?: boolean | undefined;
  /** Also append one JSON line per finished request to this file. Default: none. */
  writeLogFile?: string | undefined;
  /** Model ids listed by `GET /v1/models` (any model id is accepted by the completion endpoints). Default ['mock-model']. */
  models?: readonly string[] | undefined;
  /**
   * Last stretch before each write deadline waited by polling (setImmediate) instead of a
   * timer, ms; Node timers are only ±1 ms. 0 = timers only: far less CPU with many streams,
   * writes up to ~1–2 ms late. Default 0.5.
   */
  spinMs?: number | undefined;
  /** How long an idle keep-alive connection stays open, ms. Default 120000. */
  keepAliveTimeoutMs?: number | undefined;
}

/** Options with every default applied and durations converted to ns. */
export interface ResolvedSimulatorOptions {
  host: string;
  port: number;
  ttftMs: LatencySpec;
  itlMs: LatencySpec;
  /** Lockstep tick: the mean of itlMs. */
  tickNs: bigint;
  outputTokens: { min: number; max: number };
  tokensPerEvent: number;
  reasoningTokens: number;
  mode: SimulatorMode;
  faults: {
    rateLimitRate: number;
    retryAfterS: number;
    serverErrorRate: number;
    dropRate: number;
    stallRate: number;
    stallNs: bigint;
    midStreamErrorRate: number;
  };
  seed: number;
  recordWrites: boolean;
  writeLogFile: string | undefined;
  models: readonly string[];
  spinNs: bigint;
  keepAliveTimeoutMs: number;
}

function invalid(message: string): LensSimulatorError {
  return new LensSimulatorError('LENS_SIMULATOR_OPTION_INVALID', message);
}

function integerAtLeast(value: unknown, min: number, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalid(`option ${name}: expected an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

function numberAtLeast(value: unknown, min: number, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw invalid(`option ${name}: expected a number ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

function rate(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw invalid(
      `option faults.${name}: expected a probability between 0 and 1, got ${String(value)}`,
    );
  }
  return value;
}

function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

/** Applies defaults and validates every option; throws LENS_SIMULATOR_OPTION_INVALID. */
export function resolveSimulatorOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  const port = integerAtLeast(options.port, 0, 'port', 0);
  if (port > 65535) throw invalid(`option port: expected 0..65535, got ${port}`);
  const ttftMs = validateLatencySpec(options.ttftMs ?? 150, 'ttftMs');
  const itlMs = validateLatencySpec(options.itlMs ?? 20, 'itlMs');

  let outputTokens: { min: number; max: number };
  const rawOutput = options.outputTokens ?? 64;
  if (typeof rawOutput === 'number') {
    const fixed = integerAtLeast(rawOutput, 1, 'outputTokens', 64);
    outputTokens = { min: fixed, max: fixed };
  } else {
    const min = integerAtLeast(rawOutput.min, 1, 'outputTokens.min', 1);
    const max = integerAtLeast(rawOutput.max, 1, 'outputTokens.max', 1);
    if (max < min) throw invalid(`option outputTokens: max (${max}) is below min (${min})`);
    outputTokens = { min, max };
  }

  const mode = options.mode ?? 'independent';
  if (mode !== 'independent' && mode !== 'lockstep') {
    throw invalid(`option mode: expected 'independent' or 'lockstep', got ${String(mode)}`);
  }
  const tickMs = meanLatencyMs(itlMs);
  if (mode === 'lockstep' && !(tickMs > 0)) {
    throw invalid(
      'option itlMs: lockstep mode needs a mean ITL above 0 ms (it is the decode tick)',
    );
  }

  const faults = options.faults ?? {};
  const resolvedFaults = {
    rateLimitRate: rate(faults.rateLimitRate, 'rateLimitRate'),
    retryAfterS: numberAtLeast(faults.retryAfterS, 0, 'faults.retryAfterS', 1),
    serverErrorRate: rate(faults.serverErrorRate, 'serverErrorRate'),
    dropRate: rate(faults.dropRate, 'dropRate'),
    stallRate: rate(faults.stallRate, 'stallRate'),
    stallNs: msToNs(numberAtLeast(faults.stallMs, 0, 'faults.stallMs', 2000)),
    midStreamErrorRate: rate(faults.midStreamErrorRate, 'midStreamErrorRate'),
  };
  const rateSum =
    resolvedFaults.rateLimitRate +
    resolvedFaults.serverErrorRate +
    resolvedFaults.dropRate +
    resolvedFaults.stallRate +
    resolvedFaults.midStreamErrorRate;
  // Faults are exclusive per request; a small epsilon forgives float sums like 0.7 + 0.2 + 0.1.
  if (rateSum > 1 + 1e-9) {
    throw invalid(
      `options faults.*Rate add up to ${rateSum}; a request gets at most one fault, so the sum must be ≤ 1`,
    );
  }

  const seed = options.seed === undefined ? randomInt(0, 2 ** 32) : Number(options.seed);
  if (!Number.isInteger(seed))
    throw invalid(`option seed: expected an integer, got ${String(options.seed)}`);

  const models = options.models ?? ['mock-model'];
  if (!Array.isArray(models) || models.some((m) => typeof m !== 'string' || m === '')) {
    throw invalid('option models: expected an array of non-empty model ids');
  }

  return {
    host: options.host ?? '127.0.0.1',
    port,
    ttftMs,
    itlMs,
    tickNs: msToNs(tickMs),
    outputTokens,
    tokensPerEvent: integerAtLeast(options.tokensPerEvent, 1, 'tokensPerEvent', 1),
    reasoningTokens: integerAtLeast(options.reasoningTokens, 0, 'reasoningTokens', 0),
    mode,
    faults: resolvedFaults,
    seed: seed >>> 0,
    recordWrites: options.recordWrites ?? false,
    writeLogFile: options.writeLogFile,
    models,
    spinNs: msToNs(numberAtLeast(options.spinMs, 0, 'spinMs', 0.5)),
    keepAliveTimeoutMs: integerAtLeast(
      options.keepAliveTimeoutMs,
      1,
      'keepAliveTimeoutMs',
      120_000,
    ),
  };
}
