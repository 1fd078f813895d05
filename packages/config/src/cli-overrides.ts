// Command-line flags layered over a config (or over the built-in default when there is no
// config file), then validated again so a bad flag is reported by its flag name.
import { extname, resolve } from 'node:path';
import { closestMatch, formatPath } from '@llm-lens/config-fields';
import type { ConfigExtensions } from './config-extensions.js';
import type { ConfigIssue } from './config-issue.js';
import { DEFAULT_LOAD_TYPE, SLO_KEYS } from './config-schema.js';
import type {
  LensConfig,
  LoadConfig,
  PromptsConfig,
  ProviderConfig,
  ScenarioConfig,
  SweepConfig,
} from './lens-config.js';
import { invalid, readPromptFile } from './load-config.js';
import { checkConfig, type PathIssue } from './validate-config.js';

/**
 * Flag values that override the config. Provider-level flags apply to every provider,
 * scenario-level flags to every scenario. `undefined` means "flag not given".
 */
export interface CliOverrides {
  /** `--provider`: with no config, replaces the default mock provider; with a config, sets every provider's type. */
  provider?: string | undefined;
  /** `--base-url`: sets `base_url`, for provider types that have one. */
  baseUrl?: string | undefined;
  /** `--api`: sets `api` (`chat`, `completions`, `responses`), for provider types that have one. */
  api?: string | undefined;
  /** `--api-key-env`: sets `api_key_env` and drops any `api_key_file`, for provider types that have them. */
  apiKeyEnv?: string | undefined;
  /** `--model`: replaces each provider's models with this one. */
  model?: string | undefined;
  /** `--prompt`: replaces each scenario's prompt, prompt_file or messages. */
  prompt?: string | undefined;
  /** `--prompt-file`: relative to `cwd`; read now. */
  promptFile?: string | undefined;
  /** `--requests` */
  requests?: number | undefined;
  /** `--concurrency` */
  concurrency?: number | undefined;
  /** `--warmup` */
  warmup?: number | undefined;
  /** `--warmup-duration`: a warm-up by time (`30s`). */
  warmupDuration?: string | number | undefined;
  /** `--cooldown`: unmeasured load kept on after the measured phase (`10s`). */
  cooldown?: string | number | undefined;
  /** `--duration`: length of the measured phase (`60s`, `2m`, or seconds); without `--requests`, no request cap. */
  duration?: string | number | undefined;
  /** `--load`: the load pattern's type (`closed`, `open`, `burst`, ...). */
  load?: string | undefined;
  /** `--rate`: requests per second of the open loop (implies `--load open`). */
  rate?: number | undefined;
  /** `--arrival`: `constant` or `poisson` (open loop). */
  arrival?: string | undefined;
  /** `--seed`: the seed of Poisson arrivals (open loop). */
  seed?: number | undefined;
  /** `--max-in-flight`: the open loop's cap on requests in flight. */
  maxInFlight?: number | undefined;
  /** `--pause`: time between bursts (`burst`). */
  pause?: string | number | undefined;
  /** `--sweep`: `concurrency=1,2,4` or `rate=1..20:step=2`, every scenario's sweep levels. */
  sweep?: string | undefined;
  /** `--prompts FILE`: a dataset, its kind from the extension (.jsonl, .json = ShareGPT, else text lines). */
  prompts?: string | undefined;
  /** `--input-tokens SPEC`: synthetic prompts of this token length (`512`, `512±128`, `256..768`). */
  inputTokens?: string | undefined;
  /** `--output-tokens SPEC`: the output length of the prompt source's requests (or of each turn of `conversations:`). */
  outputTokens?: string | undefined;
  /** `--replay FILE`: replay a request log (relative to `cwd`). */
  replay?: string | undefined;
  /** `--time-scale N`: replay N times as fast. */
  timeScale?: number | undefined;
  /** `--slo NAME=MS` (repeatable): SLO bounds over the config's `slo`. */
  slo?: readonly string[] | undefined;
  /** `--max-tokens` */
  maxTokens?: number | undefined;
  /** `--min-tokens`: every scenario's `min_tokens` (a fixed output length on vLLM-compatible servers). */
  minTokens?: number | undefined;
  /** `--temperature` */
  temperature?: number | undefined;
  /** `--stream` / `--no-stream` */
  stream?: boolean | undefined;
  /** `--timeout`: per-request total timeout, ms (every scenario's `timeout_ms`). */
  timeout?: number | undefined;
  /** `--ttft-timeout`: dispatch → first token limit, ms (every provider's `timeouts.ttft_ms`). */
  ttftTimeout?: number | undefined;
  /** `--idle-timeout`: longest silence inside a response, ms (every provider's `timeouts.idle_ms`). */
  idleTimeout?: number | undefined;
  /** `--max-event-bytes`: every provider's `max_event_bytes`. */
  maxEventBytes?: number | undefined;
  /** `--max-attempts`: attempts per request, the first included (every provider's `retries.max_attempts`). */
  maxAttempts?: number | undefined;
  /** `--rpm`: requests per minute (every provider's `rate_limits.requests_per_minute`). */
  rpm?: number | undefined;
  /** `--tpm`: tokens per minute (every provider's `rate_limits.tokens_per_minute`). */
  tpm?: number | undefined;
  /** `--connection-mode`: every provider's `connection_mode` (`keep-alive` or `new`). */
  connectionMode?: string | undefined;
  /** `--http2`: every provider's `http2` (offer HTTP/2 by ALPN). */
  http2?: boolean | undefined;
  /** `--max-cost`: the run's budget in USD (`max_cost_usd`). */
  maxCost?: number | undefined;
  /** `--repeat`: runs of the whole benchmark (`repeat`). */
  repeat?: number | undefined;
  /** `--saturation-guard`: stop a phase past saturation, default settings (`saturation_guard: true`). */
  saturationGuard?: boolean | undefined;
  /** `--output`: summary JSON path (outputs.summary). */
  output?: string | undefined;
  /** `--records`: JSONL records path (outputs.records). */
  records?: string | undefined;
  /** `--record-tokens` */
  recordTokens?: boolean | undefined;
  /** `--max-error-rate`: 0..1. */
  maxErrorRate?: number | undefined;
  /** `--workers`: a count or `auto`. */
  workers?: number | 'auto' | undefined;
}

