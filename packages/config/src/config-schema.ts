// The zod schema of a config file. Every leaf carries its own message (@llm-lens/config-fields);
// cross-field rules and defaults that depend on other fields live here. Provider types and
// load patterns are not known here: their keys are validated by the extension each entry
// names, and the sections another package adds to every provider entry by that package's
// schemas (see config-extensions.ts).
import {
  closestMatch,
  describeValue,
  durationSeconds,
  expectationMessage,
  expecting,
  flag,
  type IssuePath,
  listOf,
  mapOf,
  nonNegativeInt,
  nullAsAbsent,
  numberBetween,
  oneOf,
  positiveInt,
  positiveNumber,
  strictObject,
  text,
  unknownKeyMessage,
  z,
} from '@llm-lens/config-fields';
import { LensConfigError } from './config-error.js';
import type { ConfigExtension, ConfigExtensions, ScenarioSection } from './config-extensions.js';
import type { LensConfig, LoadConfig, ProviderConfig, ScenarioConfig } from './lens-config.js';
import { parseSweepValues } from './sweep-values.js';

/** Measured requests of a scenario that sets neither `requests` nor `duration`. */
export const DEFAULT_REQUESTS = 20;

/** The load pattern of a scenario that does not name one. */
export const DEFAULT_LOAD_TYPE = 'closed';

// Credentials in headers would be printed and hashed with the config; keys belong in
// environment variables or key files, which adapters read at run time.
const CREDENTIAL_HEADERS = new Set(['authorization', 'api-key', 'x-api-key', 'x-goog-api-key']);

const always = { when: () => true };

/**
 * `file`: a config as written (prompt_file not read yet).
 * `resolved`: a loaded config, where prompt_file sits next to the prompt text read from it.
 */
export type SchemaMode = 'file' | 'resolved';

/** `saturation_guard`: `true` (the defaults), `false`, or its settings. */
const saturationGuardSchema = z.union(
  [
    z.boolean(),
    strictObject(
      {
        window: durationSeconds().optional(),
        max_error_rate: numberBetween(0, 1)
          .refine(
            (rate) => rate < 1,
            'must be below 1 (a window fails when its error rate is above it)',
          )
          .optional(),
        error_windows: positiveInt('a whole number of windows >= 1').optional(),
        rising_windows: positiveInt('a whole number of windows >= 2')
          .refine((n) => n >= 2, 'must be at least 2')
          .optional(),
        min_requests: positiveInt('a whole number of requests >= 1').optional(),
      },
      'true, or an object (window, max_error_rate, error_windows, rising_windows, min_requests)',
    ),
  ],
  expecting(
    'true, false, or an object (window, max_error_rate, error_windows, rising_windows, min_requests)',
  ),
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
        'must not carry credentials: configs are printed and hashed; put the key in an environment variable and point the provider at it (e.g. api_key_env)',
    });
  }
}, always);

/** Keys every provider entry has, whatever its type. */
const PROVIDER_COMMON = {
  name: text('a non-empty name').optional(),
  type: z.string(),
  models: listOf(text('a model name'), 'a non-empty list of model names', true),
  options: z.preprocess(
    nullAsAbsent,
    mapOf(z.unknown(), 'an object of extra request-body fields').optional(),
  ),
  headers: z.preprocess(nullAsAbsent, headersSchema.optional()),
  timeouts: z.preprocess(nullAsAbsent, timeoutsSchema.optional()),
  max_event_bytes: positiveInt().optional(),
};

type Shape = Record<string, z.ZodType>;

/**
 * The common keys of a provider entry with the sections other packages add to every
 * provider (`providerSections`: the executor's `retries`, `rate_limits`, `circuit_breaker`).
 */
function providerCommonShape(extensions: ConfigExtensions): Shape {
  const sections = extensions.providerSections ?? {};
  const taken = Object.keys(sections).filter((key) => Object.hasOwn(PROVIDER_COMMON, key));
  if (taken.length > 0) {
    throw new LensConfigError(
      'LENS_CONFIG_INVALID',
      `providerSections: ${taken.map((key) => JSON.stringify(key)).join(', ')} ${taken.length === 1 ? 'is a key' : 'are keys'} every provider entry already has (${Object.keys(PROVIDER_COMMON).join(', ')}); register the section under another name`,
    );
  }
  // Every section is optional, and an empty one (`retries:` with nothing under it) is absent.
  const optional = Object.entries(sections).map(([key, schema]) => [
    key,
    z.preprocess(nullAsAbsent, schema.optional()),
  ]);
  return { ...PROVIDER_COMMON, ...Object.fromEntries(optional) };
}

