import { readFileSync } from 'node:fs';
import type { LensConfig, MockDistribution, ProviderConfig } from '@llm-lens/config';
import type { BenchmarkTarget } from '@llm-lens/executor';
import { HttpTransport, type Provider } from '@llm-lens/providers-core';
import {
  type LatencySpec,
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from '@llm-lens/providers-mock';
import { createOpenAIProvider } from '@llm-lens/providers-openai';
import { CliError } from './cli-error.js';

/** Provider types the CLI can build, for --help and error messages. */
export const PROVIDER_TYPES = ['openai', 'openai-compatible', 'mock'] as const;

/** Targets built from a config, with what must be closed after the run. */
export interface ResolvedTargets {
  targets: BenchmarkTarget[];
  /** Every API key in use, so outputs can be checked never to contain one. */
  secrets: string[];
  /** Human-readable "where" per provider name (simulator URL, base URL). */
  endpoints: Map<string, string>;
  close(): Promise<void>;
}

/**
 * Builds a provider adapter and a connection pool per configured provider, and one
 * target per model. `type: mock` starts the built-in simulator on a free loopback port.
 */
export async function resolveTargets(
  config: LensConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedTargets> {
  const simulators: RunningSimulator[] = [];
  const transports: HttpTransport[] = [];
  const targets: BenchmarkTarget[] = [];
  const secrets: string[] = [];
  const endpoints = new Map<string, string>();
  const maxConcurrency = Math.max(1, ...config.scenarios.map((s) => s.concurrency));
  const close = async () => {
    await Promise.allSettled(transports.map((t) => t.close()));
    await Promise.allSettled(simulators.map((s) => s.close()));
  };
  try {
    for (const providerConfig of config.providers) {
      let provider: Provider;
      if (providerConfig.type === 'mock') {
        const simulator = await startSimulator(simulatorOptions(providerConfig));
        simulators.push(simulator);
        endpoints.set(providerConfig.name, `built-in simulator at ${simulator.baseUrl}`);
        provider = createOpenAIProvider({
          id: 'openai-compatible',
          name: providerConfig.name,
          baseUrl: simulator.baseUrl,
          api: providerConfig.api,
        });
      } else {
        const apiKey = readApiKey(providerConfig, env);
        if (apiKey !== undefined) secrets.push(apiKey);
        const options: Parameters<typeof createOpenAIProvider>[0] = {
          id: providerConfig.type,
          name: providerConfig.name,
          api: providerConfig.api,
        };
        if (providerConfig.base_url !== undefined) options.baseUrl = providerConfig.base_url;
        if (apiKey !== undefined) options.apiKey = apiKey;
        if (providerConfig.headers) options.headers = providerConfig.headers;
        provider = createOpenAIProvider(options);
        endpoints.set(providerConfig.name, providerConfig.base_url ?? 'https://api.openai.com/v1');
      }
      const transportOptions: ConstructorParameters<typeof HttpTransport>[0] = {
        connections: maxConcurrency,
      };
      if (providerConfig.timeouts?.connect_ms !== undefined) {
        transportOptions.connectTimeoutMs = providerConfig.timeouts.connect_ms;
      }
      const transport = new HttpTransport(transportOptions);
      transports.push(transport);
      for (const model of providerConfig.models) {
        const target: BenchmarkTarget = { provider, transport, model };
        if (providerConfig.options) target.extraBody = providerConfig.options;
        const timeouts = providerConfig.timeouts;
        if (timeouts) {
          target.timeouts = {};
          if (timeouts.ttft_ms !== undefined) target.timeouts.ttftMs = timeouts.ttft_ms;
          if (timeouts.idle_ms !== undefined) target.timeouts.idleMs = timeouts.idle_ms;
          if (timeouts.total_ms !== undefined) target.timeouts.totalMs = timeouts.total_ms;
        }
        targets.push(target);
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { targets, secrets, endpoints, close };
}

/** Reads a provider's API key from its env var or key file. The key is never printed. */
function readApiKey(provider: ProviderConfig, env: NodeJS.ProcessEnv): string | undefined {
  if (provider.api_key_file !== undefined) {
    let key: string;
    try {
      key = readFileSync(provider.api_key_file, 'utf8').trim();
    } catch (error) {
      throw new CliError(
        `providers "${provider.name}".api_key_file: cannot read ${provider.api_key_file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); point it at a file that holds only the API key.`,
      );
    }
    if (key.length === 0) {
      throw new CliError(
        `providers "${provider.name}".api_key_file: ${provider.api_key_file} is empty.`,
      );
    }
    return key;
  }
  const envName =
    provider.api_key_env ?? (provider.type === 'openai' ? 'OPENAI_API_KEY' : undefined);
  if (envName === undefined) return undefined;
  const key = env[envName];
  if (key === undefined || key.trim() === '') {
    if (provider.type === 'openai' || provider.api_key_env !== undefined) {
      throw new CliError(
        `provider "${provider.name}" needs an API key: set the environment variable ${envName} (or choose another variable with --api-key-env / api_key_env, or a key file with api_key_file).`,
      );
    }
    return undefined;
  }
  return key.trim();
}

function latency(spec: MockDistribution): LatencySpec {
  switch (spec.distribution) {
    case 'fixed':
      return { distribution: 'fixed', ms: spec.value_ms };
    case 'normal':
      return { distribution: 'normal', meanMs: spec.mean_ms, stdevMs: spec.stdev_ms };
    case 'lognormal':
      return { distribution: 'lognormal', medianMs: spec.median_ms, sigma: spec.sigma };
  }
}

/** Maps the config's `mock:` block (snake_case) to the simulator's options. */
export function simulatorOptions(provider: ProviderConfig): SimulatorOptions {
  const mock = provider.mock ?? {};
  const options: SimulatorOptions = {};
  if (mock.ttft_ms) options.ttftMs = latency(mock.ttft_ms);
  if (mock.itl_ms) options.itlMs = latency(mock.itl_ms);
  if (mock.output_tokens !== undefined) options.outputTokens = mock.output_tokens;
  if (mock.tokens_per_event !== undefined) options.tokensPerEvent = mock.tokens_per_event;
  if (mock.reasoning_tokens !== undefined) options.reasoningTokens = mock.reasoning_tokens;
  if (mock.mode !== undefined) options.mode = mock.mode;
  if (mock.seed !== undefined) options.seed = mock.seed;
  const f = mock.faults;
  if (f) {
    const faults: NonNullable<SimulatorOptions['faults']> = {};
    if (f.rate_limit_rate !== undefined) faults.rateLimitRate = f.rate_limit_rate;
    if (f.retry_after_s !== undefined) faults.retryAfterS = f.retry_after_s;
    if (f.server_error_rate !== undefined) faults.serverErrorRate = f.server_error_rate;
    if (f.drop_rate !== undefined) faults.dropRate = f.drop_rate;
    if (f.stall_rate !== undefined) faults.stallRate = f.stall_rate;
    if (f.stall_ms !== undefined) faults.stallMs = f.stall_ms;
    if (f.mid_stream_error_rate !== undefined) faults.midStreamErrorRate = f.mid_stream_error_rate;
    options.faults = faults;
  }
  return options;
}
