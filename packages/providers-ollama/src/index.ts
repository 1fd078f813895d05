export { OllamaJsonDecoder } from './json-decoder.js';
export {
  baseUrlFromOllamaHost,
  normalizeOllamaBaseUrl,
  OLLAMA_DEFAULT_BASE_URL,
  OLLAMA_HOST_ENV,
  resolveOllamaBaseUrl,
} from './ollama-base-url.js';
export { classifyOllamaHttpError, classifyOllamaStreamError } from './ollama-errors.js';
export { ollamaProviderFactory, providerFactories } from './ollama-factories.js';
export type { OllamaProviderOptions, OllamaThink } from './ollama-provider.js';
export { createOllamaProvider } from './ollama-provider.js';
export { OLLAMA_SERVER_TIMINGS, toOllamaServerTimings, toOllamaUsage } from './ollama-usage.js';
export { OLLAMA_STREAM_CONTENT_TYPE, OllamaStreamDecoder } from './stream-decoder.js';