/**
 * An entry whose `type` selects an extension: the common keys are checked against `common`,
 * the extension's keys against its own schema, and any other key is reported once, with a
 * suggestion from both sets of keys.
 */
function extensionEntry(
  extensions: readonly ConfigExtension[],
  common: Shape,
  what: string,
  kind: string,
  defaultType?: string,
) {
  const types = extensions.map((extension) => extension.type);
  return z.unknown().transform((value, ctx) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', path: [], message: expectationMessage(what, value, []) });
      return z.NEVER;
    }
    const entry = value as Record<string, unknown>;
    const rawType = entry.type ?? defaultType;
    const extension = extensions.find((candidate) => candidate.type === rawType);
    if (extension === undefined) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: typeMessage(rawType, types, kind) });
    }
    const extensionShape: Shape = extension === undefined ? {} : extension.configSchema.shape;
    const known = [...Object.keys(common), ...Object.keys(extensionShape)];
    const commonPart: Record<string, unknown> = {};
    const extensionPart: Record<string, unknown> = {};
    const issues: { path: PropertyKey[]; message: string }[] = [];
    for (const [key, item] of Object.entries(entry)) {
      // Reported by checkConfig, which sees it before zod turns it into a prototype.
      if (key === '__proto__') continue;
      if (Object.hasOwn(common, key)) commonPart[key] = item;
      else if (Object.hasOwn(extensionShape, key)) extensionPart[key] = item;
      // With an unknown type, its own keys cannot be told from mistakes: say nothing of them.
      else if (extension !== undefined) {
        const owners = extensions.filter((e) => Object.hasOwn(e.configSchema.shape, key));
        const message =
          owners.length > 0
            ? `is a setting of type ${owners.map((e) => e.type).join(' or ')}, not of type ${JSON.stringify(extension.type)}`
            : unknownKeyMessage(key, known);
        issues.push({ path: [key], message });
      }
    }
    if (commonPart.type === undefined && rawType !== undefined) commonPart.type = rawType;
    const commonResult = z.looseObject(common).safeParse(commonPart);
    const extensionResult = extension?.configSchema.safeParse(extensionPart);
    for (const result of [commonResult, extensionResult]) {
      if (result === undefined || result.success) continue;
      for (const issue of result.error.issues)
        issues.push({ path: issue.path, message: issue.message });
    }
    // In the order the keys were written, as one schema would report them.
    const order = Object.keys(entry);
    const position = (issue: { path: PropertyKey[] }) => {
      const index = order.indexOf(String(issue.path[0]));
      return index === -1 ? order.length : index;
    };
    issues.sort((a, b) => position(a) - position(b));
    for (const issue of issues)
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    if (!commonResult.success || extensionResult === undefined || !extensionResult.success) {
      return z.NEVER;
    }
    return { ...commonResult.data, ...(extensionResult.data as Record<string, unknown>) };
  });
}

function typeMessage(type: unknown, types: readonly string[], kind: string): string {
  const what =
    types.length === 0
      ? `a registered ${kind} (none is registered)`
      : `one of ${types.join(' | ')}`;
  if (type === undefined) return `is required (${what})`;
  const base = `must be ${what}, got ${describeValue(type, ['type'])}`;
  if (typeof type !== 'string') return base;
  const guess = closestMatch(type, types);
  return guess === undefined ? base : `${base} (did you mean "${guess}"?)`;
}

function sweepValues() {
  return z.unknown().transform((value, ctx) => {
    const parsed = parseSweepValues(value);
    if ('values' in parsed) return parsed.values;
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: `must be ${parsed.error}, got ${describeValue(value, [])}`,
    });
    return z.NEVER;
  });
}

