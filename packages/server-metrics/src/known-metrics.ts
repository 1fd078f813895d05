/**
 * The metric names inference servers really expose, mapped to the few roles the report
 * compares with the client's own measurements. Names checked against the servers' sources
 * and docs: vLLM `vllm/v1/metrics/loggers.py`, TGI `docs/source/reference/metrics.md`,
 * llama.cpp `tools/server/README.md` (`--metrics`).
 */

/** The roles a server metric can play in the report. */
export const SERVER_METRIC_ROLES = [
  'running',
  'waiting',
  'kv_cache_usage',
  'server_ttft',
  'server_itl',
  'server_e2e',
  'prompt_tokens',
  'generation_tokens',
] as const;

export type ServerMetricRole = (typeof SERVER_METRIC_ROLES)[number];

/** How a role's value is read from the server's families. */
export type RoleKind = 'gauge' | 'counter' | 'histogram';

/** Where a role's value can come from, in order of preference. */
export interface RoleSource {
  /** The family name as the server writes it (counters with `_total`). */
  readonly metric: string;
  readonly server: ServerKind;
  /** `sum`: a counter read from a histogram's or summary's `_sum` (TGI counts tokens that way). */
  readonly from?: 'sum';
}

export interface RoleDefinition {
  readonly kind: RoleKind;
  /** Across label sets (engines, models): gauges `sum` or `max`; counters and histograms add up. */
  readonly aggregate: 'sum' | 'max';
  /** Histograms in seconds are reported in ms, like every duration of the summary. */
  readonly unit: 'ms' | 'count' | 'ratio' | 'tokens';
  readonly description: string;
  readonly sources: readonly RoleSource[];
}

export type ServerKind = 'vllm' | 'tgi' | 'llama.cpp';

export const ROLE_DEFINITIONS: Readonly<Record<ServerMetricRole, RoleDefinition>> = {
  running: {
    kind: 'gauge',
    aggregate: 'sum',
    unit: 'count',
    description: 'requests the server is working on (in the running batch)',
    sources: [
      { metric: 'vllm:num_requests_running', server: 'vllm' },
      { metric: 'tgi_batch_current_size', server: 'tgi' },
      { metric: 'llamacpp:requests_processing', server: 'llama.cpp' },
    ],
  },
  waiting: {
    kind: 'gauge',
    aggregate: 'sum',
    unit: 'count',
    description: 'requests queued at the server, not yet scheduled',
    sources: [
      { metric: 'vllm:num_requests_waiting', server: 'vllm' },
      { metric: 'tgi_queue_size', server: 'tgi' },
      { metric: 'llamacpp:requests_deferred', server: 'llama.cpp' },
    ],
  },
  kv_cache_usage: {
    kind: 'gauge',
    aggregate: 'max',
    unit: 'ratio',
    description: 'fraction of the KV cache in use, 0..1 (the fullest engine)',
    sources: [
      // vLLM ≥ 0.9 name first; the old one is still exported (deprecated) beside it.
      { metric: 'vllm:kv_cache_usage_perc', server: 'vllm' },
      { metric: 'vllm:gpu_cache_usage_perc', server: 'vllm' },
      { metric: 'llamacpp:kv_cache_usage_ratio', server: 'llama.cpp' },
    ],
  },
  server_ttft: {
    kind: 'histogram',
    aggregate: 'sum',
    unit: 'ms',
    description: "the server's own time to first token",
    sources: [{ metric: 'vllm:time_to_first_token_seconds', server: 'vllm' }],
  },
  server_itl: {
    kind: 'histogram',
    aggregate: 'sum',
    unit: 'ms',
    description: "the server's own inter-token latency (time per output token)",
    sources: [
      { metric: 'vllm:inter_token_latency_seconds', server: 'vllm' },
      { metric: 'vllm:time_per_output_token_seconds', server: 'vllm' },
      { metric: 'tgi_request_mean_time_per_token_duration', server: 'tgi' },
    ],
  },
  server_e2e: {
    kind: 'histogram',
    aggregate: 'sum',
    unit: 'ms',
    description: "the server's own end-to-end request latency",
    sources: [
      { metric: 'vllm:e2e_request_latency_seconds', server: 'vllm' },
      { metric: 'tgi_request_duration', server: 'tgi' },
    ],
  },
  prompt_tokens: {
    kind: 'counter',
    aggregate: 'sum',
    unit: 'tokens',
    description: 'prompt (prefill) tokens processed',
    sources: [
      { metric: 'vllm:prompt_tokens_total', server: 'vllm' },
      { metric: 'llamacpp:prompt_tokens_total', server: 'llama.cpp' },
      { metric: 'tgi_request_input_length', server: 'tgi', from: 'sum' },
    ],
  },
  generation_tokens: {
    kind: 'counter',
    aggregate: 'sum',
    unit: 'tokens',
    description: 'generated tokens',
    sources: [
      { metric: 'vllm:generation_tokens_total', server: 'vllm' },
      { metric: 'llamacpp:tokens_predicted_total', server: 'llama.cpp' },
      { metric: 'tgi_request_generated_tokens', server: 'tgi', from: 'sum' },
    ],
  },
};

/**
 * Kept besides the role sources (raw, under their own names): what explains the roles'
 * numbers (queue time, preemptions, prefix-cache hits, throughput gauges).
 */
export const EXTRA_KNOWN_METRICS: readonly string[] = [
  'vllm:request_queue_time_seconds',
  'vllm:request_prefill_time_seconds',
  'vllm:request_decode_time_seconds',
  'vllm:request_success_total',
  'vllm:num_preemptions_total',
  'vllm:prefix_cache_queries_total',
  'vllm:prefix_cache_hits_total',
  'vllm:gpu_prefix_cache_queries_total',
  'vllm:gpu_prefix_cache_hits_total',
  'tgi_request_queue_duration',
  'tgi_request_count',
  'tgi_request_success',
  'tgi_batch_current_max_tokens',
  'llamacpp:prompt_tokens_seconds',
  'llamacpp:predicted_tokens_seconds',
  'llamacpp:kv_cache_tokens',
  'llamacpp:n_decode_total',
];

/** Every family name kept by default: the role sources and the extras. */
export const KNOWN_METRICS: readonly string[] = [
  ...new Set([
    ...Object.values(ROLE_DEFINITIONS).flatMap((role) => role.sources.map((s) => s.metric)),
    ...EXTRA_KNOWN_METRICS,
  ]),
];

/** The server a family name belongs to, by its prefix. */
export function serverOfMetric(name: string): ServerKind | undefined {
  if (name.startsWith('vllm:')) return 'vllm';
  if (name.startsWith('tgi_')) return 'tgi';
  if (name.startsWith('llamacpp:')) return 'llama.cpp';
  return undefined;
}
