import { httpUrl, positiveInt, strictObject, text } from '@llm-lens/config-fields';
import {
  apiKeySettings,
  apiKeySource,
  type ProviderFactory,
  readApiKey,
  withApiKeyRules,
} from '@llm-lens/providers-core';
import {
  ANTHROPIC_API_VERSION,
  ANTHROPIC_DEFAULT_BASE_URL,
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  createAnthropicProvider,
} from './anthropic-provider.js';

/** The variable `type: anthropic` reads its key from when neither api_key_env nor api_key_file is set. */
export const ANTHROPIC_API_KEY_ENV = 'ANTHROPIC_API_KEY';

/** `type: anthropic`: the Anthropic Messages API; the key comes from ANTHROPIC_API_KEY by default. */
export const anthropicProviderFactory: ProviderFactory = {
  type: 'anthropic',
  description: `Anthropic Messages API (Claude); key from ${ANTHROPIC_API_KEY_ENV}`,
  configSchema: withApiKeyRules(
    strictObject(
      {
        base_url: httpUrl().default(ANTHROPIC_DEFAULT_BASE_URL),
        anthropic_version: text('an anthropic-version date such as 2023-06-01').default(
          ANTHROPIC_API_VERSION,
        ),
        default_max_tokens: positiveInt().default(ANTHROPIC_DEFAULT_MAX_TOKENS),
        ...apiKeySettings,
      },
      'an object of anthropic settings',
    ),
  ),
  envVars: [
    {
      name: ANTHROPIC_API_KEY_ENV,
      description: 'the API key (unless api_key_env or api_key_file says otherwise)',
    },
  ],
  credentials: (settings, context) => {
    const source = apiKeySource(settings, context, ANTHROPIC_API_KEY_ENV);
    return source === undefined ? [] : [source];
  },
  async create(settings, context) {
    const apiKey = readApiKey(settings, context, ANTHROPIC_API_KEY_ENV);
    const baseUrl = settings.base_url as string;
    const options: Parameters<typeof createAnthropicProvider>[0] = {
      name: settings.name,
      baseUrl,
      apiVersion: settings.anthropic_version as string,
      defaultMaxTokens: settings.default_max_tokens as number,
    };
    if (apiKey !== undefined) options.apiKey = apiKey;
    if (settings.headers !== undefined) options.headers = settings.headers;
    return {
      provider: createAnthropicProvider(options),
      endpoint: baseUrl,
      secrets: apiKey === undefined ? [] : [apiKey],
    };
  },
};

/** The provider types of this package, as the CLI and the executor discover them. */
export const providerFactories: readonly ProviderFactory[] = [anthropicProviderFactory];
