export type {
  AwsCredentials,
  BedrockAccess,
  BedrockAccessOptions,
  BedrockAuth,
  BedrockAuthMode,
} from './bedrock-credentials.js';
export {
  AWS_REGION_PATTERN,
  BEDROCK_API_KEY_ENV,
  resolveBedrockAccess,
  sharedFilePaths,
} from './bedrock-credentials.js';
export { classifyBedrockHttpError, classifyBedrockStreamError } from './bedrock-errors.js';
export { bedrockProviderFactory, providerFactories } from './bedrock-factories.js';
export type { BedrockApi, BedrockProviderOptions } from './bedrock-provider.js';
export {
  BEDROCK_ANTHROPIC_VERSION,
  BEDROCK_DEFAULT_MAX_TOKENS,
  bedrockEndpoint,
  createBedrockProvider,
  encodeModelId,
} from './bedrock-provider.js';
export { toAnthropicUsage, toConverseUsage, toInvocationMetricsUsage } from './bedrock-usage.js';
export { ConverseJsonDecoder } from './converse-json-decoder.js';
export { ConverseStreamDecoder } from './converse-stream-decoder.js';
export type {
  EventStreamFrame,
  EventStreamHeaderValue,
  FrameContent,
} from './event-stream-reader.js';
export {
  EVENT_STREAM_CONTENT_TYPE,
  EventStreamFrameReader,
  readFrame,
  stringHeader,
} from './event-stream-reader.js';
export { InvokeJsonDecoder } from './invoke-json-decoder.js';
export { InvokeStreamDecoder } from './invoke-stream-decoder.js';
export type { SigV4SignerOptions } from './sigv4-signing.js';
export { BEDROCK_SIGNING_SERVICE, createSigV4Signer, sigV4Interceptor } from './sigv4-signing.js';