/** Options of {@link applyOverrides}. */
export interface ApplyOverridesOptions {
  /** The provider types and load patterns a config may name. */
  extensions: ConfigExtensions;
  /** Directory `--prompt-file` is relative to; default `process.cwd()`. */
  cwd?: string | undefined;
}

/** The prompt of the built-in default scenario. */
export const DEFAULT_PROMPT = 'Write a short story about a lighthouse keeper.';

/** The config used with no config file: the built-in simulator and one short scenario. */
export function defaultConfig(): LensConfig {
  return {
    version: 1,
    workers: 1,
    providers: [{ name: 'mock', type: 'mock', models: ['mock-model'] }],
    scenarios: [
      {
        name: 'default',
        prompt: DEFAULT_PROMPT,
        requests: 20,
        concurrency: 4,
        warmup: 2,
        load: { type: DEFAULT_LOAD_TYPE },
        max_tokens: 64,
        stream: true,
      },
    ],
    outputs: { record_tokens: false, max_error_rate: 1 },
    fidelity: { event_loop_delay_p99_ms: 5 },
  };
}

type Flag = keyof CliOverrides;

const SETTING_OF_FLAG = { baseUrl: 'base_url', apiKeyEnv: 'api_key_env', api: 'api' } as const;

// Which flag sets which field, to report a bad value under the name the user typed.
const PROVIDER_FLAGS: Record<string, Flag[]> = {
  type: ['provider'],
  base_url: ['baseUrl', 'provider'],
  api: ['api'],
  api_key_env: ['apiKeyEnv'],
  models: ['model', 'provider'],
  'timeouts.ttft_ms': ['ttftTimeout'],
  'timeouts.idle_ms': ['idleTimeout'],
  max_event_bytes: ['maxEventBytes'],
  'retries.max_attempts': ['maxAttempts'],
  'rate_limits.requests_per_minute': ['rpm'],
  'rate_limits.tokens_per_minute': ['tpm'],
  connection_mode: ['connectionMode'],
  http2: ['http2'],
};

