// The zod schema of a config file. Every leaf carries its own message (schema-fields.ts);
// cross-field rules and defaults that depend on other fields live here.
import * as z from 'zod';
import { describeValue, type IssuePath } from './config-issue.js';
import { closestMatch } from './did-you-mean.js';
import type { LensConfig, ProviderConfig } from './lens-config.js';
import { parseDistribution } from './mock-distribution.js';
import {
  envVarName,
  expecting,
  flag,
  httpUrl,
  listOf,
  mapOf,
  nonNegativeInt,
  nonNegativeNumber,
  nullAsAbsent,
  numberBetween,
  oneOf,
  positiveInt,
  positiveNumber,
  strictObject,
  text,
} from './schema-fields.js';

/** Base URL used for `type: openai` when `base_url` is not set. */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** Key variable used for `type: openai` when neither `api_key_env` nor `api_key_file` is set. */
export const DEFAULT_OPENAI_API_KEY_ENV = 'OPENAI_API_KEY';

export const PROVIDER_TYPES = ['openai', 'openai-compatible', 'mock'] as const;

// Credentials in headers would be printed and hashed with the config; keys belong in
// api_key_env / api_key_file, which the CLI reads at run time.
const CREDENTIAL_HEADERS = new Set(['authorization', 'api-key', 'x-api-key']);

const always = { when: () => true };

/**
 * `file`: a config as written (prompt_file not read yet).
 * `resolved`: a loaded config, where prompt_file sits next to the prompt text read from it.
 */
export type SchemaMode = 'file' | 'resolved';

function distribution(field: string) {
  return z.unknown().transform((value, ctx) => {
    const result = parseDistribution(value, [field]);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', path: [...result.path], message: result.message });
    return z.NEVER;
  });
}

function outputTokens() {
  const count = positiveInt('a positive integer or {min, max}');
  const range = strictObject(
    { min: positiveInt(), max: positiveInt() },
    'a positive integer or {min, max}',
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
    const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
    const result = isObject ? range.safeParse(value) : count.safeParse(value);
    if (result.success) return result.data as number | { min: number; max: number };
    for (const issue of result.error.issues) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
    return z.NEVER;
  });
}

const rate = () => numberBetween(0, 1).optional();

const faultsSchema = strictObject(
  {
    rate_limit_rate: rate(),
    retry_after_s: nonNegativeNumber().optional(),
    server_error_rate: rate(),
    drop_rate: rate(),
    stall_rate: rate(),
    stall_ms: nonNegativeInt().optional(),
    mid_stream_error_rate: rate(),
  },
  'an object of fault rates',
);

const mockSchema = strictObject(
  {
    ttft_ms: distribution('ttft_ms').optional(),
    itl_ms: distribution('itl_ms').optional(),
    output_tokens: outputTokens().optional(),
    tokens_per_event: positiveInt().optional(),
    reasoning_tokens: nonNegativeInt().optional(),
    mode: oneOf(['independent', 'lockstep']).optional(),
    seed: nonNegativeInt().optional(),
    faults: z.preprocess(nullAsAbsent, faultsSchema.optional()),
  },
  'an object of simulator settings',
);

const timeoutsSchema = strictObject(
  {
    connect_ms: positiveInt().optional(),
    ttft_ms: positiveInt().optional(),
    idle_ms: positiveInt().optional(),
    total_ms: positiveInt().optional(),
  },
  'an object of timeouts in ms (connect_ms, ttft_ms, idle_ms, total_ms)',
);

const headersSchema = mapOf(
  z.string(expecting('a string')),
  'an object of header names to values',
).superRefine((headers, ctx) => {
  if (headers === null || typeof headers !== 'object') return;
  for (const name of Object.keys(headers)) {
    if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message:
        'must not carry credentials: configs are printed and hashed; put the key in an environment variable and set api_key_env (or api_key_file)',
    });
  }
}, always);

const providerSchema = strictObject(
  {
    name: text('a non-empty name').optional(),
    type: oneOf(PROVIDER_TYPES),
    base_url: httpUrl().optional(),
    api_key_env: envVarName().optional(),
    api_key_file: text('a file path').optional(),
    api: oneOf(['chat', 'completions']).default('chat'),
    models: listOf(text('a model name'), 'a non-empty list of model names', true),
    options: z.preprocess(
      nullAsAbsent,
      mapOf(z.unknown(), 'an object of extra request-body fields').optional(),
    ),
    headers: z.preprocess(nullAsAbsent, headersSchema.optional()),
    timeouts: z.preprocess(nullAsAbsent, timeoutsSchema.optional()),
    mock: z.preprocess(nullAsAbsent, mockSchema.optional()),
  },
  'an object with type and models',
).superRefine((provider, ctx) => {
  if (provider === null || typeof provider !== 'object') return;
  if (provider.type === 'openai-compatible' && provider.base_url === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['base_url'],
      message:
        'is required for type openai-compatible (the server URL including /v1, e.g. http://localhost:8000/v1)',
    });
  }
  if (
    provider.mock !== undefined &&
    typeof provider.type === 'string' &&
    provider.type !== 'mock'
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['mock'],
      message: `is only allowed for type mock, got type ${JSON.stringify(provider.type)}`,
    });
  }
  if (provider.api_key_env !== undefined && provider.api_key_file !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['api_key_file'],
      message: 'cannot be combined with api_key_env; set only one of them',
    });
  }
}, always);

const messageSchema = strictObject(
  {
    role: oneOf(['system', 'user', 'assistant']),
    content: z.string(expecting('a string')),
  },
  'an object {role, content}',
);

