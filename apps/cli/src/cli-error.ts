/** Exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  /** Requests failed: a group with no success, or more failures than --max-error-rate. */
  failedRequests: 1,
  /** Bad usage: a flag, a config, a path, a missing key. */
  usage: 2,
  /** A bug in llm-lens itself (an unexpected exception). */
  crash: 3,
  /** A threshold (`--threshold`) or a regression check against a baseline failed. */
  gateFailed: 4,
  interrupted: 130,
} as const;

/** An error the CLI reports as one `error: ...` paragraph with a documented exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    readonly code: string = 'LENS_CLI_USAGE',
  ) {
    super(message);
    this.name = 'CliError';
  }
}
