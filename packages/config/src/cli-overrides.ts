// Command-line flags layered over a config (or over the built-in default when there is no
// config file), then validated again so a bad flag is reported by its flag name.
import { resolve } from 'node:path';
import { type ConfigIssue, formatPath } from './config-issue.js';
import type { LensConfig, ProviderType } from './lens-config.js';
import { invalid, readPromptFile } from './load-config.js';
import { checkConfig, type PathIssue } from './validate-config.js';

/**
 * Flag values that override the config. Provider-level flags apply to every provider,
 * scenario-level flags to every scenario. `undefined` means "flag not given".
 */
export interface CliOverrides {
  /** `--provider`: with no config, replaces the default mock provider; with a config, sets every provider's type. */
  provider?: ProviderType | undefined;
  /** `--base-url` */
  baseUrl?: string | undefined;
  /** `--api-key-env`: replaces api_key_env and any api_key_file. */
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
  /** `--max-tokens` */
  maxTokens?: number | undefined;
  /** `--temperature` */
  temperature?: number | undefined;
  /** `--stream` / `--no-stream` */
  stream?: boolean | undefined;
  /** `--timeout-ms`: per-request total timeout, ms. */
  timeoutMs?: number | undefined;
  /** `--output`: summary JSON path (outputs.summary). */
  output?: string | undefined;
  /** `--records`: JSONL records path (outputs.records). */
  records?: string | undefined;
  /** `--record-tokens` */
  recordTokens?: boolean | undefined;
  /** `--max-error-rate`: 0..1. */
  maxErrorRate?: number | undefined;
}

/** Options of {@link applyOverrides}. */
export interface ApplyOverridesOptions {
  /** Directory `--prompt-file` is relative to; default `process.cwd()`. */
  cwd?: string | undefined;
}

/** The prompt of the built-in default scenario. */
export const DEFAULT_PROMPT = 'Write a short story about a lighthouse keeper.';

/** The config used with no config file: the built-in simulator and one short scenario. */
export function defaultConfig(): LensConfig {
  return {
    version: 1,
    providers: [{ name: 'mock', type: 'mock', api: 'chat', models: ['mock-model'] }],
    scenarios: [
      {
        name: 'default',
        prompt: DEFAULT_PROMPT,
        requests: 20,
        concurrency: 4,
        warmup: 2,
        max_tokens: 64,
        stream: true,
        timeout_ms: 120_000,
      },
    ],
    outputs: { record_tokens: false, max_error_rate: 1 },
    fidelity: { event_loop_delay_p99_ms: 5 },
  };
}

type Flag = keyof CliOverrides;

// Which flag sets which field, to report a bad value under the name the user typed.
const PROVIDER_FLAGS: Record<string, Flag[]> = {
  type: ['provider'],
  base_url: ['baseUrl', 'provider'],
  api_key_env: ['apiKeyEnv'],
  models: ['model', 'provider'],
};
const SCENARIO_FLAGS: Record<string, Flag[]> = {
  prompt: ['prompt'],
  prompt_file: ['promptFile'],
  requests: ['requests'],
  concurrency: ['concurrency'],
  warmup: ['warmup'],
  max_tokens: ['maxTokens'],
  temperature: ['temperature'],
  stream: ['stream'],
  timeout_ms: ['timeoutMs'],
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
  options: ApplyOverridesOptions = {},
): LensConfig {
  const given = (flag: Flag) => overrides[flag] !== undefined;
  const merged = structuredClone(config ?? defaultConfig());
  const { provider: type, baseUrl, apiKeyEnv, model } = overrides;

  if (config === undefined && type !== undefined && type !== 'mock') {
    merged.providers = [
      { name: type, type, api: 'chat', models: model === undefined ? [] : [model] },
    ];
  }
  for (const provider of merged.providers) {
    if (type !== undefined) {
      provider.type = type;
      if (type !== 'mock') delete provider.mock;
    }
    if (baseUrl !== undefined) provider.base_url = baseUrl;
    if (apiKeyEnv !== undefined) {
      provider.api_key_env = apiKeyEnv;
      delete provider.api_key_file;
    }
    if (model !== undefined) provider.models = [model];
  }

  const promptText =
    overrides.promptFile === undefined
      ? undefined
      : readFlagPromptFile(overrides.promptFile, options);
  for (const scenario of merged.scenarios) {
    if (overrides.prompt !== undefined) {
      scenario.prompt = overrides.prompt;
      delete scenario.prompt_file;
      delete scenario.messages;
    }
    if (promptText !== undefined) {
      scenario.prompt = promptText.text;
      scenario.prompt_file = promptText.path;
      delete scenario.messages;
    }
    if (overrides.requests !== undefined) scenario.requests = overrides.requests;
    if (overrides.concurrency !== undefined) scenario.concurrency = overrides.concurrency;
    if (overrides.warmup !== undefined) scenario.warmup = overrides.warmup;
    if (overrides.maxTokens !== undefined) scenario.max_tokens = overrides.maxTokens;
    if (overrides.temperature !== undefined) scenario.temperature = overrides.temperature;
    if (overrides.stream !== undefined) scenario.stream = overrides.stream;
    if (overrides.timeoutMs !== undefined) scenario.timeout_ms = overrides.timeoutMs;
  }

  const outputs = merged.outputs;
  if (overrides.output !== undefined) outputs.summary = overrides.output;
  if (overrides.records !== undefined) outputs.records = overrides.records;
  if (overrides.recordTokens !== undefined) outputs.record_tokens = overrides.recordTokens;
  if (overrides.maxErrorRate !== undefined) outputs.max_error_rate = overrides.maxErrorRate;

  const checked = checkConfig(merged, 'resolved');
  if (checked.ok) return checked.config;
  const issues = dedupe(checked.issues.map((issue) => toFlagIssue(issue, given, overrides)));
  throw invalid(issues, undefined);
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
): ConfigIssue {
  const [section, second, third] = issue.path;
  let table: Record<string, Flag[]> | undefined;
  let field: PropertyKey | undefined;
  if (section === 'providers' && typeof second === 'number')
    [table, field] = [PROVIDER_FLAGS, third];
  else if (section === 'scenarios' && typeof second === 'number')
    [table, field] = [SCENARIO_FLAGS, third];
  else if (section === 'outputs') [table, field] = [OUTPUT_FLAGS, second];
  const flags = table !== undefined && typeof field === 'string' ? table[field] : undefined;
  const flag = flags?.find(given);
  if (flags === undefined || flag === undefined) {
    return { path: formatPath(issue.path), message: issue.message };
  }
  // The first flag is the one that sets the field (--base-url), even when another flag
  // (--provider openai-compatible) is what made it necessary.
  const name = flagName(flags[0] ?? flag);
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
