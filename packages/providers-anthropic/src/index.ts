export {
  ANTHROPIC_API_KEY_ENV,
  anthropicProviderFactory,
  providerFactories,
} from './anthropic-factories.js';
export type { AnthropicProviderOptions } from './anthropic-provider.js';
export {
  ANTHROPIC_API_VERSION,
  ANTHROPIC_DEFAULT_BASE_URL,
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  createAnthropicProvider,
} from './anthropic-provider.js';
export { toAnthropicUsage } from './anthropic-usage.js';
export { AnthropicJsonDecoder } from './json-decoder.js';
export { AnthropicStreamDecoder } from './stream-decoder.js';
export { classifyAnthropicStreamError } from './stream-error.js';
