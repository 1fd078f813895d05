import { execFile } from 'node:child_process';
import {
  asyncInterceptor,
  LensProviderError,
  type SendFunction,
  type TransportInterceptor,
} from '@llm-lens/providers-core';

/**
 * A cached token is used for 45 minutes, then the command runs again: Entra ID access
 * tokens live 60 to 90 minutes, so one fetched just before the limit still outlives every
 * request that uses it.
 */
export const ACCESS_TOKEN_REFRESH_MS = 45 * 60 * 1000;

/** How long the command may run before it is killed, ms. `az` takes a second or two. */
export const ACCESS_TOKEN_COMMAND_TIMEOUT_MS = 30_000;

/** The command of the README and of error messages. */
export const AZ_ACCESS_TOKEN_COMMAND =
  'az account get-access-token --resource https://cognitiveservices.azure.com --query accessToken -o tsv';

// Far more than any token (a JWT is 1-4 KB); a command printing more is misconfigured.
const MAX_OUTPUT_BYTES = 64 * 1024;
const MAX_STDERR_LINE_CHARS = 200;
// A token is one run of visible ASCII: anything else would be a broken Authorization header.
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/** Options of {@link AccessTokenCommand}. */
export interface AccessTokenCommandOptions {
  /** The program and its arguments, run without a shell. */
  argv: readonly [string, ...string[]];
  /** Names the command in errors, e.g. `provider "azure": access_token_command`. */
  label: string;
  /** Kill the command after this long, ms. Default {@link ACCESS_TOKEN_COMMAND_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Run it again once the token is this old, ms. Default {@link ACCESS_TOKEN_REFRESH_MS}. */
  refreshAfterMs?: number;
  /** Wall clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/** Where the interceptor gets its token. */
export interface AccessTokenSource {
  /** The current token, fetching one when there is none or it is due for refresh. */
  get(): Promise<string>;
  /** The server rejected `token`: the next `get()` fetches a new one. */
  invalidate(token: string): void;
}

interface ExecFailure extends Error {
  code?: string | number | null;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
}

/**
 * An access token printed by a command (`az account get-access-token ...`), run without a
 * shell, its output trimmed, cached for `refreshAfterMs` and fetched again after a 401.
 * Concurrent callers share one run. A failure is a LENS_PROVIDER_AUTH error naming the
 * setting, the exit code and the first line of stderr, never the token; it is not cached,
 * so the next request tries again.
 */
export class AccessTokenCommand implements AccessTokenSource {
  readonly #argv: readonly [string, ...string[]];
  readonly #label: string;
  readonly #timeoutMs: number;
  readonly #refreshAfterMs: number;
  readonly #now: () => number;
  #token: string | undefined;
  #fetchedAtMs = 0;
  #pending: Promise<string> | undefined;
  #runs = 0;

  constructor(options: AccessTokenCommandOptions) {
    this.#argv = options.argv;
    this.#label = options.label;
    this.#timeoutMs = options.timeoutMs ?? ACCESS_TOKEN_COMMAND_TIMEOUT_MS;
    this.#refreshAfterMs = options.refreshAfterMs ?? ACCESS_TOKEN_REFRESH_MS;
    this.#now = options.now ?? Date.now;
  }

  /** How many times the command has been started. */
  get runs(): number {
    return this.#runs;
  }

