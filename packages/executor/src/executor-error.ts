/** Stable codes of {@link ExecutorError}; users and scripts may match on them. */
export const EXECUTOR_ERROR_CODES = [
  /** An extension module or registration is unusable (missing exports, a duplicate type). */
  'LENS_EXECUTOR_EXTENSION_INVALID',
  /** A plan cannot run as given (worker threads without portable targets, ...). */
  'LENS_EXECUTOR_PLAN_INVALID',
  /** A worker thread failed. */
  'LENS_EXECUTOR_WORKER_FAILED',
] as const;

export type ExecutorErrorCode = (typeof EXECUTOR_ERROR_CODES)[number];

/** The one error class of @llm-lens/executor; `code` is stable, `message` says what to fix. */
export class ExecutorError extends Error {
  override readonly name = 'ExecutorError';
  readonly code: ExecutorErrorCode;

  constructor(code: ExecutorErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
