/** Stable codes of the errors this package throws. */
export type ReportErrorCode =
  | 'LENS_EXPORT_REPORT_PATH'
  | 'LENS_EXPORT_REPORT_WRITE'
  | 'LENS_EXPORT_REPORT_CHARTJS';

/** The one error class of @llm-lens/exporters-report; `code` is stable, the message says what to fix. */
export class ReportExportError extends Error {
  readonly code: ReportErrorCode;

  constructor(code: ReportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportExportError';
    this.code = code;
  }
}