/**
 * Provider flags that set a section another package registers (`providerSections`), and
 * that section: the executor's retries, rate limits and connection settings.
 */
const SECTION_FLAGS = [
  ['maxAttempts', 'retries'],
  ['rpm', 'rate_limits'],
  ['tpm', 'rate_limits'],
  ['connectionMode', 'connection_mode'],
  ['http2', 'http2'],
] as const;

/** Provider sections whose keys are reported by the flag that set them (`timeouts.ttft_ms`). */
const NESTED_PROVIDER_KEYS: ReadonlySet<PropertyKey> = new Set([
  'timeouts',
  'retries',
  'rate_limits',
]);
const SCENARIO_FLAGS: Record<string, Flag[]> = {
  prompt: ['prompt'],
  'prompts.input_tokens': ['inputTokens'],
  'prompts.output_tokens': ['outputTokens'],
  'prompts.path': ['prompts'],
  'prompts.undefined': ['prompts', 'inputTokens'],
  'conversations.output_tokens': ['outputTokens'],
  'replay.path': ['replay'],
  'replay.time_scale': ['timeScale'],
  prompt_file: ['promptFile'],
  requests: ['requests'],
  concurrency: ['concurrency'],
  warmup: ['warmup'],
  max_tokens: ['maxTokens'],
  min_tokens: ['minTokens'],
  temperature: ['temperature'],
  stream: ['stream'],
  timeout_ms: ['timeout'],
  duration: ['duration'],
  warmup_duration: ['warmupDuration'],
  cooldown: ['cooldown'],
  'load.type': ['load'],
  'load.rate': ['rate'],
  'load.arrival': ['arrival'],
  'load.seed': ['seed'],
  'load.max_in_flight': ['maxInFlight'],
  'load.pause': ['pause'],
  sweep: ['sweep'],
};

/** Load-pattern flags and the setting each sets in a scenario's `load:` block. */
const LOAD_SETTING_FLAGS = [
  ['rate', 'rate'],
  ['arrival', 'arrival'],
  ['seed', 'seed'],
  ['maxInFlight', 'max_in_flight'],
  ['pause', 'pause'],
] as const;
const ROOT_FLAGS: Record<string, Flag[]> = {
  workers: ['workers'],
  slo: ['slo'],
  max_cost_usd: ['maxCost'],
  repeat: ['repeat'],
  saturation_guard: ['saturationGuard'],
};
const OUTPUT_FLAGS: Record<string, Flag[]> = {
  summary: ['output'],
  records: ['records'],
  record_tokens: ['recordTokens'],
  max_error_rate: ['maxErrorRate'],
};

/** `maxErrorRate` → `--max-error-rate`. */
export function flagName(flag: Flag): string {
  return `--${flag.replace(/[A-Z]/g, (upper) => `-${upper.toLowerCase()}`)}`;
}

/**
 * Applies command-line flags over `config` (or over {@link defaultConfig} when there is no
 * config file) and validates the result; a bad value is reported under its flag name.
 */
