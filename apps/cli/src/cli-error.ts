/** Exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  failedRequests: 1,
  usage: 2,
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
