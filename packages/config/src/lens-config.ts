// The parsed, validated config. Field names stay snake_case, exactly as in the file, so a
// config printed back out is itself a valid config file.

/** Per-request timeouts of one provider, all in milliseconds; unset means the executor's default. */
export interface ProviderTimeouts {
  /** TCP + TLS connect, ms. */
  connect_ms?: number;
  /** Dispatch → first token, ms. */
  ttft_ms?: number;
  /** Longest allowed gap between two stream events, ms. */
  idle_ms?: number;
  /** Dispatch → end of the response, ms. */
  total_ms?: number;
}

/**
 * A provider's retry policy (`retries:`; the executor's schema checks it). Each attempt is
 * its own record; the statistics count a request once, by its last attempt.
 */
export interface ProviderRetries {
  /** Attempts per request, the first included; 1 = no retries. Default 1. */
  max_attempts?: number;
  /** Cap of the first retry's delay, ms; doubled per retry, drawn with full jitter. Default 500. */
  base_delay_ms?: number;
  /** Longest wait before a retry, ms; a longer Retry-After ends the retries. Default 30000. */
  max_delay_ms?: number;
  /** Error classes retried. Default rate_limited, server_error, network, timeout_connect. */
  retry_on?: string[];
}

/** A provider's client-side rate limits (`rate_limits:`; at least one of the two limits). */
export interface ProviderRateLimits {
  /** Most requests sent in any 60 s. Default: no request limit. */
  requests_per_minute?: number;
  /** Most tokens (input + max_tokens, estimated before sending) in any 60 s. Default: none. */
  tokens_per_minute?: number;
  /** Requests that may go at once after an idle spell. Default 1 (evenly paced). */
  burst_requests?: number;
  /** Tokens that may go at once. Default: max(tokens_per_minute / 60, the largest request). */
  burst_tokens?: number;
}

/** A provider's circuit breaker (`circuit_breaker:`). */
export interface ProviderCircuitBreaker {
  /** Consecutive counted failures that open it. Default 5. */
  failure_threshold?: number;
  /** Time open before one probe request is let through, ms. Default 30000. */
  cool_down_ms?: number;
  /**
   * Error classes that count as failures. Default rate_limited, server_error, network,
   * every timeout class, stream_interrupted.
   */
  trip_on?: string[];
}

/**
 * One API endpoint to measure. The fields below are common to every provider type; the
 * rest (`base_url`, `api_key_env`, `mock`, ...) belong to the type and are validated by the
 * schema its adapter registered.
 */
export interface ProviderConfig {
  /** Label used in results; unique. Defaults to `type`. */
  name: string;
  /** A registered provider type (`openai`, `openai-compatible`, `mock`, ...). */
  type: string;
  /** Models to measure, at least one. */
  models: string[];
  /** Extra request-body fields, passed through untouched. */
  options?: Record<string, unknown>;
  /** Extra request headers (never credentials). */
  headers?: Record<string, string>;
  timeouts?: ProviderTimeouts;
  /**
   * Largest response line, event or non-streaming body accepted, bytes; a larger one fails
   * its request as `protocol` and closes the connection. Default 8 MiB.
   */
  max_event_bytes?: number;
  /** Retry failed requests; default none. Accepted when the executor registers it (`providerSections`). */
  retries?: ProviderRetries;
  /** Client-side request and token rate limits; default none. */
  rate_limits?: ProviderRateLimits;
  /** Stop sending to a provider that keeps failing, for a cool-down; default none. */
  circuit_breaker?: ProviderCircuitBreaker;
  /** The type's own settings. */
  [setting: string]: unknown;
}

/** Settings of `saturation_guard`; every key optional. */
export interface SaturationGuardConfig {
  /** Window length, s (the flag form `5s` is accepted). Default 5. */
  window?: number;
  /** Error rate above which a window fails, 0..<1. Default 0.5. */
  max_error_rate?: number;
  /** Failing windows in a row that stop the phase. Default 2. */
  error_windows?: number;
  /** Windows in a row of rising latency from the schedule that stop it. Default 3. */
  rising_windows?: number;
  /** Finished requests a window needs to be judged. Default 10. */
  min_requests?: number;
}

