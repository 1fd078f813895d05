import {
  envVarName,
  expecting,
  httpUrl,
  listOf,
  mapOf,
  oneOf,
  strictObject,
  text,
  z,
} from '@llm-lens/config-fields';
import {
  apiKeySettings,
  apiKeySource,
  type CredentialSource,
  LensProviderError,
  type ProviderContext,
  type ProviderFactory,
  type ProviderInstance,
  type ProviderSettings,
  readApiKey,
  withApiKeyRules,
} from '@llm-lens/providers-core';
import {
  AccessTokenCommand,
  AZ_ACCESS_TOKEN_COMMAND,
  accessTokenInterceptor,
} from './access-token.js';
import {
  type AzureApi,
  type AzureProviderOptions,
  createAzureProvider,
  normalizeAzureEndpoint,
} from './azure-provider.js';

/** The variable the key is read from when no other credential is configured. */
export const AZURE_OPENAI_API_KEY_ENV = 'AZURE_OPENAI_API_KEY';
/** The variable the endpoint is read from when `endpoint` is not set. */
export const AZURE_OPENAI_ENDPOINT_ENV = 'AZURE_OPENAI_ENDPOINT';

const commandLineExpected = expecting(
  `a command line such as "${AZ_ACCESS_TOKEN_COMMAND}", or a list of the program and its arguments`,
);
const commandLine = z
  .union(
    [text(), listOf(text('a non-empty string'), 'a list of the program and its arguments', true)],
    commandLineExpected,
  )
  .refine((command) => typeof command !== 'string' || command.trim() !== '', commandLineExpected);

const settingsSchema = withApiKeyRules(
  strictObject(
    {
      endpoint: httpUrl().optional(),
      api: oneOf(['deployments', 'v1']).default('deployments'),
      api_version: text('an api-version such as 2024-10-21').optional(),
      deployment: mapOf(
        text('a deployment name'),
        'a map from model name to deployment name, e.g. { gpt-4o: my-gpt4o-deployment }',
      ).optional(),
      max_tokens_field: oneOf(['max_completion_tokens', 'max_tokens']).default(
        'max_completion_tokens',
      ),
      ...apiKeySettings,
      access_token_env: envVarName().optional(),
      access_token_command: commandLine.optional(),
    },
    'an object of azure settings',
  ).superRefine((value: Record<string, unknown>, ctx) => {
    const chosen = [
      value.api_key_env !== undefined || value.api_key_file !== undefined ? 'an API key' : '',
      value.access_token_env !== undefined ? 'access_token_env' : '',
      value.access_token_command !== undefined ? 'access_token_command' : '',
    ].filter((credential) => credential !== '');
    if (chosen.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [
          value.access_token_command !== undefined ? 'access_token_command' : 'access_token_env',
        ],
        message: `cannot be combined with ${chosen.slice(0, -1).join(' or ')}; choose one credential: an API key (api_key_env / api_key_file, default ${AZURE_OPENAI_API_KEY_ENV}), access_token_env or access_token_command`,
      });
    }
  }),
);

type AzureCredentialSettings =
  | { kind: 'api-key'; source: CredentialSource | undefined }
  | { kind: 'access-token-env'; env: string }
  | { kind: 'access-token-command'; argv: [string, ...string[]] };

function argvOf(command: unknown): [string, ...string[]] {
  const parts = typeof command === 'string' ? command.trim().split(/\s+/) : (command as string[]);
  return parts as [string, ...string[]];
}

function credentialOf(
  settings: ProviderSettings,
  context: Pick<ProviderContext, 'baseDir'>,
): AzureCredentialSettings {
  if (settings.access_token_command !== undefined) {
    return { kind: 'access-token-command', argv: argvOf(settings.access_token_command) };
  }
  if (typeof settings.access_token_env === 'string') {
    return { kind: 'access-token-env', env: settings.access_token_env };
  }
  return { kind: 'api-key', source: apiKeySource(settings, context, AZURE_OPENAI_API_KEY_ENV) };
}

function endpointOf(settings: ProviderSettings, env: NodeJS.ProcessEnv): string {
  if (typeof settings.endpoint === 'string') return normalizeAzureEndpoint(settings.endpoint);
  const fromEnv = env[AZURE_OPENAI_ENDPOINT_ENV]?.trim();
  if (fromEnv === undefined || fromEnv === '') {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `provider "${settings.name}" needs the resource endpoint: set endpoint (e.g. https://my-resource.openai.azure.com) or the environment variable ${AZURE_OPENAI_ENDPOINT_ENV}`,
    );
  }
  try {
    return normalizeAzureEndpoint(fromEnv);
  } catch (error) {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `provider "${settings.name}": the environment variable ${AZURE_OPENAI_ENDPOINT_ENV} is not usable: ${(error as Error).message}`,
    );
  }
}

