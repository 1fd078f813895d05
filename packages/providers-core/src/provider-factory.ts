import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { envVarName, text, type z } from '@llm-lens/config-fields';
import type { HttpTransportOptions } from './http-transport.js';
import type { Provider } from './provider.js';
import { LensProviderError } from './provider-error.js';
import type { Transport, TransportInterceptor } from './transport.js';

/** Per-request timeouts of a provider entry, ms (common to every type). */
export interface ProviderTimeoutSettings {
  connect_ms?: number;
  ttft_ms?: number;
  idle_ms?: number;
  total_ms?: number;
}

/**
 * One provider entry of a config, validated: the keys every type has, then the type's own
 * settings (whatever its `configSchema` produced), in snake_case as written in the file.
 */
export interface ProviderSettings {
  name: string;
  type: string;
  models: string[];
  /** Extra request-body fields. */
  options?: Record<string, unknown>;
  /** Extra request headers (never credentials). */
  headers?: Record<string, string>;
  timeouts?: ProviderTimeoutSettings;
  /** Largest response line, event or body accepted, bytes (see `DecoderOptions`). */
  max_event_bytes?: number;
  [setting: string]: unknown;
}

/** What a factory may read while it builds an adapter. */
export interface ProviderContext {
  /** Environment variables (API keys are read from here). */
  env: NodeJS.ProcessEnv;
  /** Directory relative file paths in the settings are resolved against (the config file's). */
  baseDir: string;
}

/** A place a credential is read from, so `validate` can warn before a run fails. */
export interface CredentialSource {
  /** An environment variable that must be set... */
  env?: string;
  /** ...or a file that must be readable (absolute). */
  file?: string;
  /** What it is, for the message ("the API key"). */
  what: string;
}

/** An adapter built from settings, with what the run needs around it. */
export interface ProviderInstance {
  provider: Provider;
  /** Where its requests go, for the console ("https://api.openai.com/v1"). Never holds a credential. */
  endpoint: string;
  /** Every credential it uses, so outputs can be checked never to contain one. */
  secrets: readonly string[];
  /** Wrapped around the transport its requests use, the first one outermost (signing, credential refresh). */
  interceptors?: readonly TransportInterceptor[];
  /**
   * Builds the transport its requests use, for adapters that do not speak plain HTTP (or
   * tests). Default: an {@link HttpTransport} with the executor's options.
   */
  createTransport?(options: HttpTransportOptions): Transport;
  /**
   * How another thread builds the same provider (worker threads each build their own): a
   * registered type and its settings. Default: this type and these settings. The simulator
   * uses it to send workers to the server it started, as `openai-compatible`.
   */
  portable?: { type: string; settings: ProviderSettings };
  /** Stops what `create` started (a simulator). */
  close?(): Promise<void>;
}

/**
 * What a provider adapter package exports so that the config file, the CLI and the executor
 * know its type without an edit of theirs: the type name, the schema of the settings it adds
 * to a provider entry, the environment variables it reads, and how to build the adapter.
 * Packages export their factories as `providerFactories` (an array).
 */
export interface ProviderFactory {
  /** The `type` of a provider entry (`openai`, `openai-compatible`, `mock`, ...). */
  readonly type: string;
  /** One line for `--help` and messages. */
  readonly description: string;
  /**
   * The keys this type adds to a provider entry, with their rules and defaults (a zod object
   * built with @llm-lens/config-fields). The common keys (name, type, models, options,
   * headers, timeouts) are validated by the config package.
   */
  readonly configSchema: z.ZodObject;
  /**
   * The pricing catalog section its models are priced from (`openai` for Azure, `google` for
   * Vertex). Default: its `type` when the catalog has that section; servers that host
   * anyone's models (openai-compatible, ollama, generic, mock) have none, so their cost is
   * unknown unless `--pricing` gives one.
   */
  readonly priceList?: string;
  /** Environment variables the adapter reads by default, for `--help` and the README. */
  readonly envVars: readonly { name: string; description: string }[];
  /** The credentials configured settings need, so `validate` can warn when one is missing. */
  credentials(
    settings: ProviderSettings,
    context: Pick<ProviderContext, 'baseDir'>,
  ): CredentialSource[];
  /** Builds the adapter for validated settings. */
  create(settings: ProviderSettings, context: ProviderContext): Promise<ProviderInstance>;
}

