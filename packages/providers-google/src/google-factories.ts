import { envVarName, httpUrl, strictObject, text, z } from '@llm-lens/config-fields';
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
import { accessTokenInterceptor, CommandAccessToken } from './access-token.js';
import { splitCommandLine } from './command-line.js';
import {
  createGoogleProvider,
  createVertexProvider,
  GEMINI_DEFAULT_API_VERSION,
  GEMINI_DEFAULT_BASE_URL,
  type GoogleProviderOptions,
  googleApiRoot,
  VERTEX_DEFAULT_API_VERSION,
  VERTEX_DEFAULT_LOCATION,
  type VertexProviderOptions,
  vertexApiRoot,
} from './gemini-provider.js';

/** The variable `type: google` reads its key from when neither api_key_env nor api_key_file is set... */
export const GEMINI_API_KEY_ENV = 'GEMINI_API_KEY';
/** ...and the one it falls back to when that is unset or empty. */
export const GOOGLE_API_KEY_ENV = 'GOOGLE_API_KEY';
/** The variable `type: vertex` reads its OAuth token from unless access_token_env or access_token_command says otherwise. */
export const GOOGLE_OAUTH_ACCESS_TOKEN_ENV = 'GOOGLE_OAUTH_ACCESS_TOKEN';
/** The variable `type: vertex` reads its project from when the entry sets none. */
export const GOOGLE_CLOUD_PROJECT_ENV = 'GOOGLE_CLOUD_PROJECT';
/** The variable `type: vertex` reads its location from when the entry sets none. */
export const GOOGLE_CLOUD_LOCATION_ENV = 'GOOGLE_CLOUD_LOCATION';

const apiVersion = (example: string) =>
  text(`an API version path segment such as ${example}`).regex(
    /^v\d+[a-z0-9]*$/,
    `must be an API version path segment such as ${example}`,
  );

function isSet(env: NodeJS.ProcessEnv, name: string): boolean {
  return (env[name] ?? '').trim() !== '';
}

/** GEMINI_API_KEY, or GOOGLE_API_KEY when only that one is set. */
function defaultKeyEnv(env: NodeJS.ProcessEnv): string {
  return !isSet(env, GEMINI_API_KEY_ENV) && isSet(env, GOOGLE_API_KEY_ENV)
    ? GOOGLE_API_KEY_ENV
    : GEMINI_API_KEY_ENV;
}

/** `type: google`: the Gemini API; the key comes from GEMINI_API_KEY, else GOOGLE_API_KEY. */
export const googleProviderFactory: ProviderFactory = {
  type: 'google',
  description: `Google Gemini API; key from ${GEMINI_API_KEY_ENV} (or ${GOOGLE_API_KEY_ENV})`,
  configSchema: withApiKeyRules(
    strictObject(
      {
        base_url: httpUrl().default(GEMINI_DEFAULT_BASE_URL),
        api_version: apiVersion('v1beta').default(GEMINI_DEFAULT_API_VERSION),
        ...apiKeySettings,
      },
      'an object of google settings',
    ),
  ),
  envVars: [
    {
      name: GEMINI_API_KEY_ENV,
      description: 'the API key (unless api_key_env or api_key_file says otherwise)',
    },
    { name: GOOGLE_API_KEY_ENV, description: `the API key when ${GEMINI_API_KEY_ENV} is unset` },
  ],
  credentials: (settings, context) => {
    // The warning should name the variable a run would read: this process's environment
    // is the one `validate` checks it against.
    const source = apiKeySource(settings, context, defaultKeyEnv(process.env));
    return source === undefined ? [] : [source];
  },
  async create(settings, context) {
    const usesDefault = settings.api_key_env === undefined && settings.api_key_file === undefined;
    if (
      usesDefault &&
      !isSet(context.env, GEMINI_API_KEY_ENV) &&
      !isSet(context.env, GOOGLE_API_KEY_ENV)
    ) {
      throw new LensProviderError(
        'LENS_PROVIDER_AUTH',
        `provider "${settings.name}" needs an API key: set the environment variable ${GEMINI_API_KEY_ENV} (${GOOGLE_API_KEY_ENV} is read when it is unset), or choose another variable with --api-key-env / api_key_env, or a key file with api_key_file`,
      );
    }
    const apiKey = readApiKey(settings, context, defaultKeyEnv(context.env));
    const options: GoogleProviderOptions = {
      name: settings.name,
      baseUrl: settings.base_url as string,
      apiVersion: settings.api_version as string,
    };
    if (apiKey !== undefined) options.apiKey = apiKey;
    if (settings.headers !== undefined) options.headers = settings.headers;
    return {
      provider: createGoogleProvider(options),
      endpoint: googleApiRoot(options),
      secrets: apiKey === undefined ? [] : [apiKey],
    };
  },
};

const commandSetting = z.union([text(), z.array(text()).min(1)], {
  error: (issue) =>
    issue.input === undefined
      ? 'is required'
      : 'must be a command line such as "gcloud auth print-access-token", or a list of its words',
});

