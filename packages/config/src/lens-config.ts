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
  /** The type's own settings. */
  [setting: string]: unknown;
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
export interface LensConfig {
  version: 1;
  /**
   * Per-request bounds, ms: a request that succeeded within all of them counts toward
   * goodput (each group's `goodput`).
   */
  slo?: SloConfig;
  /** Threads that generate the load: a count, or `auto` (from the cores and the planned concurrency); default 1. */
  workers: number | 'auto';
  providers: ProviderConfig[];
  scenarios: ScenarioConfig[];
  outputs: OutputsConfig;
  fidelity: FidelityConfig;
}
