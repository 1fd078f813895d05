import { httpUrl, oneOf, strictObject } from '@llm-lens/config-fields';
import {
  apiKeySettings,
  apiKeySource,
  type CredentialSource,
  type ProviderContext,
  type ProviderFactory,
  type ProviderInstance,
  type ProviderSettings,
  readApiKey,
  withApiKeyRules,
} from '@llm-lens/providers-core';
import { createOpenAIProvider, OPENAI_DEFAULT_BASE_URL } from './openai-provider.js';

/** The variable `type: openai` reads its key from when neither api_key_env nor api_key_file is set. */
export const OPENAI_API_KEY_ENV = 'OPENAI_API_KEY';

const api = oneOf(['chat', 'completions', 'responses']).default('chat');

function credentials(
  settings: ProviderSettings,
  context: Pick<ProviderContext, 'baseDir'>,
  defaultEnv: string | undefined,
): CredentialSource[] {
  const source = apiKeySource(settings, context, defaultEnv);
  return source === undefined ? [] : [source];
}

async function create(
  type: 'openai' | 'openai-compatible',
  settings: ProviderSettings,
  context: ProviderContext,
): Promise<ProviderInstance> {
  const apiKey = readApiKey(settings, context, type === 'openai' ? OPENAI_API_KEY_ENV : undefined);
  const baseUrl = settings.base_url as string;
  const options: Parameters<typeof createOpenAIProvider>[0] = {
    id: type,
    name: settings.name,
    baseUrl,
    api: settings.api as 'chat' | 'completions' | 'responses',
  };
  if (apiKey !== undefined) options.apiKey = apiKey;
  if (settings.headers !== undefined) options.headers = settings.headers;
  return {
    provider: createOpenAIProvider(options),
    endpoint: baseUrl,
    secrets: apiKey === undefined ? [] : [apiKey],
  };
}

/** `type: openai`: the OpenAI API itself; the key comes from OPENAI_API_KEY by default. */
export const openaiProviderFactory: ProviderFactory = {
  type: 'openai',
  description: `OpenAI (Chat Completions, legacy Completions or Responses); key from ${OPENAI_API_KEY_ENV}`,
  configSchema: withApiKeyRules(
    strictObject(
      { base_url: httpUrl().default(OPENAI_DEFAULT_BASE_URL), api, ...apiKeySettings },
      'an object of openai settings',
    ),
  ),
  envVars: [
    {
      name: OPENAI_API_KEY_ENV,
      description: 'the API key (unless api_key_env or api_key_file says otherwise)',
    },
  ],
  credentials: (settings, context) => credentials(settings, context, OPENAI_API_KEY_ENV),
  create: (settings, context) => create('openai', settings, context),
};

/** `type: openai-compatible`: vLLM, SGLang, Ollama, llama.cpp, TGI, LM Studio, LiteLLM, ... */
export const openaiCompatibleProviderFactory: ProviderFactory = {
  type: 'openai-compatible',
  description:
    'any server with an OpenAI-compatible API (vLLM, SGLang, Ollama, llama.cpp, TGI, ...); needs base_url',
  configSchema: withApiKeyRules(
    strictObject(
      {
        base_url: httpUrl(
          'is required for type openai-compatible (the server URL including /v1, e.g. http://localhost:8000/v1)',
        ),
        api,
        ...apiKeySettings,
      },
      'an object of openai-compatible settings',
    ),
  ),
  envVars: [],
  credentials: (settings, context) => credentials(settings, context, undefined),
  create: (settings, context) => create('openai-compatible', settings, context),
};

/** The provider types of this package, as the CLI and the executor discover them. */
export const providerFactories: readonly ProviderFactory[] = [
  openaiProviderFactory,
  openaiCompatibleProviderFactory,
];
