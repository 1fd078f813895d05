// Re-exported so adapters can name error classes while depending on providers-core only.
export type { ConnectionPhases, ErrorClass } from '@llm-lens/core-timing';
export { BodyBuffer } from './body-buffer.js';
export type { TimedConnectorOptions } from './connection-phases.js';
export {
  consumeConnectionPhases,
  createTimedConnector,
  DEFAULT_CONNECT_TIMEOUT_MS,
} from './connection-phases.js';
export type {
  ClassifyHttpStatusOptions,
  ClassifyTransportErrorOptions,
} from './error-classification.js';
export {
  classifyHttpStatus,
  classifyTransportError,
  parseRetryAfterMs,
} from './error-classification.js';
export type { HttpTransportOptions } from './http-transport.js';
export { HttpTransport, warmUpHttpClient } from './http-transport.js';
export type { JsonObject } from './json-payload.js';
export { asObject, asString, ownEntry, parseJsonObject, SNIPPET_CHARS } from './json-payload.js';
export type { NdjsonParserOptions } from './ndjson-parser.js';
export { NdjsonParser } from './ndjson-parser.js';
export type { ModelPrice, PricedTarget, PricingCatalog, TokenUsageForCost } from './pricing.js';
export {
  loadPricingCatalog,
  PriceBook,
  pricingFileSchema,
  requestCostUsd,
  unknownPriceHint,
} from './pricing.js';
export type {
  ChatMessage,
  DecoderOptions,
  ErrorClassification,
  HttpRequestSpec,
  Provider,
  ProviderRequestInput,
  ResponseDecoder,
  ResponseHeaders,
  StreamErrorPayload,
  StreamEvent,
  Usage,
} from './provider.js';
export type { LensProviderErrorOptions, ProviderErrorCode } from './provider-error.js';
export { LensProviderError, PROVIDER_ERROR_CODES } from './provider-error.js';
export type {
  CredentialSource,
  ProviderContext,
  ProviderFactory,
  ProviderInstance,
  ProviderSettings,
  ProviderTimeoutSettings,
} from './provider-factory.js';
export {
  apiKeySettings,
  apiKeySource,
  missingCredentials,
  readApiKey,
  withApiKeyRules,
} from './provider-factory.js';
export type { SseEvent, SseParserOptions } from './sse-parser.js';
export { SseParser } from './sse-parser.js';
export type { TokenCounter, TokenizerEncoding } from './token-counter.js';
export { createTokenCounter, tokenizerEncodingFor } from './token-counter.js';
export type {
  InFlightRequest,
  ResponseSink,
  SendFunction,
  Transport,
  TransportInterceptor,
} from './transport.js';
export { abortError, asyncInterceptor, composeTransport } from './transport.js';
export {
  checkMaxEventBytes,
  DEFAULT_MAX_EVENT_BYTES,
  eventSizeError,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_TOKEN_COUNT,
  tokenCountProblem,
  truncateErrorMessage,
} from './wire-limits.js';
