import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import {
  asyncInterceptor,
  type ConnectionPhases,
  LensProviderError,
  type ResponseSink,
  type TransportInterceptor,
} from '@llm-lens/providers-core';

/** Age after which a command's token is fetched again, ms: Google access tokens live 60 minutes. */
export const ACCESS_TOKEN_MAX_AGE_MS = 45 * 60_000;
/** How long the token command may run before it is killed, ms. */
export const ACCESS_TOKEN_COMMAND_TIMEOUT_MS = 30_000;
/** Most output read from the token command, bytes (a token is a few hundred). */
const MAX_OUTPUT_BYTES = 64 * 1024;
/** Characters of the command's first stderr line quoted in an error. */
const STDERR_CHARS = 300;

/** Options of {@link CommandAccessToken}. */
export interface CommandAccessTokenOptions {
  /** The program and its arguments, e.g. `['gcloud', 'auth', 'print-access-token']`. */
  argv: readonly string[];
  /** The provider entry's name, for messages. */
  providerName: string;
  /** The setting the command came from, for messages. Default `access_token_command`. */
  setting?: string;
  /** Environment of the command. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Default {@link ACCESS_TOKEN_COMMAND_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Default {@link ACCESS_TOKEN_MAX_AGE_MS}. */
  maxAgeMs?: number;
  /** Monotonic clock, ms. Default `performance.now`. */
  nowMs?: () => number;
}

interface ExecError extends Error {
  code?: string | number | null;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
}

/**
 * An OAuth access token printed by a command (`gcloud auth print-access-token`), run
 * without a shell, its output trimmed and cached. The command runs again once the token is
 * {@link ACCESS_TOKEN_MAX_AGE_MS} old or after the server rejected it (`invalidate`);
 * concurrent callers share one run. A failing command rejects with a `LENS_PROVIDER_AUTH`
 * error of one paragraph naming the setting, the exit code and the first line of stderr,
 * never the token.
 */
export class CommandAccessToken {
  readonly #argv: readonly string[];
  readonly #label: string;
  readonly #env: NodeJS.ProcessEnv | undefined;
  readonly #timeoutMs: number;
  readonly #maxAgeMs: number;
  readonly #nowMs: () => number;
  #token: string | undefined;
  #fetchedAtMs = 0;
  #pending: Promise<string> | undefined;
  #runs = 0;

  constructor(options: CommandAccessTokenOptions) {
    if (options.argv.length === 0) {
      throw new LensProviderError('LENS_PROVIDER_CONFIG', 'the access token command is empty');
    }
    this.#argv = options.argv;
    this.#label = `provider "${options.providerName}": ${options.setting ?? 'access_token_command'} (${options.argv.join(' ')})`;
    this.#env = options.env;
    this.#timeoutMs = options.timeoutMs ?? ACCESS_TOKEN_COMMAND_TIMEOUT_MS;
    this.#maxAgeMs = options.maxAgeMs ?? ACCESS_TOKEN_MAX_AGE_MS;
    this.#nowMs = options.nowMs ?? (() => performance.now());
  }

  /** How many times the command ran. */
  get runs(): number {
    return this.#runs;
  }

  /** The cached token while it is fresh; otherwise the command's next one. */
  get(): Promise<string> {
    if (this.#token !== undefined && this.#nowMs() - this.#fetchedAtMs < this.#maxAgeMs) {
      return Promise.resolve(this.#token);
    }
    this.#pending ??= this.#run().then(
      (token) => {
        this.#pending = undefined;
        this.#token = token;
        this.#fetchedAtMs = this.#nowMs();
        return token;
      },
      (error: unknown) => {
        this.#pending = undefined;
        throw error;
      },
    );
    return this.#pending;
  }