/** The command of `access_token_command` as argv: a string is split like a shell would, without one. */
function commandArgv(value: unknown): string[] {
  return typeof value === 'string'
    ? splitCommandLine(value, 'access_token_command')
    : [...(value as string[])];
}

/** The OAuth token of a vertex entry from its variable, or the error that names it. */
function readAccessTokenEnv(settings: ProviderSettings, env: NodeJS.ProcessEnv): string {
  const name = (settings.access_token_env as string | undefined) ?? GOOGLE_OAUTH_ACCESS_TOKEN_ENV;
  const token = env[name]?.trim();
  if (token === undefined || token === '') {
    throw new LensProviderError(
      'LENS_PROVIDER_AUTH',
      `provider "${settings.name}" needs an OAuth access token: set the environment variable ${name} (e.g. export ${name}="$(gcloud auth print-access-token)"; such a token lasts an hour), choose another variable with access_token_env, or let the run fetch and refresh one with access_token_command: gcloud auth print-access-token`,
    );
  }
  return token;
}

/**
 * `type: vertex`: Gemini on Vertex AI, with an OAuth access token from an environment
 * variable (default GOOGLE_OAUTH_ACCESS_TOKEN) or from a command run and re-run as the
 * token ages (access_token_command).
 */
export const vertexProviderFactory: ProviderFactory = {
  type: 'vertex',
  description: `Gemini on Google Cloud Vertex AI; OAuth token from ${GOOGLE_OAUTH_ACCESS_TOKEN_ENV} or access_token_command`,
  // Vertex AI lists Gemini at the Gemini API's prices.
  priceList: 'google',
  configSchema: strictObject(
    {
      project: text('a Google Cloud project id such as my-project-123').optional(),
      location: text('a Vertex AI location such as us-central1 or global').optional(),
      base_url: httpUrl().optional(),
      api_version: apiVersion('v1').default(VERTEX_DEFAULT_API_VERSION),
      access_token_env: envVarName().optional(),
      access_token_command: commandSetting.optional(),
    },
    'an object of vertex settings',
  ).superRefine((value: Record<string, unknown>, ctx) => {
    if (value.access_token_env !== undefined && value.access_token_command !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['access_token_command'],
        message: 'cannot be combined with access_token_env; set only one of them',
      });
    }
  }),
  envVars: [
    {
      name: GOOGLE_OAUTH_ACCESS_TOKEN_ENV,
      description:
        'the OAuth access token (unless access_token_env or access_token_command says otherwise)',
    },
    { name: GOOGLE_CLOUD_PROJECT_ENV, description: 'the project, when the entry sets none' },
    {
      name: GOOGLE_CLOUD_LOCATION_ENV,
      description: `the location, when the entry sets none (else ${VERTEX_DEFAULT_LOCATION})`,
    },
  ],
  credentials: (settings): CredentialSource[] => {
    if (settings.access_token_command !== undefined) return [];
    const env = (settings.access_token_env as string | undefined) ?? GOOGLE_OAUTH_ACCESS_TOKEN_ENV;
    return [{ env, what: 'the OAuth access token' }];
  },
  async create(settings, context: ProviderContext): Promise<ProviderInstance> {
    const env = context.env;
    const project =
      (settings.project as string | undefined) ?? env[GOOGLE_CLOUD_PROJECT_ENV]?.trim();
    if (project === undefined || project === '') {
      throw new LensProviderError(
        'LENS_PROVIDER_CONFIG',
        `provider "${settings.name}" needs a Google Cloud project: set project in its entry or the environment variable ${GOOGLE_CLOUD_PROJECT_ENV}`,
      );
    }
    const location =
      (settings.location as string | undefined) ??
      (env[GOOGLE_CLOUD_LOCATION_ENV]?.trim() || VERTEX_DEFAULT_LOCATION);
    const options: VertexProviderOptions = {
      name: settings.name,
      project,
      location,
      apiVersion: settings.api_version as string,
    };
    if (typeof settings.base_url === 'string') options.baseUrl = settings.base_url;
    if (settings.headers !== undefined) options.headers = settings.headers;
    // Checks project, location and base URL before any command runs.
    const endpoint = vertexApiRoot(options);
    if (settings.access_token_command === undefined) {
      const token = readAccessTokenEnv(settings, env);
      options.accessToken = token;
      return { provider: createVertexProvider(options), endpoint, secrets: [token] };
    }
    const source = new CommandAccessToken({
      argv: commandArgv(settings.access_token_command),
      providerName: settings.name,
      env,
    });
    // The first token is fetched now: a broken command fails the run before it starts, and
    // the token is known as a secret to keep out of every output. Later ones are fetched in
    // the interceptor, in the send_delay of the request that found the token old.
    const token = await source.get();
    options.refreshesCredentials = true;
    return {
      provider: createVertexProvider(options),
      endpoint,
      secrets: [token],
      interceptors: [accessTokenInterceptor(source)],
    };
  },
};

/** The provider types of this package, as the CLI and the executor discover them. */
export const providerFactories: readonly ProviderFactory[] = [
  googleProviderFactory,
  vertexProviderFactory,
];
