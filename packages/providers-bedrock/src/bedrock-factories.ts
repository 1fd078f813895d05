import {
  expecting,
  httpUrl,
  oneOf,
  positiveInt,
  strictObject,
  text,
  z,
} from '@llm-lens/config-fields';
import type { CredentialSource, ProviderFactory, ProviderInstance } from '@llm-lens/providers-core';
import {
  AWS_REGION_PATTERN,
  BEDROCK_API_KEY_ENV,
  type BedrockAuthMode,
  resolveBedrockAccess,
} from './bedrock-credentials.js';
import {
  BEDROCK_ANTHROPIC_VERSION,
  BEDROCK_DEFAULT_MAX_TOKENS,
  type BedrockApi,
  type BedrockProviderOptions,
  bedrockEndpoint,
  createBedrockProvider,
} from './bedrock-provider.js';
import { sigV4Interceptor } from './sigv4-signing.js';

const REGION_WHAT = 'an AWS region such as us-east-1';

/** `type: bedrock`: Amazon Bedrock Runtime, ConverseStream by default, signed with SigV4. */
export const bedrockProviderFactory: ProviderFactory = {
  type: 'bedrock',
  description:
    'Amazon Bedrock Runtime (Converse or InvokeModel), SigV4 with AWS keys or a Bedrock API key',
  configSchema: strictObject(
    {
      api: oneOf(['converse', 'invoke']).default('converse'),
      region: z
        .string(expecting(REGION_WHAT))
        .regex(AWS_REGION_PATTERN, expecting(REGION_WHAT))
        .optional(),
      endpoint_url: httpUrl().optional(),
      profile: text('the name of an AWS profile such as default').optional(),
      auth: oneOf(['auto', 'sigv4', 'api_key']).default('auto'),
      anthropic_version: text('an anthropic_version such as bedrock-2023-05-31').default(
        BEDROCK_ANTHROPIC_VERSION,
      ),
      default_max_tokens: positiveInt().default(BEDROCK_DEFAULT_MAX_TOKENS),
    },
    'an object of bedrock settings',
  ),
  envVars: [
    { name: 'AWS_REGION', description: 'the region, unless the region setting names one' },
    { name: 'AWS_DEFAULT_REGION', description: 'the region when AWS_REGION is not set' },
    { name: 'AWS_ACCESS_KEY_ID', description: 'the access key id of static AWS keys (SigV4)' },
    { name: 'AWS_SECRET_ACCESS_KEY', description: 'the secret access key (SigV4)' },
    { name: 'AWS_SESSION_TOKEN', description: 'the session token of temporary keys (SigV4)' },
    {
      name: 'AWS_PROFILE',
      description:
        'the profile read from the shared files when no keys are set (default "default")',
    },
    {
      name: 'AWS_SHARED_CREDENTIALS_FILE',
      description: 'the credentials file (default ~/.aws/credentials)',
    },
    { name: 'AWS_CONFIG_FILE', description: 'the config file (default ~/.aws/config)' },
    {
      name: BEDROCK_API_KEY_ENV,
      description:
        'a Bedrock API key, sent as a bearer token instead of signing (auth: auto or api_key)',
    },
  ],
  credentials: (settings) => {
    // AWS keys have alternative sources (environment, then a profile's files), which a
    // CredentialSource cannot express; `create` names them all when none is found.
    const sources: CredentialSource[] = [];
    if (settings.auth === 'api_key') {
      sources.push({ env: BEDROCK_API_KEY_ENV, what: 'the Bedrock API key' });
    }
    return sources;
  },
  async create(settings, context): Promise<ProviderInstance> {
    const endpointUrl = settings.endpoint_url as string | undefined;
    const access = await resolveBedrockAccess({
      providerName: settings.name,
      authMode: settings.auth as BedrockAuthMode,
      env: context.env,
      ...(settings.region === undefined ? {} : { region: settings.region as string }),
      ...(settings.profile === undefined ? {} : { profile: settings.profile as string }),
      ...(endpointUrl === undefined ? {} : { endpointUrl }),
    });
    const options: BedrockProviderOptions = {
      name: settings.name,
      api: settings.api as BedrockApi,
      anthropicVersion: settings.anthropic_version as string,
      defaultMaxTokens: settings.default_max_tokens as number,
    };
    if (access.region !== undefined) options.region = access.region;
    if (endpointUrl !== undefined) options.endpointUrl = endpointUrl;
    if (settings.headers !== undefined) options.headers = settings.headers;
    const endpoint = endpointUrl ?? bedrockEndpoint(access.region!);
    if (access.auth.kind === 'api_key') {
      options.apiKey = access.auth.apiKey;
      return {
        provider: createBedrockProvider(options),
        endpoint,
        secrets: [access.auth.apiKey],
      };
    }
    const { credentials } = access.auth;
    return {
      provider: createBedrockProvider(options),
      endpoint,
      secrets:
        credentials.sessionToken === undefined
          ? [credentials.secretAccessKey]
          : [credentials.secretAccessKey, credentials.sessionToken],
      // A SigV4 auth always has a region: resolveBedrockAccess requires one for it.
      interceptors: [sigV4Interceptor({ region: access.region!, credentials })],
    };
  },
};

/** The provider types of this package, as the CLI and the executor discover them. */
export const providerFactories: readonly ProviderFactory[] = [bedrockProviderFactory];
