/** Stable codes of {@link LensSimulatorError}; users and scripts may match on them. */
export const SIMULATOR_ERROR_CODES = [
  /** A simulator option is out of range or of the wrong type. */
  'LENS_SIMULATOR_OPTION_INVALID',
  /** A latency flag such as `--ttft normal:200,20` could not be parsed. */
  'LENS_SIMULATOR_LATENCY_SPEC_INVALID',
  /** The HTTP server could not listen on the requested host and port. */
  'LENS_SIMULATOR_LISTEN_FAILED',
  /** The write-log file could not be opened or written. */
  'LENS_SIMULATOR_WRITE_LOG_FAILED',
] as const;

export type SimulatorErrorCode = (typeof SIMULATOR_ERROR_CODES)[number];

/** The one error class of @llm-lens/providers-mock; `code` is stable, `message` says what to fix. */
export class LensSimulatorError extends Error {
  override readonly name = 'LensSimulatorError';
  readonly code: SimulatorErrorCode;

  constructor(code: SimulatorErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
