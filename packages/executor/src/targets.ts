import { formatPath } from '@llm-lens/config-fields';
import {
  composeTransport,
  HttpTransport,
  type HttpTransportOptions,
  PriceBook,
  type ProviderFactory,
  type ProviderInstance,
  type ProviderSettings,
  type Transport,
} from '@llm-lens/providers-core';
import { connectionProviderShape, connectionTransportOptions } from './connection-config.js';
import { ExecutorError } from './executor-error.js';
import type { BenchmarkTarget, TargetResilience } from './plan.js';
import type { ExtensionRegistry } from './registry.js';
import type { RequestTimeouts } from './request-runner.js';
import {
  type CircuitBreakerConfig,
  circuitBreakerFromConfig,
  type RateLimitsConfig,
  type RetriesConfig,
  resilienceProviderShape,
  retryPolicyFromConfig,
} from './resilience/resilience-config.js';

/** Options of {@link createTargets}. */
export interface CreateTargetsOptions {
  /** Environment variables adapters read keys from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directory relative paths in provider settings are resolved against. Default the working directory. */
  baseDir?: string;
  /** Most requests the plan keeps in flight: caps each connection pool. Default: no cap. */
  maxConcurrency?: number | undefined;
  /** Prices of the targets' models. Default: the built-in catalog alone. */
  prices?: PriceBook;
}

/** Targets built from provider entries, with what must be closed after the run. */
export interface ResolvedTargets {
  /** One target per provider entry and model, in config order. */
  targets: BenchmarkTarget[];
  /** Every credential in use, so outputs can be checked never to contain one. */
  secrets: string[];
  /** Where each provider's requests go, by provider name ("built-in simulator at ..."). */
  endpoints: Map<string, string>;
  /** Closes every transport, then what the factories started (simulators). */
  close(): Promise<void>;
}

/**
 * Builds an adapter, a connection pool and one target per model for each provider entry,
 * through the factory its `type` names. Nothing here knows any provider: a new adapter
 * package registered in `registry` works without a change to this function.
 */
export async function createTargets(
  providers: readonly ProviderSettings[],
  registry: ExtensionRegistry,
  options: CreateTargetsOptions = {},
): Promise<ResolvedTargets> {
  const context = { env: options.env ?? process.env, baseDir: options.baseDir ?? process.cwd() };
  const instances: ProviderInstance[] = [];
  const transports: Transport[] = [];
  const targets: BenchmarkTarget[] = [];
  const secrets: string[] = [];
  const endpoints = new Map<string, string>();
  const prices = options.prices ?? PriceBook.withCatalog();
  const close = async () => {
    await Promise.allSettled(transports.map((t) => t.close()));
    await Promise.allSettled(instances.map((i) => i.close?.()));
  };
  try {
    for (const given of providers) {
      const factory = registry.providerFactory(given.type);
      const settings = withTypeSettings(given, factory);
      const instance = await factory.create(settings, context);
      instances.push(instance);
      secrets.push(...instance.secrets);
      endpoints.set(settings.name, instance.endpoint);
      const transport = transportFor(instance, settings, options.maxConcurrency);
      transports.push(transport);
      const portable = instance.portable ?? { type: settings.type, settings };
      const resilience = resilienceOf(settings);
      for (const model of settings.models) {
        const target: BenchmarkTarget = { provider: instance.provider, transport, model, portable };
        if (settings.options !== undefined) target.extraBody = settings.options;
        const timeouts = requestTimeoutsOf(settings);
        if (timeouts !== undefined) target.timeouts = timeouts;
        if (settings.max_event_bytes !== undefined) target.maxEventBytes = settings.max_event_bytes;
        if (resilience !== undefined) target.resilience = resilience;
        const price = prices.lookup({
          providerName: settings.name,
          providerType: settings.type,
          priceList: priceListOf(factory, prices),
          model,
        });
        if (price !== undefined) target.price = price;
        targets.push(target);
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { targets, secrets, endpoints, close };
}

/** The catalog section a factory's models are priced from: its own, else its type's if the catalog has one. */
export function priceListOf(factory: ProviderFactory, prices: PriceBook): string | undefined {
  if (factory.priceList !== undefined) return factory.priceList;
  return prices.catalog.some((entry) => entry.provider === factory.type) ? factory.type : undefined;
}

/** Keys every provider entry has, validated by the config package for files. */
const COMMON_KEYS = new Set([
  'name',
  'type',
  'models',
  'options',
  'headers',
  'timeouts',
  'max_event_bytes',
  ...Object.keys(resilienceProviderShape),
  ...Object.keys(connectionProviderShape),
]);

/**
 * The entry with its type's own settings run through the factory's schema: what a config
 * file gets from the config package, for entries built in code (defaults applied, spellings
 * normalised, mistakes reported).
 */
function withTypeSettings(given: ProviderSettings, factory: ProviderFactory): ProviderSettings {
  const own: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(given)) {
    if (Object.hasOwn(factory.configSchema.shape, key)) own[key] = value;
    else if (!COMMON_KEYS.has(key)) unknown.push(key);
  }
  const result = factory.configSchema.safeParse(own);
  const problems = unknown.map((key) => `${key}: not a setting of provider type ${factory.type}`);
  if (!result.success) {
    for (const issue of result.error.issues)
      problems.push(`${formatPath(issue.path)}: ${issue.message}`);
  }
  if (problems.length > 0) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `provider "${given.name}" (type ${factory.type}): ${problems.join('; ')}`,
    );
  }
  return { ...given, ...(result.data as Record<string, unknown>) } as ProviderSettings;
}