const sweepSchema = strictObject(
  {
    concurrency: sweepValues().optional(),
    rate: sweepValues().optional(),
    min_gain: numberBetween(0, 10).optional(),
    ttft_p95_ms: positiveNumber().optional(),
    max_error_rate: numberBetween(0, 1).optional(),
  },
  'an object {concurrency or rate: the levels, min_gain?, ttft_p95_ms?, max_error_rate?}',
).superRefine((sweep, ctx) => {
  if (sweep === null || typeof sweep !== 'object') return;
  const set = (['concurrency', 'rate'] as const).filter((key) => sweep[key] !== undefined);
  if (set.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: set.length === 0 ? [] : [set[1]!],
      message:
        set.length === 0
          ? 'needs the levels of exactly one of concurrency or rate (e.g. concurrency: 1,2,4,8)'
          : 'cannot sweep concurrency and rate at once; sweep one, with the other fixed in the scenario',
    });
  }
  const levels: unknown = sweep.concurrency;
  const fractional = Array.isArray(levels) ? levels.find((v) => !Number.isInteger(v)) : undefined;
  if (fractional !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['concurrency'],
      message: `must be whole numbers of requests in flight, got ${fractional}`,
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

function loadSchema(extensions: ConfigExtensions) {
  const entry = extensionEntry(
    extensions.loadPatterns,
    { type: z.string() },
    `a load pattern name or an object with its type`,
    'load pattern',
    DEFAULT_LOAD_TYPE,
  );
  // `load: closed` is short for `load: { type: closed }`.
  return z.preprocess(
    (value) =>
      typeof value === 'string' ? { type: value } : (value ?? { type: DEFAULT_LOAD_TYPE }),
    entry,
  );
}

/** What the package behind each scenario section loads, for the message when none is registered. */
const SECTION_LOADS: Record<ScenarioSection, string> = {
  prompts: 'prompt sources',
  replay: 'request logs',
  conversations: 'conversations',
};

/** The keys that say what a scenario sends; exactly one is set. */
const PROMPT_KEYS = [
  'prompt',
  'prompt_file',
  'messages',
  'prompts',
  'replay',
  'conversations',
] as const;
const ONE_PROMPT_KEY = `set exactly one of ${PROMPT_KEYS.slice(0, -1).join(', ')} or ${PROMPT_KEYS.at(-1)}`;

function sectionSchema(extensions: ConfigExtensions, section: ScenarioSection) {
  const schema =
    extensions.scenarioSections?.[section] ??
    z.unknown().superRefine((_value, ctx) => {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `needs a package that loads ${SECTION_LOADS[section]} (@llm-lens/workloads), and none is registered with this program`,
      });
    });
  return z.preprocess(nullAsAbsent, schema.optional());
}

function scenarioSchema(mode: SchemaMode, extensions: ConfigExtensions) {
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
      requests: positiveInt().optional(),
      duration: durationSeconds().optional(),
      concurrency: positiveInt().default(1),
      warmup: nonNegativeInt().default(0),
      warmup_duration: durationSeconds().optional(),
      cooldown: durationSeconds().optional(),
      load: loadSchema(extensions),
      prompts: sectionSchema(extensions, 'prompts'),
      replay: sectionSchema(extensions, 'replay'),
      conversations: sectionSchema(extensions, 'conversations'),
      conversation_history: oneOf(['live', 'recorded']).optional(),
      sweep: z.preprocess(nullAsAbsent, sweepSchema.optional()),
      max_tokens: positiveInt().optional(),
      min_tokens: positiveInt().optional(),
      temperature: numberBetween(0, 2).optional(),
      stream: flag().default(true),
      timeout_ms: positiveInt().optional(),
      providers: listOf(
        text('a provider name'),
        'a non-empty list of provider names',
        true,
      ).optional(),
    },
    'an object with a prompt, prompt_file or messages',
  ).superRefine((scenario, ctx) => {
    if (scenario === null || typeof scenario !== 'object') return;
    if (scenario.conversation_history !== undefined && scenario.conversations === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['conversation_history'],
        message:
          'says which replies multi-turn sessions send back as history; it needs conversations: in the same scenario',
      });
    }
    const { min_tokens: minTokens, max_tokens: maxTokens } = scenario;
    if (minTokens !== undefined && maxTokens !== undefined && minTokens > maxTokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['min_tokens'],
        message: `must be at most max_tokens (${maxTokens}), got ${minTokens}; a server cannot generate more than max_tokens`,
      });
    }
    const set = PROMPT_KEYS.filter((key) => scenario[key] !== undefined);
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
        message: `needs a prompt: ${ONE_PROMPT_KEY}`,
      });
    } else if (second !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [second],
        message: `cannot be combined with ${first}; ${ONE_PROMPT_KEY}`,
      });
    }
  }, always);
}

function outputsSchema() {
  return strictObject(
    {
      summary: text('a file path').optional(),
      records: text('a file path').optional(),
      record_tokens: flag().default(false),
      max_error_rate: numberBetween(0, 1).default(1),
    },
    'an object of output paths',
  );
}