/** The settings of an entry whose adapter reads an API key: `api_key_env` or `api_key_file`. */
export const apiKeySettings = {
  /** Name of the environment variable holding the key (never the key itself). */
  api_key_env: envVarName().optional(),
  /** A file holding only the key, relative to the config file. */
  api_key_file: text('a file path').optional(),
};

/** Refuses `api_key_env` together with `api_key_file`, for schemas that spread {@link apiKeySettings}. */
export function withApiKeyRules<T extends z.ZodObject>(schema: T): T {
  return schema.superRefine((value: Record<string, unknown>, ctx) => {
    if (value.api_key_env !== undefined && value.api_key_file !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['api_key_file'],
        message: 'cannot be combined with api_key_env; set only one of them',
      });
    }
  }) as T;
}

/**
 * Where an entry's API key comes from: its key file, else its `api_key_env`, else
 * `defaultEnv` (undefined when the adapter needs no key by default).
 */
export function apiKeySource(
  settings: ProviderSettings,
  context: Pick<ProviderContext, 'baseDir'>,
  defaultEnv: string | undefined,
): CredentialSource | undefined {
  const file = settings.api_key_file;
  if (typeof file === 'string') {
    return { file: isAbsolute(file) ? file : resolve(context.baseDir, file), what: 'the API key' };
  }
  const env = typeof settings.api_key_env === 'string' ? settings.api_key_env : defaultEnv;
  return env === undefined ? undefined : { env, what: 'the API key' };
}

/**
 * Reads an entry's API key (see {@link apiKeySource}); undefined when none is configured.
 * A configured source that is unset, empty or unreadable fails with LENS_PROVIDER_AUTH and a
 * message that names the variable or file, never the key.
 */
export function readApiKey(
  settings: ProviderSettings,
  context: ProviderContext,
  defaultEnv: string | undefined,
): string | undefined {
  const source = apiKeySource(settings, context, defaultEnv);
  if (source === undefined) return undefined;
  if (source.file !== undefined) {
    let key: string;
    try {
      key = readFileSync(source.file, 'utf8').trim();
    } catch (error) {
      throw new LensProviderError(
        'LENS_PROVIDER_AUTH',
        `provider "${settings.name}": cannot read api_key_file ${source.file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); point it at a file that holds only the API key`,
      );
    }
    if (key.length === 0) {
      throw new LensProviderError(
        'LENS_PROVIDER_AUTH',
        `provider "${settings.name}": api_key_file ${source.file} is empty`,
      );
    }
    return key;
  }
  const key = context.env[source.env!]?.trim();
  if (key === undefined || key === '') {
    throw new LensProviderError(
      'LENS_PROVIDER_AUTH',
      `provider "${settings.name}" needs an API key: set the environment variable ${source.env} (or choose another variable with --api-key-env / api_key_env, or a key file with api_key_file)`,
    );
  }
  return key;
}

/** Problems with an entry's credentials, as warnings (`validate` prints them). */
export function missingCredentials(
  sources: readonly CredentialSource[],
  env: NodeJS.ProcessEnv,
  canRead: (file: string) => boolean,
): string[] {
  const problems: string[] = [];
  for (const source of sources) {
    if (source.env !== undefined && (env[source.env] ?? '').trim() === '') {
      problems.push(
        `${source.what} is read from the environment variable ${source.env}, which is not set`,
      );
    } else if (source.file !== undefined && !canRead(source.file)) {
      problems.push(`${source.what} is read from ${source.file}, which cannot be read`);
    }
  }
  return problems;
}