/** Service-level objectives, ms; see `slo` of {@link LensConfig}. */
export interface SloConfig {
  ttft_ms?: number;
  tpot_ms?: number;
  e2e_ms?: number;
  ttft_from_schedule_ms?: number;
  e2e_from_schedule_ms?: number;
}

/** A prompt source: `{type: jsonl | sharegpt | synthetic | mix | ..., ...}` (see @llm-lens/workloads). */
export interface PromptsConfig {
  type: string;
  [setting: string]: unknown;
}

/** A request log to replay (see @llm-lens/workloads). */
export interface ReplayConfig {
  path: string;
  time_scale?: number;
  max_entries?: number;
}

/**
 * Where a scenario's multi-turn sessions come from: `{type: sharegpt | synthetic, ...}`
 * (see @llm-lens/workloads).
 */
export interface ConversationsConfig {
  type: string;
  [setting: string]: unknown;
}

/** One chat message of a scenario's conversation. */
export interface ChatMessageConfig {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** How a scenario's requests are scheduled: a registered load pattern and its own settings. */
export interface LoadConfig {
  /** A registered load pattern (`closed`, ...). Default `closed`. */
  type: string;
  [setting: string]: unknown;
}

/**
 * A scenario run at several load levels, one after another, read as one curve (see the
 * executor's sweep report). Exactly one of `concurrency` and `rate` is set.
 */
export interface SweepConfig {
  /** Concurrency levels (closed loop), ascending. */
  concurrency?: number[];
  /** Open-loop rates, requests per second, ascending. */
  rate?: number[];
  /** Throughput must rise by this fraction per level to count as rising; default 0.1. */
  min_gain?: number;
  /** TTFT p95 above this (ms) is past the knee; default 3 × the first level's. */
  ttft_p95_ms?: number;
  /** Failed share above this is past the knee; default 0.05. */
  max_error_rate?: number;
}

/** One workload: what to send and how many times. */
export interface ScenarioConfig {
  /** Unique name; defaults to `scenario-<n>` (1-based). */
  name: string;
  /** The prompt text, either written inline or read from `prompt_file` by the loader. */
  prompt?: string;
  /** Absolute path the prompt was read from (after loading) or the path as written (validation only). */
  prompt_file?: string;
  messages?: ChatMessageConfig[];
  /**
   * Where each request's prompt comes from (a dataset, synthetic prompts, a mix), validated
   * by the registered prompt-source schema; instead of prompt, prompt_file or messages.
   */
  prompts?: PromptsConfig;
  /**
   * Replay a request log (`{path, time_scale?, max_entries?}`, validated by the registered
   * schema): its prompts at its original offsets; `requests` and `load` do not apply.
   */
  replay?: ReplayConfig;
  /**
   * Multi-turn sessions (validated by the registered conversation-source schema), instead of
   * prompt, prompt_file, messages, prompts or replay: each request the load pattern starts
   * is a session that sends its turns in order with the growing history, so `requests` counts
   * sessions and `concurrency` users at once.
   */
  conversations?: ConversationsConfig;
  /**
   * The replies sessions send back as history: `live` (the server's) or `recorded` (the
   * dataset's, the same prompts on every run). Only with `conversations`; unset means `live`.
   */
  conversation_history?: 'live' | 'recorded';
  /**
   * Measured requests, excluding warm-up; default 20. With `duration`, a cap (unset: none),
   * so it is undefined only when `duration` is set.
   */
  requests?: number;
  /** Length of the measured phase, seconds (written `60s`, `2m`, ... or a number): dispatching stops then. */
  duration?: number;
  /** Requests in flight at once (for open-loop patterns: the cap); default 1. */
  concurrency: number;
  /** Unmeasured requests sent first; default 0. */
  warmup: number;
  /** A warm-up by time, seconds (with `warmup` too: whichever ends it first). */
  warmup_duration?: number;
  /**
   * Seconds of unmeasured load kept on after the measured phase stops dispatching, so its
   * last requests run under the same load; ends early when they have all finished.
   */
  cooldown?: number;
  /** How requests are scheduled; default `{ type: closed }`. */
  load: LoadConfig;
  /** Run the scenario at each of these load levels. */
  sweep?: SweepConfig;
  max_tokens?: number;
  /**
   * Ask for at least this many output tokens (vLLM's `min_tokens` with `ignore_eos`), so
   * output lengths do not vary between runs; at most `max_tokens`. Sent only by adapters that
   * support it (vLLM-compatible servers); others leave it out.
   */
  min_tokens?: number;
  temperature?: number;
  /** Stream the response; default true. */
  stream: boolean;
  /**
   * Per-request total timeout, ms. Unset: the provider's `timeouts.total_ms`, else 120000.
   */
  timeout_ms?: number;
  /** Provider names this scenario runs against; unset means all. */
  providers?: string[];
}

/** Where results go and when a run counts as failed. */
export interface OutputsConfig {
  /** Path of the summary file, relative to the working directory; its format follows the extension. */
  summary?: string;
  /** Path of the per-request records file, relative to the working directory; its format follows the extension. */
  records?: string;
  /** Include every token's timing in records; default false. */
  record_tokens: boolean;
  /** Fraction of failed measured requests above which the exit code is 1; default 1 (never). */
  max_error_rate: number;
}

/** Thresholds of the client's self-measurement. */
export interface FidelityConfig {
  /** Event-loop delay p99 above which a run is flagged client_bound, ms; default 5. */
  event_loop_delay_p99_ms: number;
}

/** A whole, validated llm-latency-lens config. */
/** `history:` settings. */
export interface HistoryConfig {
  /** Default true when the section is given. */
  save?: boolean;
  /** A SQLite file path or a postgres:// URL; default ~/.local/share/llm-lens/history.db. */
  location?: string;
  tags?: string[];
  /** Store the per-request records too (large). Default false. */
  records?: boolean;
}

export interface LensConfig {
  version: 1;
  /**
   * Per-request bounds, ms: a request that succeeded within all of them counts toward
   * goodput (each group's `goodput`).
   */
  slo?: SloConfig;
  /**
   * Budget of the run, USD: dispatching stops before the estimated spend (each request at
   * its worst case, input + max_tokens at the model's price, until its real cost is known)
   * would pass it. Needs a price for every target and `max_tokens` in every scenario.
   */
  max_cost_usd?: number;
  /**
   * Runs the whole benchmark this many times and reports each statistic across the runs
   * (spread and a 95 % confidence interval); default 1.
   */
  repeat?: number;
  /**
   * Stops a measured phase that is past saturation (error rate staying high, or latency from
   * the schedule rising window after window): `true` for the defaults, or its settings.
   */
  saturation_guard?: boolean | SaturationGuardConfig;
  /**
   * Checks of the finished run (`ttft.p95<800`, `openai:gpt-4o-mini/success_rate>=0.99`): a
   * failed one exits with its own code. Parsed and checked before anything is sent.
   */
  thresholds?: string[];
  /** Stop dispatching as soon as a threshold can no longer pass. */
  abort_on_fail?: boolean;
  /** The run to compare with: a summary or run file, `history:latest` or `history:<tag>`. */
  baseline?: string;
  /** Tolerances against the baseline (`ttft.p95:+10%`, `e2e.p95:+50ms`). */
  regressions?: string[];
  /** Save the run to the results history: `true`, or where and how. */
  history?: boolean | HistoryConfig;
  /** Threads that generate the load: a count, or `auto` (from the cores and the planned concurrency); default 1. */
  workers: number | 'auto';
  providers: ProviderConfig[];
  scenarios: ScenarioConfig[];
  outputs: OutputsConfig;
  fidelity: FidelityConfig;
}