function readAccessTokenEnv(
  settings: ProviderSettings,
  env: NodeJS.ProcessEnv,
  name: string,
): string {
  const token = env[name]?.trim();
  if (token === undefined || token === '') {
    throw new LensProviderError(
      'LENS_PROVIDER_AUTH',
      `provider "${settings.name}" needs an Entra ID access token in the environment variable ${name} (access_token_env), which is not set; e.g. export ${name}=$(${AZ_ACCESS_TOKEN_COMMAND}), or use access_token_command`,
    );
  }
  return token;
}

async function create(
  settings: ProviderSettings,
  context: ProviderContext,
): Promise<ProviderInstance> {
  const endpoint = endpointOf(settings, context.env);
  const api = settings.api as AzureApi;
  const options: AzureProviderOptions = {
    name: settings.name,
    endpoint,
    api,
    maxTokensField: settings.max_tokens_field as 'max_completion_tokens' | 'max_tokens',
  };
  if (typeof settings.api_version === 'string') options.apiVersion = settings.api_version;
  if (settings.deployment !== undefined) {
    options.deployments = settings.deployment as Record<string, string>;
  }
  if (settings.headers !== undefined) options.headers = settings.headers;
  const displayEndpoint = api === 'v1' ? `${endpoint}/openai/v1` : `${endpoint}/openai/deployments`;
  const credential = credentialOf(settings, context);
  if (credential.kind === 'api-key') {
    const apiKey = readApiKey(settings, context, AZURE_OPENAI_API_KEY_ENV);
    if (apiKey !== undefined) options.credential = { kind: 'api-key', apiKey };
    return {
      provider: createAzureProvider(options),
      endpoint: displayEndpoint,
      secrets: apiKey === undefined ? [] : [apiKey],
    };
  }
  if (credential.kind === 'access-token-env') {
    const accessToken = readAccessTokenEnv(settings, context.env, credential.env);
    options.credential = { kind: 'access-token', accessToken };
    return {
      provider: createAzureProvider(options),
      endpoint: displayEndpoint,
      secrets: [accessToken],
    };
  }
  const source = new AccessTokenCommand({
    argv: credential.argv,
    label: `provider "${settings.name}": access_token_command`,
  });
  // Fetched now, so a broken command stops the run before it starts and the first requests
  // do not wait for it.
  const token = await source.get();
  options.credential = { kind: 'access-token' };
  return {
    provider: createAzureProvider(options),
    endpoint: displayEndpoint,
    // Only the first token: secrets are collected once, at create. Later tokens appear in no
    // message of ours either (the command's errors never quote its output).
    secrets: [token],
    interceptors: [accessTokenInterceptor(source)],
  };
}

/** `type: azure`: Azure OpenAI deployments; endpoint from AZURE_OPENAI_ENDPOINT, key from AZURE_OPENAI_API_KEY, or Entra ID. */
export const azureProviderFactory: ProviderFactory = {
  type: 'azure',
  priceList: 'openai',
  description: `Azure OpenAI chat completions (deployment URLs or the v1 API); endpoint from ${AZURE_OPENAI_ENDPOINT_ENV}, key from ${AZURE_OPENAI_API_KEY_ENV} or an Entra ID token`,
  configSchema: settingsSchema,
  envVars: [
    {
      name: AZURE_OPENAI_ENDPOINT_ENV,
      description:
        'the resource endpoint, e.g. https://my-resource.openai.azure.com (unless endpoint is set)',
    },
    {
      name: AZURE_OPENAI_API_KEY_ENV,
      description:
        'the API key (unless api_key_env, api_key_file, access_token_env or access_token_command says otherwise)',
    },
  ],
  credentials(settings, context) {
    const credential = credentialOf(settings, context);
    if (credential.kind === 'api-key')
      return credential.source === undefined ? [] : [credential.source];
    if (credential.kind === 'access-token-env') {
      return [{ env: credential.env, what: 'the Entra ID access token' }];
    }
    // A command can only be checked by running it, which create() does.
    return [];
  },
  create,
};

/** The provider types of this package, as the CLI and the executor discover them. */
export const providerFactories: readonly ProviderFactory[] = [azureProviderFactory];