function scenarioSchema(mode: SchemaMode) {
  return strictObject(
    {
      name: text('a non-empty name').optional(),
      prompt: text('a non-empty prompt').optional(),
      prompt_file: text('a file path').optional(),
      messages: listOf(
        messageSchema,
        'a non-empty list of {role, content} messages',
        true,
      ).optional(),
      requests: positiveInt().default(20),
      concurrency: positiveInt().default(1),
      warmup: nonNegativeInt().default(0),
      max_tokens: positiveInt().optional(),
      temperature: numberBetween(0, 2).optional(),
      stream: flag().default(true),
      timeout_ms: positiveInt().default(120_000),
      providers: listOf(
        text('a provider name'),
        'a non-empty list of provider names',
        true,
      ).optional(),
    },
    'an object with a prompt, prompt_file or messages',
  ).superRefine((scenario, ctx) => {
    if (scenario === null || typeof scenario !== 'object') return;
    const set = (['prompt', 'prompt_file', 'messages'] as const).filter(
      (key) => scenario[key] !== undefined,
    );
    const sources = mode === 'file' ? set : set.filter((key) => key !== 'prompt_file');
    if (
      mode === 'resolved' &&
      scenario.prompt_file !== undefined &&
      scenario.prompt === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['prompt_file'],
        message:
          'has not been read; load the config with loadConfigFile or parseConfig before applying overrides',
      });
      return;
    }
    const [first, second] = sources;
    if (first === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'needs a prompt: set exactly one of prompt, prompt_file or messages',
      });
    } else if (second !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [second],
        message: `cannot be combined with ${first}; set exactly one of prompt, prompt_file or messages`,
      });
    }
  }, always);
}

const outputsSchema = strictObject(
  {
    summary: text('a file path').optional(),
    records: text('a file path').optional(),
    record_tokens: flag().default(false),
    max_error_rate: numberBetween(0, 1).default(1),
  },
  'an object of output paths',
);

const fidelitySchema = strictObject(
  { event_loop_delay_p99_ms: positiveNumber().default(5) },
  'an object of fidelity thresholds',
);

function rootSchema(mode: SchemaMode) {
  return strictObject(
    {
      version: z.literal(1, expecting('1')).default(1),
      providers: listOf(providerSchema, 'a non-empty list of providers', true),
      scenarios: listOf(scenarioSchema(mode), 'a non-empty list of scenarios', true),
      outputs: z.preprocess(nullAsAbsent, outputsSchema.prefault({})),
      fidelity: z.preprocess(nullAsAbsent, fidelitySchema.prefault({})),
    },
    'an object with providers and scenarios',
  ).transform((parsed, ctx) => {
    // The looser zod output type (optional keys may be undefined, unknown keys allowed) is
    // narrowed here; no unknown key survives to this point because they are errors above.
    const config = parsed as unknown as LensConfig;
    applyDefaults(config);
    for (const issue of crossReferenceIssues(config)) {
      ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
    }
    return config;
  });
}

function applyDefaults(config: LensConfig): void {
  // Rebuilt with `name` first so a printed config reads in the order of the file.
  // (`name` is typed as required, but here it is still as written: possibly absent.)
  config.providers = config.providers.map(({ name, ...provider }) => {
    const filled: ProviderConfig = { name: name ?? provider.type, ...provider };
    if (filled.type === 'openai') {
      filled.base_url ??= DEFAULT_OPENAI_BASE_URL;
      if (filled.api_key_env === undefined && filled.api_key_file === undefined) {
        filled.api_key_env = DEFAULT_OPENAI_API_KEY_ENV;
      }
    }
    return filled;
  });
  config.scenarios = config.scenarios.map(({ name, ...scenario }, index) => ({
    name: name ?? `scenario-${index + 1}`,
    ...scenario,
  }));
}

function crossReferenceIssues(config: LensConfig): { path: IssuePath; message: string }[] {
  const issues: { path: IssuePath; message: string }[] = [];
  const firstIndex = (names: string[], name: string) => names.indexOf(name);

  const providerNames = config.providers.map((provider) => provider.name);
  providerNames.forEach((name, index) => {
    const first = firstIndex(providerNames, name);
    if (first === index) return;
    issues.push({
      path: ['providers', index, 'name'],
      message: `${describeValue(name, ['name'])} is already used by providers[${first}]; give each provider a unique name (name defaults to the type)`,
    });
  });

  const scenarioNames = config.scenarios.map((scenario) => scenario.name);
  scenarioNames.forEach((name, index) => {
    const first = firstIndex(scenarioNames, name);
    if (first === index) return;
    issues.push({
      path: ['scenarios', index, 'name'],
      message: `${describeValue(name, ['name'])} is already used by scenarios[${first}]; give each scenario a unique name`,
    });
  });

  const known = [...new Set(providerNames)];
  config.scenarios.forEach((scenario, index) => {
    scenario.providers?.forEach((name, position) => {
      if (known.includes(name)) return;
      const guess = closestMatch(name, known);
      const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
      issues.push({
        path: ['scenarios', index, 'providers', position],
        message: `no provider is named ${describeValue(name, ['providers'])}${hint}; defined providers: ${known.join(', ')}`,
      });
    });
  });
  return issues;
}

const schemas = new Map<SchemaMode, ReturnType<typeof rootSchema>>();

/** The config schema for one mode, built once. */
export function configSchema(mode: SchemaMode): ReturnType<typeof rootSchema> {
  let schema = schemas.get(mode);
  if (schema === undefined) {
    schema = rootSchema(mode);
    schemas.set(mode, schema);
  }
  return schema;
}