  get(): Promise<string> {
    const token = this.#token;
    if (token !== undefined && this.#now() - this.#fetchedAtMs < this.#refreshAfterMs) {
      return Promise.resolve(token);
    }
    this.#pending ??= this.#run().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  invalidate(token: string): void {
    if (this.#token === token) this.#token = undefined;
  }

  async #run(): Promise<string> {
    this.#runs++;
    const startedAtMs = this.#now();
    const token = await new Promise<string>((resolve, reject) => {
      const [file, ...args] = this.#argv;
      execFile(
        file,
        args,
        {
          timeout: this.#timeoutMs,
          maxBuffer: MAX_OUTPUT_BYTES,
          windowsHide: true,
          encoding: 'utf8',
        },
        (error, stdout, stderr) => {
          if (error !== null) {
            reject(this.#failure(error as ExecFailure, stderr));
            return;
          }
          try {
            resolve(this.#tokenOf(stdout));
          } catch (invalid) {
            reject(invalid);
          }
        },
      );
    });
    this.#token = token;
    this.#fetchedAtMs = startedAtMs;
    return token;
  }

  #tokenOf(stdout: string): string {
    const token = stdout.trim();
    if (token.length === 0) throw this.#error('exited with code 0 but printed nothing');
    if (!TOKEN_PATTERN.test(token)) {
      // Never quote the output: it may hold the token (JSON from a forgotten `-o tsv`).
      throw this.#error(
        `printed ${token.length} characters that are not one token (they hold spaces, line breaks or non-ASCII characters)`,
      );
    }
    return token;
  }

  #failure(error: ExecFailure, stderr: string): LensProviderError {
    const line = firstLine(stderr);
    const said = line === undefined ? ' and wrote nothing to stderr' : `: ${JSON.stringify(line)}`;
    if (error.code === 'ENOENT') {
      return this.#error(
        `could not start "${this.#argv[0]}": no such program (is it installed and on PATH?)`,
      );
    }
    if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
      return this.#error(`printed more than ${MAX_OUTPUT_BYTES} bytes, far more than a token`);
    }
    if (error.killed === true) {
      return this.#error(`did not finish within ${this.#timeoutMs} ms and was killed${said}`);
    }
    if (typeof error.code === 'number') {
      return this.#error(`failed with exit code ${error.code}${said}`);
    }
    if (error.signal !== undefined && error.signal !== null) {
      return this.#error(`was ended by ${error.signal}${said}`);
    }
    return this.#error(`failed (${error.code ?? error.message})${said}`);
  }

  #error(what: string): LensProviderError {
    return new LensProviderError(
      'LENS_PROVIDER_AUTH',
      `${this.#label} (${this.#argv[0]}) ${what}. Run it in a terminal: it must print only an Entra ID access token, e.g. ${AZ_ACCESS_TOKEN_COMMAND} after az login.`,
      { errorClass: 'auth' },
    );
  }
}

function firstLine(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.length > 0) {
      return trimmed.length > MAX_STDERR_LINE_CHARS
        ? `${trimmed.slice(0, MAX_STDERR_LINE_CHARS)}…`
        : trimmed;
    }
  }
  return undefined;
}

const BEARER = 'Bearer ';

/**
 * Adds `Authorization: Bearer <token>` from `source` to every request, and tells the source
 * when the server answered 401 so the next request fetches a new token. The request that got
 * the 401 is not sent again: it failed, and is counted as an auth error like any other. The
 * time spent fetching a token falls in send_delay, never in ttfb or ttft.
 */
export function accessTokenInterceptor(source: AccessTokenSource): TransportInterceptor {
  return (next) => {
    const sendWatchingFor401: SendFunction = (spec, sink) => {
      const authorization = spec.headers.authorization;
      return next(spec, {
        onConnection: (phases, stampNs) => sink.onConnection(phases, stampNs),
        onHeaders(status, headers, stampNs) {
          if (status === 401 && authorization?.startsWith(BEARER) === true) {
            source.invalidate(authorization.slice(BEARER.length));
          }
          sink.onHeaders(status, headers, stampNs);
        },
        onChunk: (chunk, stampNs) => sink.onChunk(chunk, stampNs),
        onComplete: (stampNs) => sink.onComplete(stampNs),
        onError: (error, stampNs) => sink.onError(error, stampNs),
      });
    };
    return asyncInterceptor(async (spec) => {
      const token = await source.get();
      return { ...spec, headers: { ...spec.headers, authorization: BEARER + token } };
    })(sendWatchingFor401);
  };
}
