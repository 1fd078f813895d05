// The simulator's settings, declared once: the config file's `mock:` block, the flags of
// `llm-lens serve-mock` and the mapping to SimulatorOptions all come from this list.
import {
  describeValue,
  nonNegativeInt,
  nonNegativeNumber,
  numberBetween,
  oneOf,
  positiveInt,
  type Setting,
  settingsSchema,
  strictObject,
  z,
} from '@llm-lens/config-fields';
import { type LatencySetting, parseDistribution, toLatencySpec } from './latency-setting.js';
import type { FaultOptions, SimulatorOptions } from './simulator-options.js';

function latency(field: string) {
  return z.unknown().transform((value, ctx) => {
    const result = parseDistribution(value, [field]);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', path: [...result.path], message: result.message });
    return z.NEVER;
  });
}

const OUTPUT_TOKENS_WHAT = 'a positive integer, a range "<min>-<max>" or {min, max}';

function outputTokens() {
  const count = positiveInt(OUTPUT_TOKENS_WHAT);
  const range = strictObject(
    { min: positiveInt(), max: positiveInt() },
    OUTPUT_TOKENS_WHAT,
  ).superRefine((value, ctx) => {
    if (value.min > value.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: `must be >= min (${value.min}), got ${value.max}`,
      });
    }
  });
  return z.unknown().transform((value, ctx) => {
    // The flag spelling of a range: "32-128".
    const text = typeof value === 'string' ? /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(value) : null;
    const input = text === null ? value : { min: Number(text[1]), max: Number(text[2]) };
    const isObject = input !== null && typeof input === 'object' && !Array.isArray(input);
    const result = isObject ? range.safeParse(input) : count.safeParse(input);
    if (result.success) return result.data as number | { min: number; max: number };
    for (const issue of result.error.issues) {
      const message =
        text !== null && issue.path.length > 0
          ? `must be a range "<min>-<max>" with min <= max, got ${describeValue(value, [])}`
          : issue.message;
      ctx.addIssue({ code: 'custom', path: text === null ? issue.path : [], message });
    }
    return z.NEVER;
  });
}

const rate = () => numberBetween(0, 1);

/** A simulator setting: where it is written, and which option it sets. */
export interface SimulatorSetting extends Setting {
  /** Sets the simulator option from the validated value. */
  apply(options: SimulatorOptions, value: unknown): void;
}

function fault(option: keyof FaultOptions) {
  return (options: SimulatorOptions, value: unknown): void => {
    options.faults = { ...options.faults, [option]: value as number };
  };
}

