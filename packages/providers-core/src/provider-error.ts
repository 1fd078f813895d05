import type { ErrorClass } from '@llm-lens/core-timing';

/** Stable codes of {@link LensProviderError}; users and scripts may match on them. */
export const PROVIDER_ERROR_CODES = [
  /** Credentials are missing or were rejected. */
  'LENS_PROVIDER_AUTH',
  /** An adapter option is invalid (base URL, model, unknown API flavour, ...). */
  'LENS_PROVIDER_CONFIG',
  /** The response body broke the provider's wire format (malformed JSON, unknown framing). */
  'LENS_PROVIDER_PROTOCOL',
  /** The server answered with a non-2xx status. */
  'LENS_PROVIDER_HTTP',
  /** The connection failed, timed out or was cut. */
  'LENS_PROVIDER_TRANSPORT',
] as const;

export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

/** Options of {@link LensProviderError}. */
export interface LensProviderErrorOptions {
  /** How the executor should count the failure, when the thrower knows it. */
  errorClass?: ErrorClass;
  cause?: unknown;
}

/**
 * The one error class of the provider packages. `code` is stable; `message` says what went
 * wrong and what would be valid, and never contains credentials.
 */
export class LensProviderError extends Error {
  override readonly name = 'LensProviderError';
  readonly code: ProviderErrorCode;
  readonly errorClass?: ErrorClass;

  constructor(code: ProviderErrorCode, message: string, options: LensProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.errorClass !== undefined) this.errorClass = options.errorClass;
  }
}