  /** The server rejected `token` (401): the next `get` runs the command again, unless it already has. */
  invalidate(token: string): void {
    if (this.#token === token) this.#token = undefined;
  }

  #run(): Promise<string> {
    this.#runs++;
    const [file, ...args] = this.#argv;
    return new Promise((resolve, reject) => {
      execFile(
        file!,
        args,
        {
          encoding: 'utf8',
          timeout: this.#timeoutMs,
          maxBuffer: MAX_OUTPUT_BYTES,
          windowsHide: true,
          ...(this.#env === undefined ? {} : { env: this.#env }),
        },
        (error, stdout, stderr) => {
          if (error !== null) {
            reject(this.#failure(error as ExecError, stderr));
            return;
          }
          const token = stdout.trim();
          if (token === '') {
            reject(this.#auth('exited with 0 but printed no token'));
          } else if (/\s/.test(token)) {
            // Never quoted: it may hold a token among other words.
            reject(this.#auth('printed more than one word; it must print only the access token'));
          } else {
            resolve(token);
          }
        },
      );
    });
  }

  #failure(error: ExecError, stderr: string): LensProviderError {
    const line = stderr
      .split(/\r?\n/)
      .map((text) => text.trim())
      .find((text) => text !== '');
    const said = line === undefined ? '' : `: ${line.slice(0, STDERR_CHARS)}`;
    if (error.code === 'ENOENT' || error.code === 'EACCES') {
      return this.#auth(
        `could not be started (${error.code}: ${this.#argv[0]} is not an executable on PATH); install it or give its full path`,
      );
    }
    if (error.killed === true && error.signal !== null && error.signal !== undefined) {
      return this.#auth(`did not finish within ${this.#timeoutMs / 1000} s and was stopped${said}`);
    }
    if (typeof error.code === 'number') {
      return this.#auth(`failed with exit code ${error.code}${said}`);
    }
    if (error.signal !== null && error.signal !== undefined) {
      return this.#auth(`was killed by ${error.signal}${said}`);
    }
    if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
      return this.#auth(
        `printed more than ${MAX_OUTPUT_BYTES} bytes; it must print only the access token`,
      );
    }
    return this.#auth(`failed (${String(error.code ?? 'error')})${said}`);
  }

  #auth(what: string): LensProviderError {
    // A quoted stderr line may end in its own full stop.
    const sentence = what.endsWith('.') ? what : `${what}.`;
    return new LensProviderError(
      'LENS_PROVIDER_AUTH',
      `${this.#label} ${sentence} Run the command yourself to see why (for gcloud: gcloud auth login), or give a token in an environment variable with access_token_env.`,
      { errorClass: 'auth' },
    );
  }
}

/** Passes a response on to `sink`, dropping the token it was sent with when the server answers 401. */
class UnauthorizedWatch implements ResponseSink {
  token: string | undefined;
  readonly #sink: ResponseSink;
  readonly #source: CommandAccessToken;

  constructor(sink: ResponseSink, source: CommandAccessToken) {
    this.#sink = sink;
    this.#source = source;
  }

  onConnection(phases: ConnectionPhases | undefined, stampNs: bigint): void {
    this.#sink.onConnection(phases, stampNs);
  }

  onHeaders(
    status: number,
    headers: Record<string, string | string[] | undefined>,
    stampNs: bigint,
  ): void {
    if (status === 401 && this.token !== undefined) this.#source.invalidate(this.token);
    this.#sink.onHeaders(status, headers, stampNs);
  }

  onChunk(chunk: Buffer, stampNs: bigint): void {
    this.#sink.onChunk(chunk, stampNs);
  }

  onComplete(stampNs: bigint): void {
    this.#sink.onComplete(stampNs);
  }

  onError(error: Error, stampNs: bigint): void {
    this.#sink.onError(error, stampNs);
  }
}

/**
 * A transport interceptor that sends every request with `Authorization: Bearer <token>`
 * from `source`, built on `asyncInterceptor`: the wait for a token (a cache hit, or a run of
 * the command) is the client's, so it falls in send_delay, never in ttfb or ttft. A 401
 * drops the token it was sent with, so the next request runs the command again; the request
 * itself is not retried (retries are the executor's).
 */
export function accessTokenInterceptor(source: CommandAccessToken): TransportInterceptor {
  return (next) => (spec, sink) => {
    const watch = new UnauthorizedWatch(sink, source);
    const send = asyncInterceptor(async (request) => {
      const token = await source.get();
      watch.token = token;
      return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
    })(next);
    return send(spec, watch);
  };
}
