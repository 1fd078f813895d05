export { OpenAIJsonDecoder } from './json-decoder.js';
export {
  OPENAI_API_KEY_ENV,
  openaiCompatibleProviderFactory,
  openaiProviderFactory,
  providerFactories,
} from './openai-factories.js';
export type { OpenAIApi } from './openai-payload.js';
export type { OpenAIProviderOptions } from './openai-provider.js';
export { createOpenAIProvider, OPENAI_DEFAULT_BASE_URL } from './openai-provider.js';
export { ResponsesJsonDecoder } from './responses-json-decoder.js';
export { ResponsesStreamDecoder } from './responses-stream-decoder.js';
export { toResponsesUsage } from './responses-usage.js';
export { OpenAIStreamDecoder } from './stream-decoder.js';
export { classifyOpenAIStreamError } from './stream-error.js';