/** The SLO bounds a config may set, ms (the names the metrics package counts goodput by). */
export const SLO_KEYS = [
  'ttft_ms',
  'tpot_ms',
  'e2e_ms',
  'ttft_from_schedule_ms',
  'e2e_from_schedule_ms',
] as const;

const sloSchema = strictObject(
  Object.fromEntries(
    SLO_KEYS.map((key) => [key, positiveNumber('a number of milliseconds > 0').optional()]),
  ) as Record<(typeof SLO_KEYS)[number], z.ZodOptional<ReturnType<typeof positiveNumber>>>,
  `an object of per-request bounds in ms (${SLO_KEYS.join(', ')})`,
);

/** `history`: `true` (save every run to the default store) or where and how. */
const historySchema = z.union(
  [
    flag(),
    strictObject(
      {
        save: flag().optional(),
        location: text('a file path or a postgres:// URL').optional(),
        tags: listOf(text('a tag'), 'a list of tags').optional(),
        records: flag().optional(),
      },
      'an object with save, location, tags, records',
    ),
  ],
  expecting('true, false, or an object with save, location, tags, records'),
);

const fidelitySchema = strictObject(
  { event_loop_delay_p99_ms: positiveNumber().default(5) },
  'an object of fidelity thresholds',
);

const WORKERS_WHAT = 'a positive integer or "auto"';
const workersSchema = z.preprocess(
  (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
  z.union(
    [z.number().int(expecting(WORKERS_WHAT)).positive(expecting(WORKERS_WHAT)), z.literal('auto')],
    expecting(WORKERS_WHAT),
  ),
);

function rootSchema(mode: SchemaMode, extensions: ConfigExtensions) {
  const providerSchema = extensionEntry(
    extensions.providers,
    providerCommonShape(extensions),
    'an object with type and models',
    'provider type',
  );
  return strictObject(
    {
      version: z.literal(1, expecting('1')).default(1),
      workers: workersSchema.default(1),
      providers: listOf(providerSchema, 'a non-empty list of providers', true),
      scenarios: listOf(scenarioSchema(mode, extensions), 'a non-empty list of scenarios', true),
      outputs: z.preprocess(nullAsAbsent, outputsSchema().prefault({})),
      fidelity: z.preprocess(nullAsAbsent, fidelitySchema.prefault({})),
      slo: z.preprocess(nullAsAbsent, sloSchema.optional()),
      max_cost_usd: positiveNumber('a cost in USD > 0, such as 5.00').optional(),
      repeat: positiveInt('a whole number of runs >= 1').optional(),
      saturation_guard: z.preprocess(nullAsAbsent, saturationGuardSchema.optional()),
      thresholds: listOf(
        text("a threshold expression such as 'ttft.p95<800'"),
        "a list of threshold expressions such as ['ttft.p95<800', 'success_rate>=0.99']",
      ).optional(),
      abort_on_fail: flag().optional(),
      baseline: text('a summary or run file, history:latest or history:<tag>').optional(),
      regressions: listOf(
        text("a regression check such as 'ttft.p95:+10%'"),
        "a list of regression checks such as ['ttft.p95:+10%', 'e2e.p95:+50ms']",
      ).optional(),
      history: z.preprocess(nullAsAbsent, historySchema.optional()),
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
    return filled;
  });
  config.scenarios = config.scenarios.map(({ name, ...scenario }, index) => {
    const filled: ScenarioConfig = {
      name: name ?? `scenario-${index + 1}`,
      ...scenario,
      load: scenario.load as LoadConfig,
    };
    // With a duration, `requests` is only a cap; without one, it says when the phase ends.
    if (filled.requests === undefined && filled.duration === undefined) {
      filled.requests = DEFAULT_REQUESTS;
    }
    return filled;
  });
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

const schemas = new WeakMap<ConfigExtensions, Map<SchemaMode, ReturnType<typeof rootSchema>>>();

/** The config schema for one mode and set of extensions, built once per pair. */
export function configSchema(
  mode: SchemaMode,
  extensions: ConfigExtensions,
): ReturnType<typeof rootSchema> {
  let byMode = schemas.get(extensions);
  if (byMode === undefined) {
    byMode = new Map();
    schemas.set(extensions, byMode);
  }
  let schema = byMode.get(mode);
  if (schema === undefined) {
    schema = rootSchema(mode, extensions);
    byMode.set(mode, schema);
  }
  return schema;
}
