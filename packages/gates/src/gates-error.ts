/** Stable codes of the errors this package throws. */
export type GatesErrorCode =
  | 'LENS_GATES_THRESHOLD_INVALID'
  | 'LENS_GATES_VALUE_INVALID'
  | 'LENS_GATES_STEP_SUMMARY_FAILED';

/** The one error class of @llm-lens/gates; `code` is stable, the message says what to fix. */
export class GatesError extends Error {
  readonly code: GatesErrorCode;

  constructor(code: GatesErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatesError';
    this.code = code;
  }
}
