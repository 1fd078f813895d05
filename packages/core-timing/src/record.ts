/**
 * Error classes, as defined in ARCHITECTURE.md. Every failed request carries exactly one.
 */
export const ERROR_CLASSES = [
  'rate_limited',
  'server_error',
  'client_error',
  'auth',
  'timeout_connect',
  'timeout_ttft',
  'timeout_idle',
  'timeout_total',
  'network',
  'stream_interrupted',
  'protocol',
  'cancelled',
] as const;

export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Where a record's output token count came from, best first. */
export type TokenCountSource = 'server_usage' | 'tokenizer' | 'event_count';

/** DNS, TCP connect and TLS durations of a newly opened connection, in nanoseconds. */
export interface ConnectionPhases {
  /** Name lookup; absent when the host was an IP literal. */
  dnsNs?: bigint;
  connectNs: bigint;
  /** TLS handshake; absent for plain HTTP. */
  tlsNs?: bigint;
  /**
   * The HTTP version the connection speaks: the TLS ALPN result (`h2`, `http/1.1`), or
   * `http/1.1` for plain TCP and for TLS without ALPN. Absent when unknown (a connection
   * opened by something other than the timed connector).
   */
  protocol?: string;
}

export type RequestStatus = 'ok' | 'error';

/** Why a retried request's last failure was not retried again. */
export type RetryGaveUp = 'attempts_exhausted' | 'retry_after_too_long';

/**
 * One request, as measured. Durations are nanoseconds relative to dispatch
 * unless the name says otherwise; a field is absent (not 0) when the phase did not happen.
 */
export interface RequestRecord {
  requestId: string;
  provider: string;
  model: string;
  scenario: string;
  /** Warm-up requests are executed and recorded but excluded from statistics. */
  isWarmup: boolean;
  /**
   * Sent during the cool-down (load kept on after the measured phase stopped dispatching,
   * so its last requests ran under the same load); excluded from statistics like warm-up.
   */
  isCooldown?: boolean;
  /** With `--repeat K`: which run of the benchmark sent it (1-based). */
  repeat?: number;
  /**
   * The conversation this request is a turn of (multi-turn scenarios): one id per session,
   * shared by its turns.
   */
  sessionId?: string;
  /** Which turn of its session this is (1 = the first); the context grows with each. */
  turn?: number;
  /**
   * Which attempt of its request this is (1 = the first); present when the provider retries
   * failed requests (`retries.max_attempts` > 1).
   */
  attempt?: number;
  /** On attempts 2 and later: the `requestId` of attempt 1, which links every attempt of a request. */
  firstRequestId?: string;
  /**
   * This attempt failed and another followed it: it is recorded, but left out of the
   * statistics (which count each request once, by its last attempt) and counted in `retries`.
   */
  isRetried?: boolean;
  /** On a retried attempt: the wait before the next attempt, ms (backoff or the server's Retry-After). */
  retryDelayMs?: number;
  /**
   * On a request's last attempt, when it failed with a retried class and the policy stopped
   * retrying: after `max_attempts`, or because the server asked for a wait over `max_delay_ms`.
   */
  retryGaveUp?: RetryGaveUp;
  /** Wall-clock start (dispatch), milliseconds since the Unix epoch; a label only. */
  startedAtMs: number;
  /**
   * Monotonic stamp of "dispatch", the origin of every latency below: the moment the
   * request's headers were written to the socket (or handed to the HTTP client, if it never
   * got that far). A `process.hrtime.bigint()` reading, comparable only with stamps
   * taken on the same machine (e.g. a local server's own log), never across machines.
   */
  dispatchNs: bigint;
  status: RequestStatus;
  httpStatus?: number;
  errorClass?: ErrorClass;
  /** Human-readable cause; never contains credentials. */
  errorMessage?: string;
  /**
   * The same request would fail the same way again (a refused connection, an unknown host,
   * a rejected key, a wrong path): sending more of them measures nothing.
   */
  errorIsPersistent?: boolean;
  /** Scheduled send time → handed to the HTTP client (waiting for a concurrency slot). */
  queueNs: bigint;
  /**
   * Handed to the HTTP client → headers written: the client's own scheduling, plus dns,
   * connect and tls when the request opened a connection.
   */
  sendDelayNs?: bigint;
  /** Present only when this request opened a new connection. */
  connection?: ConnectionPhases;
  ttfbNs?: bigint;
  ttftNs?: bigint;
  ttfoNs?: bigint;
  e2eNs?: bigint;
  /** Scheduled send time → end; equals queue + sendDelay + e2e. */
  e2eFromScheduleNs?: bigint;
  /**
   * Scheduled send time → first token; equals queue + sendDelay + ttft. With an open-loop
   * schedule this is the latency a user arriving at that time saw, however far behind the
   * client or the server fell (no coordinated omission).
   */
  ttftFromScheduleNs?: bigint;
  /**
   * How late the client handed the request to the HTTP client, for reasons of its own
   * (timers, a busy event loop, its dispatch queue): hand-off − the later of the scheduled
   * time and the moment an in-flight slot freed. Waiting for a slot is not lag: it is the
   * server being slow, and it is in `queueNs`.
   */
  scheduleLagNs?: bigint;
  tpotNs?: bigint;
  inputTokens?: number;
  outputTokens?: number;
  reasoningTokens?: number;
  cachedInputTokens?: number;
  tokenCountSource?: TokenCountSource;
  /**
   * The server's own count of generated tokens as it reported it, when its convention differs
   * from `outputTokens` (visible + reasoning): xAI's `completion_tokens` leaves reasoning out.
   */
  reportedOutputTokens?: number;
  /** Server and client token counts both exist and differ by more than 5%. */
  tokenCountMismatch?: boolean;
  /**
   * Part of the tokenizer's count was estimated rather than counted: a delta or text held an
   * unbroken run of letters so long that exact BPE would block the event loop (its cost
   * grows with the square of the run's length).
   */
  tokenCountEstimated?: boolean;
  /**
   * Why the server's usage report was ignored: a count that is not a whole number from 0 to
   * 10^9. The output count then comes from the tokenizer or the event count.
   */
  usageIgnored?: string;
  /**
   * Timings the server reported about its own work, ms, under its names (Bedrock's
   * `latency_ms`, Ollama's `eval_duration_ms`): kept next to the client's measurements,
   * never mixed into them.
   */
  serverTimings?: Record<string, number>;
  /** What the request cost in USD from its token counts and the model's price; absent when the price is unknown. */
  costUsd?: number;
  /**
   * Arrival of every token-bearing event, nanoseconds after dispatch (Float64 holds
   * integer nanoseconds exactly up to 104 days), and how many tokens each carried.
   */
  tokenEventOffsetsNs: Float64Array;
  tokenEventTokens: Uint32Array;
}
