import { httpUrl, oneOf, positiveInt, strictObject } from '@llm-lens/config-fields';
import {
  apiKeySettings,
  apiKeySource,
  type ProviderContext,
  type ProviderFactory,
  type ProviderSettings,
  readApiKey,
  withApiKeyRules,
} from '@llm-lens/providers-core';
import {
  COHERE_DEFAULT_BASE_URL,
  type CohereThinking,
  createCohereProvider,
} from './cohere-provider.js';

/** The variable `type: cohere` reads its key from by default: the one Cohere's own SDKs read. */
export const COHERE_API_KEY_ENV = 'CO_API_KEY';
/**
 * Read instead when CO_API_KEY is unset or empty: the name LangChain's Cohere integrations
 * and the Vercel AI SDK's `@ai-sdk/cohere` read.
 */
export const COHERE_API_KEY_FALLBACK_ENV = 'COHERE_API_KEY';

/** The default variable for an entry without api_key_env / api_key_file, given the environment. */
function defaultKeyEnv(env: ProviderContext['env']): string {
  const isSet = (name: string) => (env[name] ?? '').trim() !== '';
  return !isSet(COHERE_API_KEY_ENV) && isSet(COHERE_API_KEY_FALLBACK_ENV)
    ? COHERE_API_KEY_FALLBACK_ENV
    : COHERE_API_KEY_ENV;
}

function thinkingOf(settings: ProviderSettings): CohereThinking | undefined {
  const type = settings.thinking as CohereThinking['type'] | undefined;
  const budget = settings.thinking_token_budget as number | undefined;
  if (type === undefined && budget === undefined) return undefined;
  // A budget alone means thinking on, with that cap.
  return budget === undefined
    ? { type: type ?? 'enabled' }
    : { type: 'enabled', tokenBudget: budget };
}

/** `type: cohere`: Cohere's Chat v2 API; the key comes from CO_API_KEY by default. */
export const cohereProviderFactory: ProviderFactory = {
  type: 'cohere',
  description: `Cohere Chat v2 API (Command models); key from ${COHERE_API_KEY_ENV}`,
  configSchema: withApiKeyRules(
    strictObject(
      {
        base_url: httpUrl().default(COHERE_DEFAULT_BASE_URL),
        thinking: oneOf(['enabled', 'disabled']).optional(),
        thinking_token_budget: positiveInt().optional(),
        ...apiKeySettings,
      },
      'an object of cohere settings',
    ).superRefine((value: Record<string, unknown>, ctx) => {
      if (value.thinking === 'disabled' && value.thinking_token_budget !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['thinking_token_budget'],
          message: 'cannot be combined with thinking: disabled; remove one of them',
        });
      }
    }),
  ),
  envVars: [
    {
      name: COHERE_API_KEY_ENV,
      description: 'the API key (unless api_key_env or api_key_file says otherwise)',
    },
    {
      name: COHERE_API_KEY_FALLBACK_ENV,
      description: `the API key when ${COHERE_API_KEY_ENV} is not set`,
    },
  ],
  credentials: (settings, context) => {
    // The fallback cannot be expressed as a source: an entry is checked for CO_API_KEY.
    const source = apiKeySource(settings, context, COHERE_API_KEY_ENV);
    return source === undefined ? [] : [source];
  },
  async create(settings, context) {
    const apiKey = readApiKey(settings, context, defaultKeyEnv(context.env));
    const baseUrl = settings.base_url as string;
    const options: Parameters<typeof createCohereProvider>[0] = { name: settings.name, baseUrl };
    if (apiKey !== undefined) options.apiKey = apiKey;
    const thinking = thinkingOf(settings);
    if (thinking !== undefined) options.thinking = thinking;
    if (settings.headers !== undefined) options.headers = settings.headers;
    return {
      provider: createCohereProvider(options),
      endpoint: baseUrl,
      secrets: apiKey === undefined ? [] : [apiKey],
    };
  },
};

/** The provider types of this package, as the CLI and the executor discover them. */
export const providerFactories: readonly ProviderFactory[] = [cohereProviderFactory];
