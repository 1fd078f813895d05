export type { CommandAccessTokenOptions } from './access-token.js';
export {
  ACCESS_TOKEN_COMMAND_TIMEOUT_MS,
  ACCESS_TOKEN_MAX_AGE_MS,
  accessTokenInterceptor,
  CommandAccessToken,
} from './access-token.js';
export { splitCommandLine } from './command-line.js';
export type { ClassifyGeminiHttpErrorOptions } from './gemini-errors.js';
export { classifyGeminiHttpError, classifyGeminiStreamError } from './gemini-errors.js';
export type { GoogleProviderOptions, VertexProviderOptions } from './gemini-provider.js';
export {
  createGoogleProvider,
  createVertexProvider,
  GEMINI_DEFAULT_API_VERSION,
  GEMINI_DEFAULT_BASE_URL,
  googleApiRoot,
  VERTEX_DEFAULT_API_VERSION,
  VERTEX_DEFAULT_LOCATION,
  vertexApiRoot,
  vertexBaseUrl,
} from './gemini-provider.js';
export { buildGeminiBody } from './gemini-request.js';
export type { GeminiResponseContent } from './gemini-response.js';
export { readGenerateContentResponse, stoppedWithoutOutput } from './gemini-response.js';
export { toGeminiUsage } from './gemini-usage.js';
export {
  GEMINI_API_KEY_ENV,
  GOOGLE_API_KEY_ENV,
  GOOGLE_CLOUD_LOCATION_ENV,
  GOOGLE_CLOUD_PROJECT_ENV,
  GOOGLE_OAUTH_ACCESS_TOKEN_ENV,
  googleProviderFactory,
  providerFactories,
  vertexProviderFactory,
} from './google-factories.js';
export { GeminiJsonDecoder } from './json-decoder.js';
export { GeminiStreamDecoder } from './stream-decoder.js';
