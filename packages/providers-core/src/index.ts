export type {
  ChatMessage,
  ProviderRequestInput,
  HttpRequestSpec,
  Usage,
  StreamErrorPayload,
  StreamEvent,
  ResponseDecoder,
  ErrorClassification,
  ResponseHeaders,
  Provider,
} from './provider.js';
// Re-exported so adapters can name error classes while depending on providers-core only.
export type { ErrorClass, ConnectionPhases } from '@llm-lens/core-timing';
export { SseParser } from './sse-parser.js';
export type { SseEvent } from './sse-parser.js';
export { HttpTransport } from './http-transport.js';
export type { HttpTransportOptions, InFlightRequest, ResponseSink } from './http-transport.js';
export {
  classifyHttpStatus,
  classifyTransportError,
  parseRetryAfterMs,
} from './error-classification.js';
export type {
  ClassifyHttpStatusOptions,
  ClassifyTransportErrorOptions,
} from './error-classification.js';
export { LensProviderError, PROVIDER_ERROR_CODES } from './provider-error.js';
export type { ProviderErrorCode, LensProviderErrorOptions } from './provider-error.js';
export { createTokenCounter, tokenizerEncodingFor } from './token-counter.js';
export type { TokenCounter, TokenizerEncoding } from './token-counter.js';
