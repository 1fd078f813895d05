import type { ConfigIssue } from './config-issue.js';

/** Stable codes of every error this package throws. */
export type LensConfigErrorCode =
  | 'LENS_CONFIG_INVALID'
  | 'LENS_CONFIG_NOT_FOUND'
  | 'LENS_CONFIG_PARSE'
  | 'LENS_CONFIG_ENV_MISSING'
  | 'LENS_CONFIG_UNSUPPORTED_FORMAT';

/** Options of a {@link LensConfigError}. */
export interface LensConfigErrorOptions {
  /** The config (or prompt) file the error is about, as the user wrote it. */
  file?: string | undefined;
  /** Every problem found, when there were several. */
  issues?: ConfigIssue[] | undefined;
  cause?: unknown;
}

/** The one error class of @llm-lens/config; `code` is stable, `message` says what to fix. */
export class LensConfigError extends Error {
  override readonly name = 'LensConfigError';
  readonly code: LensConfigErrorCode;
  readonly file?: string;
  readonly issues?: ConfigIssue[];

  constructor(code: LensConfigErrorCode, message: string, options: LensConfigErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.file !== undefined) this.file = options.file;
    if (options.issues !== undefined) this.issues = options.issues;
  }
}
