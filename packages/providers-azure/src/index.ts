export type { AccessTokenCommandOptions, AccessTokenSource } from './access-token.js';
export {
  ACCESS_TOKEN_COMMAND_TIMEOUT_MS,
  ACCESS_TOKEN_REFRESH_MS,
  AccessTokenCommand,
  accessTokenInterceptor,
} from './access-token.js';
export {
  AZURE_OPENAI_API_KEY_ENV,
  AZURE_OPENAI_ENDPOINT_ENV,
  azureProviderFactory,
  providerFactories,
} from './azure-factories.js';
export type { AzureApi, AzureCredential, AzureProviderOptions } from './azure-provider.js';
export {
  AZURE_DEFAULT_API_VERSION,
  azureRequestUrl,
  createAzureProvider,
  normalizeAzureEndpoint,
} from './azure-provider.js';