function transportFor(
  instance: ProviderInstance,
  settings: ProviderSettings,
  maxConcurrency: number | undefined,
): Transport {
  // The entry's connection_mode and http2 (validated there) reach an adapter's own
  // transport too: createTransport gets the same options.
  const options: HttpTransportOptions = connectionTransportOptions(settings);
  if (maxConcurrency !== undefined) options.connections = maxConcurrency;
  const connectMs = settings.timeouts?.connect_ms;
  if (connectMs !== undefined) options.connectTimeoutMs = connectMs;
  const base = instance.createTransport?.(options) ?? new HttpTransport(options);
  return composeTransport(base, ...(instance.interceptors ?? []));
}

/**
 * The entry's resilience sections, validated here too (an entry built in code skips the
 * config package), as the executor's options; undefined when it has none.
 */
function resilienceOf(settings: ProviderSettings): TargetResilience | undefined {
  const given = settings as Record<string, unknown>;
  const problems: string[] = [];
  const sections: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(resilienceProviderShape)) {
    const result = schema.safeParse(given[key]);
    if (result.success) sections[key] = result.data;
    else {
      for (const issue of result.error.issues) {
        problems.push(`${formatPath([key, ...issue.path])}: ${issue.message}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `provider "${settings.name}": ${problems.join('; ')}`,
    );
  }
  const retries = sections.retries as RetriesConfig | undefined;
  const limits = sections.rate_limits as RateLimitsConfig | undefined;
  const breaker = sections.circuit_breaker as CircuitBreakerConfig | undefined;
  if (retries === undefined && limits === undefined && breaker === undefined) return undefined;
  const resilience: TargetResilience = {};
  if (retries !== undefined) resilience.retries = retryPolicyFromConfig(retries).options();
  if (limits !== undefined) {
    const rateLimits: NonNullable<TargetResilience['rateLimits']> = {};
    if (limits.requests_per_minute !== undefined)
      rateLimits.requestsPerMinute = limits.requests_per_minute;
    if (limits.tokens_per_minute !== undefined)
      rateLimits.tokensPerMinute = limits.tokens_per_minute;
    if (limits.burst_requests !== undefined) rateLimits.burstRequests = limits.burst_requests;
    if (limits.burst_tokens !== undefined) rateLimits.burstTokens = limits.burst_tokens;
    resilience.rateLimits = rateLimits;
  }
  if (breaker !== undefined)
    resilience.circuitBreaker = circuitBreakerFromConfig(breaker)!.options();
  return resilience;
}

function requestTimeoutsOf(settings: ProviderSettings): RequestTimeouts | undefined {
  const t = settings.timeouts;
  if (t === undefined) return undefined;
  const timeouts: RequestTimeouts = {};
  if (t.ttft_ms !== undefined) timeouts.ttftMs = t.ttft_ms;
  if (t.idle_ms !== undefined) timeouts.idleMs = t.idle_ms;
  if (t.total_ms !== undefined) timeouts.totalMs = t.total_ms;
  return timeouts;
}
