import { expecting, httpUrl, strictObject, z } from '@llm-lens/config-fields';
import {
  apiKeySettings,
  apiKeySource,
  type ProviderFactory,
  readApiKey,
  withApiKeyRules,
} from '@llm-lens/providers-core';
import {
  OLLAMA_DEFAULT_BASE_URL,
  OLLAMA_HOST_ENV,
  resolveOllamaBaseUrl,
} from './ollama-base-url.js';
import { createOllamaProvider, type OllamaThink } from './ollama-provider.js';

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/;

// A Go duration as Ollama parses keep_alive strings (time.ParseDuration): "5m", "1h30m", "-1s".
const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^0$/;

// `${VAR}` substitution yields strings: "true"/"false" are the booleans, "300" is seconds.
function fromBooleanString(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

function fromNumericString(value: unknown): unknown {
  return typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
}

/** `think`: true, false, or an effort level. */
function thinkSetting() {
  return z.preprocess(
    fromBooleanString,
    z.union(
      [z.boolean(), z.enum(['low', 'medium', 'high'])],
      expecting('true, false, or one of low | medium | high'),
    ),
  );
}

/** `keep_alive`: a duration string such as 10m, or seconds (negative: keep the model loaded). */
function keepAliveSetting() {
  const e = expecting('a duration such as 10m, 1h or 30s, or a number of seconds (-1: forever)');
  return z.preprocess(
    fromNumericString,
    z.union([z.number(e).finite(e), z.string(e).regex(GO_DURATION, e)], e),
  );
}

/**
 * `type: ollama`: Ollama's native chat API. The server is `base_url`, else OLLAMA_HOST (read
 * the way Ollama reads it), else http://127.0.0.1:11434; no key unless api_key_env or
 * api_key_file names one.
 */
export const ollamaProviderFactory: ProviderFactory = {
  type: 'ollama',
  description: `Ollama's native API (/api/chat, NDJSON), keeping its own eval durations; server from base_url or ${OLLAMA_HOST_ENV}`,
  configSchema: withApiKeyRules(
    strictObject(
      {
        base_url: httpUrl().optional(),
        think: thinkSetting().optional(),
        keep_alive: keepAliveSetting().optional(),
        ...apiKeySettings,
      },
      'an object of ollama settings',
    ),
  ),
  envVars: [
    {
      name: OLLAMA_HOST_ENV,
      description: `the server when base_url is not set: host, host:port or a URL (default ${OLLAMA_DEFAULT_BASE_URL})`,
    },
  ],
  credentials: (settings, context) => {
    const source = apiKeySource(settings, context, undefined);
    return source === undefined ? [] : [source];
  },
  async create(settings, context) {
    const baseUrl = resolveOllamaBaseUrl(settings.base_url as string | undefined, context.env);
    const apiKey = readApiKey(settings, context, undefined);
    const options: Parameters<typeof createOllamaProvider>[0] = { name: settings.name, baseUrl };
    if (apiKey !== undefined) options.apiKey = apiKey;
    if (settings.think !== undefined) options.think = settings.think as OllamaThink;
    if (settings.keep_alive !== undefined)
      options.keepAlive = settings.keep_alive as string | number;
    if (settings.headers !== undefined) options.headers = settings.headers;
    return {
      provider: createOllamaProvider(options),
      endpoint: baseUrl,
      secrets: apiKey === undefined ? [] : [apiKey],
    };
  },
};

/** The provider types of this package, as the CLI and the executor discover them. */
export const providerFactories: readonly ProviderFactory[] = [ollamaProviderFactory];
