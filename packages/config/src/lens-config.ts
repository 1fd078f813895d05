// The parsed, validated config. Field names stay snake_case, exactly as in the file, so a
// config printed back out (e.g. `llm-lens config show`) is itself a valid config file.

/** Which adapter talks to a provider. */
export type ProviderType = 'openai' | 'openai-compatible' | 'mock';

/** Which OpenAI-style endpoint a provider is called through. */
export type ProviderApi = 'chat' | 'completions';

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
 * A latency distribution of the simulator, normalised from any accepted spelling
 * (`150`, `"normal:200,20"`, `{distribution: lognormal, ...}`) to one tagged shape.
 */
export type MockDistribution =
  | { distribution: 'fixed'; value_ms: number }
  | { distribution: 'normal'; mean_ms: number; stdev_ms: number }
  | { distribution: 'lognormal'; median_ms: number; sigma: number };

/** Output length of a simulated response: a fixed count or a uniform range (inclusive). */
export type MockOutputTokens = number | { min: number; max: number };

/** Fault injection of the simulator: every rate is a probability per request in [0, 1]. */
export interface MockFaults {
  /** Share of requests answered with HTTP 429. */
  rate_limit_rate?: number;
  /** `Retry-After` sent with a 429, seconds. */
  retry_after_s?: number;
  /** Share of requests answered with HTTP 500. */
  server_error_rate?: number;
  /** Share of requests whose connection is dropped before the response. */
  drop_rate?: number;
  /** Share of requests that stall once mid-stream for `stall_ms`. */
  stall_rate?: number;
  /** Length of a stall, ms. */
  stall_ms?: number;
  /** Share of streams that end with an error event. */
  mid_stream_error_rate?: number;
}

/** Settings of the built-in simulator (`type: mock`); unset fields use the simulator's defaults. */
export interface MockSettings {
  ttft_ms?: MockDistribution;
  itl_ms?: MockDistribution;
  output_tokens?: MockOutputTokens;
  tokens_per_event?: number;
  reasoning_tokens?: number;
  /** `independent`: every stream has its own timing; `lockstep`: concurrent streams share ticks. */
  mode?: 'independent' | 'lockstep';
  seed?: number;
  faults?: MockFaults;
}

/** One API endpoint to measure. */
export interface ProviderConfig {
  /** Label used in results; unique. Defaults to `type`. */
  name: string;
  type: ProviderType;
  /** Base URL including the version path (`…/v1`). Set for openai (default) and openai-compatible. */
  base_url?: string;
  /** Name of the environment variable holding the API key (default `OPENAI_API_KEY` for openai). */
  api_key_env?: string;
  /** Absolute path of a file holding the API key; read by the CLI at run time, never here. */
  api_key_file?: string;
  /** Endpoint family, default `chat`. */
  api: ProviderApi;
  /** Models to measure, at least one. */
  models: string[];
  /** Extra request-body fields, passed through untouched. */
  options?: Record<string, unknown>;
  /** Extra request headers (never credentials). */
  headers?: Record<string, string>;
  timeouts?: ProviderTimeouts;
  /** Only for `type: mock`. */
  mock?: MockSettings;
}

/** One chat message of a scenario's conversation. */
export interface ChatMessageConfig {
  role: 'system' | 'user' | 'assistant';
  content: string;
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
  /** Measured requests, excluding warm-up; default 20. */
  requests: number;
  /** Requests in flight at once; default 1. */
  concurrency: number;
  /** Unmeasured requests sent first; default 0. */
  warmup: number;
  max_tokens?: number;
  temperature?: number;
  /** Stream the response; default true. */
  stream: boolean;
  /** Per-request total timeout, ms; default 120000. */
  timeout_ms: number;
  /** Provider names this scenario runs against; unset means all. */
  providers?: string[];
}

/** Where results go and when a run counts as failed. */
export interface OutputsConfig {
  /** Path of the summary JSON, relative to the working directory. */
  summary?: string;
  /** Path of the per-request JSONL records, relative to the working directory. */
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
  providers: ProviderConfig[];
  scenarios: ScenarioConfig[];
  outputs: OutputsConfig;
  fidelity: FidelityConfig;
}