export function applyOverrides(
  config: LensConfig | undefined,
  overrides: CliOverrides,
  options: ApplyOverridesOptions,
): LensConfig {
  const given = (flag: Flag) => overrides[flag] !== undefined;
  const merged = structuredClone(config ?? defaultConfig());
  const { provider: type, baseUrl, apiKeyEnv, model } = overrides;
  const keysOf = (providerType: string): readonly string[] => {
    const extension = options.extensions.providers.find((e) => e.type === providerType);
    return extension === undefined ? [] : Object.keys(extension.configSchema.shape);
  };

  const sections = options.extensions.providerSections ?? {};
  const unregistered = SECTION_FLAGS.filter(
    ([flag, section]) => given(flag) && !Object.hasOwn(sections, section),
  );
  if (unregistered.length > 0) {
    throw invalid(
      unregistered.map(([flag, section]) => ({
        path: flagName(flag),
        message: `sets every provider's ${section} section, which no package registered with this program (the executor adds it through providerSections)`,
      })),
      undefined,
    );
  }

  if (config === undefined && type !== undefined && type !== merged.providers[0]?.type) {
    merged.providers = [{ name: type, type, models: model === undefined ? [] : [model] }];
  }
  // --base-url and --api-key-env set the providers whose type has that setting; a flag that
  // no provider can take is an error rather than silently ignored.
  const unused = new Set<Flag>(
    ['baseUrl', 'apiKeyEnv', 'api'].filter((flag) => given(flag as Flag)) as Flag[],
  );
  for (const provider of merged.providers) {
    if (type !== undefined && type !== provider.type) retype(provider, type, keysOf);
    const keys = keysOf(provider.type);
    if (baseUrl !== undefined && (keys.includes('base_url') || keys.length === 0)) {
      provider.base_url = baseUrl;
      unused.delete('baseUrl');
    }
    if (overrides.api !== undefined && (keys.includes('api') || keys.length === 0)) {
      provider.api = overrides.api;
      unused.delete('api');
    }
    if (apiKeyEnv !== undefined && (keys.includes('api_key_env') || keys.length === 0)) {
      provider.api_key_env = apiKeyEnv;
      delete provider.api_key_file;
      unused.delete('apiKeyEnv');
    }
    if (model !== undefined) provider.models = [model];
    if (overrides.ttftTimeout !== undefined || overrides.idleTimeout !== undefined) {
      const timeouts = { ...provider.timeouts };
      if (overrides.ttftTimeout !== undefined) timeouts.ttft_ms = overrides.ttftTimeout;
      if (overrides.idleTimeout !== undefined) timeouts.idle_ms = overrides.idleTimeout;
      provider.timeouts = timeouts;
    }
    if (overrides.maxEventBytes !== undefined) provider.max_event_bytes = overrides.maxEventBytes;
    // Over the provider's own sections: --rpm keeps its tokens_per_minute and bursts.
    if (overrides.maxAttempts !== undefined) {
      provider.retries = { ...provider.retries, max_attempts: overrides.maxAttempts };
    }
    if (overrides.rpm !== undefined || overrides.tpm !== undefined) {
      const limits = { ...provider.rate_limits };
      if (overrides.rpm !== undefined) limits.requests_per_minute = overrides.rpm;
      if (overrides.tpm !== undefined) limits.tokens_per_minute = overrides.tpm;
      provider.rate_limits = limits;
    }
    if (overrides.connectionMode !== undefined) provider.connection_mode = overrides.connectionMode;
    if (overrides.http2 !== undefined) provider.http2 = overrides.http2;
  }
  if (unused.size > 0) {
    const types = [...new Set(merged.providers.map((p) => p.type))].join(', ');
    throw invalid(
      [...unused].map((flag) => ({
        path: flagName(flag),
        message: `does not apply to provider type ${types}, which has no ${SETTING_OF_FLAG[flag as 'baseUrl' | 'apiKeyEnv' | 'api']} setting`,
      })),
      undefined,
    );
  }

  const promptText =
    overrides.promptFile === undefined
      ? undefined
      : readFlagPromptFile(overrides.promptFile, options);
  const promptSource = promptSourceFromFlags(overrides, options);
  for (const scenario of merged.scenarios) {
    if (overrides.prompt !== undefined) {
      clearPromptSources(scenario, 'prompt');
      scenario.prompt = overrides.prompt;
    }
    if (promptText !== undefined) {
      clearPromptSources(scenario, 'prompt', 'prompt_file');
      scenario.prompt = promptText.text;
      scenario.prompt_file = promptText.path;
    }
    if (promptSource !== undefined) {
      clearPromptSources(scenario);
      scenario.prompts = { ...promptSource };
    }
    if (overrides.replay !== undefined) {
      clearPromptSources(scenario);
      scenario.replay = { path: resolve(options.cwd ?? process.cwd(), overrides.replay) };
    }
    if (overrides.timeScale !== undefined) {
      if (scenario.replay === undefined) {
        throw invalid(
          [
            {
              path: '--time-scale',
              message: 'scales the gaps of a replayed log: add --replay FILE',
            },
          ],
          undefined,
        );
      }
      scenario.replay = { ...scenario.replay, time_scale: overrides.timeScale };
    }
    if (overrides.outputTokens !== undefined) {
      if (scenario.conversations !== undefined) {
        scenario.conversations = {
          ...scenario.conversations,
          output_tokens: overrides.outputTokens,
        };
      } else if (scenario.prompts === undefined) {
        throw invalid(
          [
            {
              path: '--output-tokens',
              message:
                'sets the output length of a prompt source (--prompts FILE or --input-tokens) or of conversations; with a plain prompt use --max-tokens',
            },
          ],
          undefined,
        );
      } else {
        scenario.prompts = { ...scenario.prompts, output_tokens: overrides.outputTokens };
      }
    }
    if (overrides.requests !== undefined) scenario.requests = overrides.requests;
    if (overrides.concurrency !== undefined) scenario.concurrency = overrides.concurrency;
    if (overrides.warmup !== undefined) scenario.warmup = overrides.warmup;
    if (overrides.warmupDuration !== undefined) {
      scenario.warmup_duration = overrides.warmupDuration as number;
      // A warm-up by time alone, unless --warmup gives a count too.
      if (overrides.warmup === undefined) scenario.warmup = 0;
    }
    if (overrides.cooldown !== undefined) scenario.cooldown = overrides.cooldown as number;
    if (overrides.duration !== undefined) {
      scenario.duration = overrides.duration as number;
      // A duration alone ends the phase; --requests with it is a cap.
      if (overrides.requests === undefined) delete scenario.requests;
    }
    applyLoadOverrides(scenario, overrides);
    if (overrides.sweep !== undefined) scenario.sweep = sweepFlag(overrides.sweep);
    if (overrides.maxTokens !== undefined) scenario.max_tokens = overrides.maxTokens;
    if (overrides.minTokens !== undefined) scenario.min_tokens = overrides.minTokens;
    if (overrides.temperature !== undefined) scenario.temperature = overrides.temperature;
    if (overrides.stream !== undefined) scenario.stream = overrides.stream;
    if (overrides.timeout !== undefined) scenario.timeout_ms = overrides.timeout;
  }

  const outputs = merged.outputs;
  if (overrides.output !== undefined) outputs.summary = overrides.output;
  if (overrides.records !== undefined) outputs.records = overrides.records;
  if (overrides.recordTokens !== undefined) outputs.record_tokens = overrides.recordTokens;
  if (overrides.maxErrorRate !== undefined) outputs.max_error_rate = overrides.maxErrorRate;
  if (overrides.workers !== undefined) merged.workers = overrides.workers;
  if (overrides.maxCost !== undefined) merged.max_cost_usd = overrides.maxCost;
  if (overrides.repeat !== undefined) merged.repeat = overrides.repeat;
  // The flag turns the guard on or off; settings written in the file stay when it is on.
  if (overrides.saturationGuard === false) merged.saturation_guard = false;
  else if (overrides.saturationGuard === true && typeof merged.saturation_guard !== 'object') {
    merged.saturation_guard = true;
  }
  if (overrides.slo !== undefined && overrides.slo.length > 0) {
    merged.slo = { ...merged.slo, ...sloFlags(overrides.slo) };
  }

  const checked = checkConfig(merged, 'resolved', options.extensions);
  if (checked.ok) return checked.config;
  const issues = dedupe(
    checked.issues.map((issue) => toFlagIssue(issue, given, overrides, merged)),
  );
  throw invalid(issues, undefined);
}

