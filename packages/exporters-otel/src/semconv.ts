// The names this package writes, as constants: the OpenTelemetry GenAI semantic conventions
// (open-telemetry/semantic-conventions-genai, docs/gen-ai/gen-ai-metrics.md and
// gen-ai-spans.md; development status) and our own `llm_lens.*` names. Kept here rather than
// imported from @opentelemetry/semantic-conventions, whose GenAI names are incubating and
// move between releases: a rename upstream must be a deliberate edit of this table.

/** `chat`: the operation every request of a benchmark is. */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_OPERATION_CHAT = 'chat';
/** The provider, as a well-known value where one applies (`aws.bedrock`), else our name. */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/** Seconds from the request to the first chunk of the stream: our ttft. */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
/** `input` or `output`, on `gen_ai.client.token.usage`. */
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const GEN_AI_TOKEN_TYPE_INPUT = 'input';
export const GEN_AI_TOKEN_TYPE_OUTPUT = 'output';
/** Our error class (`rate_limited`, `timeout_ttft`, ...), or `_OTHER` when a failure has none. */
export const ATTR_ERROR_TYPE = 'error.type';
export const ERROR_TYPE_OTHER = '_OTHER';
/** The HTTP status of the response, when one arrived (stable general semconv name). */
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
/** Resource attribute. */
export const ATTR_SERVICE_NAME = 'service.name';

export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK =
  'gen_ai.client.operation.time_to_first_chunk';
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK =
  'gen_ai.client.operation.time_per_output_chunk';

/**
 * The explicit bucket boundaries the conventions advise for the three client durations
 * (seconds): operation duration, time to first chunk and time per output chunk share them.
 */
export const GEN_AI_DURATION_BUCKETS_S: readonly number[] = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
/** The explicit bucket boundaries the conventions advise for `gen_ai.client.token.usage`. */
export const GEN_AI_TOKEN_USAGE_BUCKETS: readonly number[] = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

// Our own attributes: what a request record holds that the conventions have no name for.
// Durations in milliseconds, like every other output of llm-latency-lens.
export const ATTR_LENS_REQUEST_ID = 'llm_lens.request_id';
/** The provider's name in our configuration (`gen_ai.provider.name` may map it). */
export const ATTR_LENS_PROVIDER = 'llm_lens.provider';
export const ATTR_LENS_SCENARIO = 'llm_lens.scenario';
/** `measure`, `warmup` or `cooldown`: only `measure` requests are in the statistics. */
export const ATTR_LENS_PHASE = 'llm_lens.phase';
export const ATTR_LENS_REPEAT = 'llm_lens.repeat';
export const ATTR_LENS_SESSION_ID = 'llm_lens.session_id';
export const ATTR_LENS_TURN = 'llm_lens.turn';
export const ATTR_LENS_ATTEMPT = 'llm_lens.attempt';
export const ATTR_LENS_FIRST_REQUEST_ID = 'llm_lens.first_request_id';
export const ATTR_LENS_RETRIED = 'llm_lens.retried';
export const ATTR_LENS_QUEUE_MS = 'llm_lens.queue_ms';
export const ATTR_LENS_TTFB_MS = 'llm_lens.ttfb_ms';
export const ATTR_LENS_TPOT_MS = 'llm_lens.tpot_ms';
export const ATTR_LENS_E2E_MS = 'llm_lens.e2e_ms';
export const ATTR_LENS_TOKEN_COUNT_SOURCE = 'llm_lens.token_count_source';
export const ATTR_LENS_TOKEN_EVENTS = 'llm_lens.token_events';
export const ATTR_LENS_COST_USD = 'llm_lens.cost_usd';
/** One span event per token-bearing stream event, with the two attributes below. */
export const EVENT_LENS_TOKENS = 'llm_lens.tokens';
export const ATTR_LENS_EVENT_TOKENS = 'llm_lens.tokens';
export const ATTR_LENS_EVENT_OFFSET_MS = 'llm_lens.offset_ms';

// The run span, written once with the summary.
export const SPAN_NAME_RUN = 'llm-latency-lens run';
export const ATTR_LENS_RUN_ID = 'llm_lens.run_id';
export const ATTR_LENS_TOOL_VERSION = 'llm_lens.tool_version';
export const ATTR_LENS_CONFIG_HASH = 'llm_lens.config_hash';
export const ATTR_LENS_COMPLETE = 'llm_lens.complete';
export const ATTR_LENS_CLIENT_BOUND = 'llm_lens.client_bound';
export const ATTR_LENS_GROUPS = 'llm_lens.groups';
export const ATTR_LENS_REQUESTS = 'llm_lens.requests';
export const ATTR_LENS_ERRORS = 'llm_lens.errors';

/** The instrumentation scope of every span and metric this package writes. */
export const INSTRUMENTATION_SCOPE_NAME = '@llm-lens/exporters-otel';
