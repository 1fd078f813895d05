/** Stable codes of the errors this package throws. */
export type ComparisonErrorCode =
  | 'LENS_COMPARISON_REGRESSION_SPEC_INVALID'
  | 'LENS_COMPARISON_OPTION_INVALID'
  | 'LENS_COMPARISON_INPUT_INVALID';

/** The one error class of @llm-lens/comparison; `code` is stable, the message says what to fix. */
export class ComparisonError extends Error {
  readonly code: ComparisonErrorCode;

  constructor(code: ComparisonErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ComparisonError';
    this.code = code;
  }
}