/**
 * Removes what a scenario sends, before a prompt flag sets its own: a flag's prompt replaces
 * the config's, whichever key that was (`conversation_history` goes with `conversations`).
 */
function clearPromptSources(scenario: ScenarioConfig, ...kept: (keyof ScenarioConfig)[]): void {
  const keys = [
    'prompt',
    'prompt_file',
    'messages',
    'prompts',
    'replay',
    'conversations',
    'conversation_history',
  ] as const;
  // A kept key is overwritten in place, so a printed config keeps the order of the file.
  for (const key of keys) if (!kept.includes(key)) delete scenario[key];
}

/**
 * `--load`, `--rate` and the pattern settings. `--rate` alone means an open loop; a
 * setting flag keeps the scenario's pattern and its other settings, so `--rate 20` over a
 * config's `load: {type: open, arrival: poisson}` changes only the rate.
 */
function applyLoadOverrides(scenario: ScenarioConfig, overrides: CliOverrides): void {
  const settingFlags = LOAD_SETTING_FLAGS.filter(([flag]) => overrides[flag] !== undefined);
  if (overrides.load === undefined && settingFlags.length === 0) return;
  const current = scenario.load ?? { type: DEFAULT_LOAD_TYPE };
  let type = overrides.load ?? current.type;
  if (overrides.load === undefined && overrides.rate !== undefined && type !== 'open') {
    type = 'open';
  }
  if (type !== 'open' && overrides.load === undefined) {
    const openOnly = settingFlags.find(([flag]) => flag !== 'pause' && flag !== 'rate');
    if (openOnly !== undefined) {
      throw invalid(
        [
          {
            path: flagName(openOnly[0]),
            message: `sets the open loop's ${openOnly[1]}; add --rate (requests per second) to run an open loop, or set load: {type: open, rate: ...} in the config`,
          },
        ],
        undefined,
      );
    }
  }
  const load: LoadConfig = type === current.type ? { ...current } : { type };
  for (const [flag, key] of settingFlags) load[key] = overrides[flag];
  scenario.load = load;
}

