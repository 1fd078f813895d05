import type { RequestRecord } from '@llm-lens/core-timing';

/** One JSONL line's object. Absent phases are `null`, never 0. Durations in milliseconds. */
export interface RecordJson {
  request_id: string;
  started_at: string;
  provider: string;
  model: string;
  scenario: string;
  warmup: boolean;
  /** `warmup`, `measure` or `cooldown`: only `measure` counts in the statistics. */
  phase: 'warmup' | 'measure' | 'cooldown';
  status: 'ok' | 'error';
  /** With `--repeat K`: which run sent it (1-based), else null. */
  repeat: number | null;
  /** The conversation this request is a turn of (multi-turn scenarios), else null. */
  session_id: string | null;
  /** Which turn of its session (1 = the first), else null. */
  turn: number | null;
  /** Which attempt of its request this is (1 = the first), when the provider retries; else null. */
  attempt: number | null;
  /** On attempts 2 and later: the request_id of attempt 1, which links the attempts; else null. */
  first_request_id: string | null;
  /** True when another attempt followed this failed one (left out of the statistics). */
  retried: boolean;
  /** On a retried attempt: the wait before the next one, ms; else null. */
  retry_delay_ms: number | null;
  /** On a last attempt the retry policy stopped: `attempts_exhausted` or `retry_after_too_long`; else null. */
  retry_gave_up: string | null;
  http_status: number | null;
  error_class: string | null;
  error_message: string | null;
  queue_ms: number;
  send_delay_ms: number | null;
  dns_ms: number | null;
  connect_ms: number | null;
  tls_ms: number | null;
  /** The protocol the request's new connection negotiated (`h2`, `http/1.1`); null on a reused one. */
  protocol: string | null;
  ttfb_ms: number | null;
  ttft_ms: number | null;
  ttfo_ms: number | null;
  e2e_ms: number | null;
  e2e_from_schedule_ms: number | null;
  ttft_from_schedule_ms: number | null;
  schedule_lag_ms: number | null;
  tpot_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
  cached_input_tokens: number | null;
  token_count_source: string | null;
  /** The server's own count of generated tokens when its convention differs from output_tokens (xAI leaves reasoning out), else null. */
  reported_output_tokens: number | null;
  token_count_mismatch: boolean | null;
  /** True when part of the tokenizer's count was estimated (an unbroken run of letters too long to tokenize within the per-event budget). */
  token_count_estimated: boolean | null;
  /** Why the server's usage report was ignored (a count that is not a token count), or null. */
  usage_ignored: string | null;
  /** USD from the token counts and the model's price (catalog or --pricing), or null when the price is unknown. */
  cost_usd: number | null;
  /** Timings the server reported about its own work, ms (Bedrock's latency_ms, Ollama's eval_duration_ms), or null. */
  server_timings: Record<string, number> | null;
  token_events: number;
  /** Only with `recordTokens`: arrival of each token event, ms after dispatch. */
  token_offsets_ms?: number[];
  /** Only with `recordTokens`: tokens carried by each event. */
  token_counts?: number[];
}

export interface RecordJsonOptions {
  /** Include per-event arrival offsets and token counts. Default false. */
  recordTokens?: boolean;
}

const ms = (ns: bigint | undefined): number | null =>
  ns === undefined ? null : Math.round(Number(ns) / 1e3) / 1e3;

/** Converts a record to its JSONL shape (the only place its units change to ms). */
export function recordToJson(record: RequestRecord, options: RecordJsonOptions = {}): RecordJson {
  const json: RecordJson = {
    request_id: record.requestId,
    started_at: new Date(record.startedAtMs).toISOString(),
    provider: record.provider,
    model: record.model,
    scenario: record.scenario,
    warmup: record.isWarmup,
    phase: record.isWarmup ? 'warmup' : record.isCooldown === true ? 'cooldown' : 'measure',
    status: record.status,
    repeat: record.repeat ?? null,
    session_id: record.sessionId ?? null,
    turn: record.turn ?? null,
    attempt: record.attempt ?? null,
    first_request_id: record.firstRequestId ?? null,
    retried: record.isRetried === true,
    retry_delay_ms: record.retryDelayMs ?? null,
    retry_gave_up: record.retryGaveUp ?? null,
    http_status: record.httpStatus ?? null,
    error_class: record.errorClass ?? null,
    error_message: record.errorMessage ?? null,
    queue_ms: ms(record.queueNs) ?? 0,
    send_delay_ms: ms(record.sendDelayNs),
    dns_ms: ms(record.connection?.dnsNs),
    connect_ms: ms(record.connection?.connectNs),
    tls_ms: ms(record.connection?.tlsNs),
    protocol: record.connection?.protocol ?? null,
    ttfb_ms: ms(record.ttfbNs),
    ttft_ms: ms(record.ttftNs),
    ttfo_ms: ms(record.ttfoNs),
    e2e_ms: ms(record.e2eNs),
    e2e_from_schedule_ms: ms(record.e2eFromScheduleNs),
    ttft_from_schedule_ms: ms(record.ttftFromScheduleNs),
    schedule_lag_ms: ms(record.scheduleLagNs),
    tpot_ms: ms(record.tpotNs),
    input_tokens: record.inputTokens ?? null,
    output_tokens: record.outputTokens ?? null,
    reasoning_tokens: record.reasoningTokens ?? null,
    cached_input_tokens: record.cachedInputTokens ?? null,
    token_count_source: record.tokenCountSource ?? null,
    reported_output_tokens: record.reportedOutputTokens ?? null,
    token_count_mismatch: record.tokenCountMismatch ?? null,
    token_count_estimated: record.tokenCountEstimated ?? null,
    usage_ignored: record.usageIgnored ?? null,
    cost_usd: record.costUsd ?? null,
    server_timings: record.serverTimings ?? null,
    token_events: record.tokenEventOffsetsNs.length,
  };
  if (options.recordTokens) {
    json.token_offsets_ms = Array.from(
      record.tokenEventOffsetsNs,
      (ns) => Math.round(ns / 1e3) / 1e3,
    );
    json.token_counts = Array.from(record.tokenEventTokens);
  }
  return json;
}