/** Every simulator setting, with its key in a `mock:` block and its `serve-mock` flag. */
export const SIMULATOR_SETTINGS: readonly SimulatorSetting[] = [
  {
    path: ['ttft_ms'],
    flag: 'ttft',
    description:
      'time to first token, ms: "150", "normal:<mean>,<stdev>" or "lognormal:<median>,<sigma>"',
    schema: latency('ttft_ms'),
    defaultText: '150',
    apply: (options, value) => {
      options.ttftMs = toLatencySpec(value as LatencySetting);
    },
  },
  {
    path: ['itl_ms'],
    flag: 'itl',
    description: 'gap between token events (one decode step), ms; same forms as ttft',
    schema: latency('itl_ms'),
    defaultText: '20',
    apply: (options, value) => {
      options.itlMs = toLatencySpec(value as LatencySetting);
    },
  },
  {
    path: ['output_tokens'],
    flag: 'output-tokens',
    description: 'tokens per response: a number or a range "32-128" (capped by max_tokens)',
    schema: outputTokens(),
    defaultText: '64',
    apply: (options, value) => {
      options.outputTokens = value as number | { min: number; max: number };
    },
  },
  {
    path: ['tokens_per_event'],
    flag: 'tokens-per-event',
    description: 'tokens per stream event (>1 mimics multi-token chunks, speculative decoding)',
    schema: positiveInt(),
    defaultText: '1',
    apply: (options, value) => {
      options.tokensPerEvent = value as number;
    },
  },
  {
    path: ['reasoning_tokens'],
    flag: 'reasoning-tokens',
    description: 'reasoning tokens streamed before the answer',
    schema: nonNegativeInt(),
    defaultText: '0',
    apply: (options, value) => {
      options.reasoningTokens = value as number;
    },
  },
  {
    path: ['mode'],
    flag: 'mode',
    description:
      'independent: each stream on its own schedule; lockstep: one decode clock for all streams, like a batching server',
    schema: oneOf(['independent', 'lockstep']),
    defaultText: 'independent',
    apply: (options, value) => {
      options.mode = value as 'independent' | 'lockstep';
    },
  },
  {
    path: ['seed'],
    flag: 'seed',
    description: 'seed of latency sampling and fault injection (random when unset)',
    schema: nonNegativeInt(),
    apply: (options, value) => {
      options.seed = value as number;
    },
  },
  {
    path: ['faults', 'rate_limit_rate'],
    flag: 'rate-limit-rate',
    description: 'share of requests answered 429 with Retry-After (0–1)',
    schema: rate(),
    defaultText: '0',
    apply: fault('rateLimitRate'),
  },
  {
    path: ['faults', 'retry_after_s'],
    flag: 'retry-after',
    description: 'Retry-After of those 429s, seconds',
    schema: nonNegativeNumber(),
    defaultText: '1',
    apply: fault('retryAfterS'),
  },
  {
    path: ['faults', 'server_error_rate'],
    flag: 'server-error-rate',
    description: 'share of requests answered 500 (0–1)',
    schema: rate(),
    defaultText: '0',
    apply: fault('serverErrorRate'),
  },
  {
    path: ['faults', 'drop_rate'],
    flag: 'drop-rate',
    description: 'share of streams whose connection is cut half-way (0–1)',
    schema: rate(),
    defaultText: '0',
    apply: fault('dropRate'),
  },
  {
    path: ['faults', 'stall_rate'],
    flag: 'stall-rate',
    description: 'share of streams that pause half-way for stall-ms (0–1)',
    schema: rate(),
    defaultText: '0',
    apply: fault('stallRate'),
  },
  {
    path: ['faults', 'stall_ms'],
    flag: 'stall-ms',
    description: 'length of a stall, ms',
    schema: nonNegativeInt(),
    defaultText: '2000',
    apply: fault('stallMs'),
  },
  {
    path: ['faults', 'mid_stream_error_rate'],
    flag: 'mid-stream-error-rate',
    description: 'share of streams that end half-way with an error event (0–1)',
    schema: rate(),
    defaultText: '0',
    apply: fault('midStreamErrorRate'),
  },
];

/** The `mock:` block of a provider entry, and of `serve-mock`'s flags, validated. */
export interface SimulatorSettings {
  ttft_ms?: LatencySetting;
  itl_ms?: LatencySetting;
  output_tokens?: number | { min: number; max: number };
  tokens_per_event?: number;
  reasoning_tokens?: number;
  mode?: 'independent' | 'lockstep';
  seed?: number;
  faults?: {
    rate_limit_rate?: number;
    retry_after_s?: number;
    server_error_rate?: number;
    drop_rate?: number;
    stall_rate?: number;
    stall_ms?: number;
    mid_stream_error_rate?: number;
  };
}

/** The schema of a `mock:` block: every setting optional, unknown keys refused. */
export const simulatorSettingsSchema = settingsSchema(
  SIMULATOR_SETTINGS,
  'an object of simulator settings',
);

/** The simulator options for validated settings; unset settings keep the simulator's defaults. */
export function simulatorOptionsFromSettings(settings: SimulatorSettings): SimulatorOptions {
  const options: SimulatorOptions = {};
  for (const setting of SIMULATOR_SETTINGS) {
    let value: unknown = settings;
    for (const key of setting.path) value = (value as Record<string, unknown> | undefined)?.[key];
    if (value !== undefined) setting.apply(options, value);
  }
  return options;
}
