export { classifyCohereHttpError, classifyCohereStreamError } from './cohere-errors.js';
export {
  COHERE_API_KEY_ENV,
  COHERE_API_KEY_FALLBACK_ENV,
  cohereProviderFactory,
  providerFactories,
} from './cohere-factories.js';
export type { CohereProviderOptions, CohereThinking } from './cohere-provider.js';
export { COHERE_DEFAULT_BASE_URL, createCohereProvider } from './cohere-provider.js';
export { toCohereUsage } from './cohere-usage.js';
export { CohereJsonDecoder } from './json-decoder.js';
export { CohereStreamDecoder } from './stream-decoder.js';