/**
 * The prompt source `--prompts FILE` or `--input-tokens SPEC` asks for (checked by the
 * registered prompt-source schema with the rest of the config), or undefined.
 */
function promptSourceFromFlags(
  overrides: CliOverrides,
  options: ApplyOverridesOptions,
): PromptsConfig | undefined {
  if (overrides.prompts !== undefined && overrides.inputTokens !== undefined) {
    throw invalid(
      [
        {
          path: '--input-tokens',
          message: 'cannot be combined with --prompts: synthetic prompts or a dataset, not both',
        },
      ],
      undefined,
    );
  }
  if (overrides.inputTokens !== undefined) {
    return { type: 'synthetic', input_tokens: overrides.inputTokens };
  }
  if (overrides.prompts === undefined) return undefined;
  const path = resolve(options.cwd ?? process.cwd(), overrides.prompts);
  const extension = extname(path).toLowerCase();
  if (extension === '.jsonl' || extension === '.ndjson') return { type: 'jsonl', path };
  if (extension === '.json') return { type: 'sharegpt', path };
  return { type: 'text', path, split: 'line' };
}

/** `--slo ttft_ms=500 --slo tpot_ms=50`: the bounds by name (values checked by the schema). */
function sloFlags(texts: readonly string[]): Record<string, unknown> {
  const slo: Record<string, unknown> = {};
  for (const text of texts) {
    const match = /^\s*([a-z_]+)\s*=\s*(.*)$/.exec(text);
    const name = match?.[1];
    if (match === null || name === undefined || !(SLO_KEYS as readonly string[]).includes(name)) {
      const guess = name === undefined ? undefined : closestMatch(name, SLO_KEYS);
      throw invalid(
        [
          {
            path: '--slo',
            message: `must be NAME=MILLISECONDS with NAME one of ${SLO_KEYS.join(', ')} (e.g. --slo ttft_ms=500), got ${JSON.stringify(text)}${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`,
          },
        ],
        undefined,
      );
    }
    slo[name] = match[2]!.trim();
  }
  return slo;
}

