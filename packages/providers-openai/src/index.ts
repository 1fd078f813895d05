export { createOpenAIProvider, OPENAI_DEFAULT_BASE_URL } from './openai-provider.js';
export type { OpenAIProviderOptions } from './openai-provider.js';
export type { OpenAIApi } from './openai-payload.js';
export { OpenAIStreamDecoder } from './stream-decoder.js';
export { OpenAIJsonDecoder } from './json-decoder.js';
export { classifyOpenAIStreamError } from './stream-error.js';
