/** Stable codes of {@link WorkloadError}; users and scripts may match on them. */
export const WORKLOAD_ERROR_CODES = [
  /** A workload setting or spec string is invalid (the field or flag is named). */
  'LENS_WORKLOAD_INVALID',
  /** A data file cannot be read: missing, a directory, no permission. */
  'LENS_WORKLOAD_FILE',
  /** A line or element of a data file is malformed (file and line are named). */
  'LENS_WORKLOAD_PARSE',
  /** A source yields no prompts at all (empty file, every line blank or skipped). */
  'LENS_WORKLOAD_EMPTY',
  /** A synthetic prompt of the drawn token length could not be built. */
  'LENS_WORKLOAD_SYNTHETIC',
  /** A conversation turn was asked for without the replies it builds on. */
  'LENS_WORKLOAD_CONVERSATION',
] as const;

export type WorkloadErrorCode = (typeof WORKLOAD_ERROR_CODES)[number];

/** One problem of a workload setting: where it is and what is wrong. */
export interface WorkloadIssue {
  /** The failing field, e.g. `prompts.entries[1].weight`; empty for the whole value. */
  path: string;
  /** What is wrong and what would be valid. */
  message: string;
}

/** Where a {@link WorkloadError} points. */
export interface WorkloadErrorOptions {
  /** The data file, as the user wrote it (relative to the base directory). */
  file?: string | undefined;
  /** 1-based line in `file` (JSONL, text, the start of a ShareGPT element). */
  line?: number | undefined;
  /** The setting or flag, e.g. `prompts.input_tokens` or `--input-tokens`. */
  field?: string | undefined;
  /** Every problem found, when validation found several. */
  issues?: WorkloadIssue[] | undefined;
  cause?: unknown;
}

/**
 * The one error class of @llm-lens/workloads. `code` is stable; `message` is one paragraph
 * naming the file and line or the field, and what would be valid.
 */
export class WorkloadError extends Error {
  override readonly name = 'WorkloadError';
  readonly code: WorkloadErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  readonly issues?: WorkloadIssue[];

  constructor(code: WorkloadErrorCode, message: string, options: WorkloadErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.file !== undefined) this.file = options.file;
    if (options.line !== undefined) this.line = options.line;
    if (options.field !== undefined) this.field = options.field;
    if (options.issues !== undefined) this.issues = options.issues;
  }
}

/** `file:line: ` (or `file: `) in front of a message about a data file. */
export function locationPrefix(file: string, line?: number): string {
  return line === undefined ? `${file}: ` : `${file}:${line}: `;
}