/** `--sweep concurrency=1,2,4`: which load to vary and its levels (checked by the schema). */
function sweepFlag(text: string): SweepConfig {
  const match = /^\s*(concurrency|rate)\s*=(.*)$/.exec(text);
  if (match === null) {
    throw invalid(
      [
        {
          path: '--sweep',
          message: `must be concurrency=LEVELS or rate=LEVELS (e.g. concurrency=1,2,4,8 or rate=1..20:step=2), got ${JSON.stringify(text)}`,
        },
      ],
      undefined,
    );
  }
  return { [match[1] as 'concurrency' | 'rate']: match[2]!.trim() } as unknown as SweepConfig;
}

/** Changes a provider's type, dropping the settings only its old type had. */
function retype(
  provider: ProviderConfig,
  type: string,
  keysOf: (type: string) => readonly string[],
): void {
  const kept = new Set(keysOf(type));
  for (const key of keysOf(provider.type)) if (!kept.has(key)) delete provider[key];
  provider.type = type;
}

function readFlagPromptFile(
  promptFile: string,
  options: ApplyOverridesOptions,
): { path: string; text: string } {
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, promptFile);
  const field: ConfigIssue = { path: '--prompt-file', message: '' };
  const hint = `--prompt-file is relative to the working directory (${cwd})`;
  return { path, text: readPromptFile(path, { field, file: undefined, hint }) };
}

function toFlagIssue(
  issue: PathIssue,
  given: (flag: Flag) => boolean,
  overrides: CliOverrides,
  config: LensConfig,
): ConfigIssue {
  const [section, second, third, fourth] = issue.path;
  let table: Record<string, Flag[]> | undefined;
  let field: PropertyKey | undefined;
  if (section === 'providers' && typeof second === 'number')
    [table, field] = [
      PROVIDER_FLAGS,
      third !== undefined && NESTED_PROVIDER_KEYS.has(third)
        ? `${String(third)}.${String(fourth)}`
        : third,
    ];
  else if (section === 'scenarios' && typeof second === 'number')
    [table, field] = [
      SCENARIO_FLAGS,
      third === 'load' || third === 'prompts' || third === 'replay' || third === 'conversations'
        ? `${third}.${String(fourth)}`
        : third,
    ];
  else if (section === 'outputs') [table, field] = [OUTPUT_FLAGS, second];
  else if (
    section === 'workers' ||
    section === 'slo' ||
    section === 'max_cost_usd' ||
    section === 'repeat' ||
    section === 'saturation_guard'
  )
    [table, field] = [ROOT_FLAGS, section];
  const flags = table !== undefined && typeof field === 'string' ? table[field] : undefined;
  const flag = flags?.find(given);
  if (flags === undefined || flag === undefined) {
    return { path: formatPath(issue.path), message: issue.message };
  }
  // The first flag is the one that sets the field (--base-url), even when another flag
  // (--provider openai-compatible) is what made it necessary.
  const name = flagName(flags[0] ?? flag);
  // A flag that sets a key the provider's type does not have (--base-url on the simulator).
  if (section === 'providers' && issue.message.startsWith('unknown key')) {
    const provider = typeof second === 'number' ? config.providers[second] : undefined;
    return {
      path: name,
      message: `does not apply to provider type ${provider?.type ?? '?'}, which has no ${String(field)} setting`,
    };
  }
  // A provider picked by flag without a model has an empty model list: say which flag to add.
  if (field === 'models' && overrides.model === undefined && overrides.provider !== undefined) {
    return {
      path: name,
      message: `is required with --provider ${overrides.provider} (e.g. --model gpt-4o-mini)`,
    };
  }
  return { path: name, message: issue.message };
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
