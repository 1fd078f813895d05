// What llm-latency-lens writes to InfluxDB: one `llm_request` point per request and one
// `llm_summary` point per provider/model/scenario. Pure: records and summaries in, points
// (or lines) out.
import type { RequestRecord } from '@llm-lens/core-timing';
import {
  DISTRIBUTION_STATISTICS,
  type GroupSummary,
  LATENCY_METRICS,
  RATE_METRICS,
  type RunSummary,
  UNCLASSIFIED_ERROR,
} from '@llm-lens/metrics';
import { epochMsToNs, type FieldValue, formatPoint, type Point } from './line-protocol.js';

/** Measurement of the per-request points. */
export const REQUEST_MEASUREMENT = 'llm_request';
/** Measurement of the per-group summary points. */
export const SUMMARY_MEASUREMENT = 'llm_summary';

/**
 * Longest error message kept, in characters. InfluxDB 1.x refuses a string field over 64 KB
 * and a dashboard shows a line, not a page; the summary's `error_examples` stops at 200.
 */
export const ERROR_MESSAGE_MAX_CHARS = 1024;

/** The statistics of a distribution written as fields (its count is an integer field of its own). */
const FIELD_STATISTICS = DISTRIBUTION_STATISTICS.filter((statistic) => statistic !== 'count');

const ms = (ns: bigint | undefined): number | undefined =>
  ns === undefined ? undefined : Math.round(Number(ns) / 1e3) / 1e3;

const integer = (value: number | undefined): bigint | undefined =>
  value === undefined || !Number.isSafeInteger(value) ? undefined : BigInt(value);

/** `warmup`, `measure` or `cooldown`: only `measure` counts in the statistics. */
export function requestPhase(record: RequestRecord): 'warmup' | 'measure' | 'cooldown' {
  if (record.isWarmup) return 'warmup';
  return record.isCooldown === true ? 'cooldown' : 'measure';
}

/**
 * The request's per-token inter-token latency, mean and max, ms: the gap before an event
 * carrying k tokens counts as k gaps of gap / k (the `itl` distribution's rule). The first
 * event's wait is ttft, not an itl. Undefined with fewer than two token events.
 */
function interTokenLatencies(record: RequestRecord): { meanMs: number; maxMs: number } | undefined {
  const offsets = record.tokenEventOffsetsNs;
  if (offsets.length < 2) return undefined;
  let tokens = 0;
  let maxNs = 0;
  for (let i = 1; i < offsets.length; i++) {
    const k = Math.max(1, record.tokenEventTokens[i] ?? 1);
    tokens += k;
    maxNs = Math.max(maxNs, (offsets[i]! - offsets[i - 1]!) / k);
  }
  const spanNs = offsets[offsets.length - 1]! - offsets[0]!;
  return {
    meanMs: Math.round(spanNs / tokens / 1e3) / 1e3,
    maxMs: Math.round(maxNs / 1e3) / 1e3,
  };
}

/**
 * The `llm_request` point of one record, at its wall-clock dispatch time. Tags are the few
 * values a dashboard groups by; ids are fields, since every distinct tag value makes a series.
 * A phase that did not happen has no field (never 0).
 */
export function requestPoint(record: RequestRecord, runId: string | undefined): Point {
  const itl = interTokenLatencies(record);
  const connection = record.connection;
  const message = record.errorMessage;
  const fields: Record<string, FieldValue> = {
    ttft_ms: ms(record.ttftNs),
    ttfo_ms: ms(record.ttfoNs),
    ttfb_ms: ms(record.ttfbNs),
    e2e_ms: ms(record.e2eNs),
    itl_mean_ms: itl?.meanMs,
    itl_max_ms: itl?.maxMs,
    tpot_ms: ms(record.tpotNs),
    queue_ms: ms(record.queueNs),
    send_delay_ms: ms(record.sendDelayNs),
    schedule_lag_ms: ms(record.scheduleLagNs),
    e2e_from_schedule_ms: ms(record.e2eFromScheduleNs),
    ttft_from_schedule_ms: ms(record.ttftFromScheduleNs),
    dns_ms: ms(connection?.dnsNs),
    connect_ms: ms(connection?.connectNs),
    tls_ms: ms(connection?.tlsNs),
    input_tokens: integer(record.inputTokens),
    output_tokens: integer(record.outputTokens),
    reasoning_tokens: integer(record.reasoningTokens),
    cached_input_tokens: integer(record.cachedInputTokens),
    token_events: BigInt(record.tokenEventOffsetsNs.length),
    cost_usd: record.costUsd,
    http_status: integer(record.httpStatus),
    attempt: integer(record.attempt),
    repeat: integer(record.repeat),
    turn: integer(record.turn),
    retried: record.isRetried === true ? true : undefined,
    request_id: record.requestId,
    session_id: record.sessionId,
    error_message:
      message === undefined || message.length <= ERROR_MESSAGE_MAX_CHARS
        ? message
        : `${message.slice(0, ERROR_MESSAGE_MAX_CHARS - 1)}…`,
  };
  return {
    measurement: REQUEST_MEASUREMENT,
    tags: {
      provider: record.provider,
      model: record.model,
      scenario: record.scenario,
      status: record.status,
      phase: requestPhase(record),
      error_class:
        record.status === 'error' ? (record.errorClass ?? UNCLASSIFIED_ERROR) : undefined,
      run_id: runId,
    },
    fields,
    timestampNs: epochMsToNs(record.startedAtMs),
  };
}

/** The record's `llm_request` line, without the newline. */
export function formatRequestLine(record: RequestRecord, runId: string | undefined): string {
  return formatPoint(requestPoint(record, runId));
}

/**
 * The `llm_summary` fields of one group: every distribution's statistics
 * (`ttft_p50_ms`, `output_tokens_per_s_p99`, `<metric>_count`), request counts,
 * success_rate, throughput, tokens, cost, goodput and errors by class.
 */
function summaryFields(group: GroupSummary): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {
    requests_total: BigInt(group.requests.total),
    requests_succeeded: BigInt(group.requests.succeeded),
    requests_failed: BigInt(group.requests.failed),
    requests_warmup: BigInt(group.requests.warmup),
    requests_planned: integer(group.requests.planned ?? undefined),
    requests_not_sent: integer(group.requests.not_sent ?? undefined),
    success_rate: group.success_rate,
    complete: group.complete,
    throughput_window_s: group.throughput.window_s,
    throughput_requests_per_s: group.throughput.requests_per_s,
    throughput_output_tokens_per_s: group.throughput.output_tokens_per_s,
    throughput_dispatch_rate_per_s: group.throughput.dispatch_rate_per_s ?? undefined,
    input_tokens: BigInt(group.tokens.input),
    output_tokens: BigInt(group.tokens.output),
    reasoning_tokens: BigInt(group.tokens.reasoning),
    cached_input_tokens: BigInt(group.tokens.cached_input),
    cost_usd: group.cost?.total_usd,
    cost_per_request_usd: group.cost?.per_request_usd,
    priced_requests: integer(group.cost?.priced_requests),
    unpriced_requests: integer(group.cost?.unpriced_requests),
    goodput_requests: integer(group.goodput?.requests),
    goodput_fraction: group.goodput?.fraction,
    goodput_requests_per_s: group.goodput?.requests_per_s,
    connections_opened: BigInt(group.connections.opened),
    client_bound: group.fidelity.client_bound ?? undefined,
  };
  for (const metric of LATENCY_METRICS) {
    const distribution = group[metric];
    if (distribution === null) continue;
    fields[`${metric}_count`] = BigInt(distribution.count);
    for (const statistic of FIELD_STATISTICS) {
      fields[`${metric}_${statistic}_ms`] = distribution[statistic];
    }
  }
  for (const metric of RATE_METRICS) {
    const distribution = group[metric];
    if (distribution === null) continue;
    fields[`${metric}_count`] = BigInt(distribution.count);
    for (const statistic of FIELD_STATISTICS) {
      fields[`${metric}_${statistic}`] = distribution[statistic];
    }
  }
  for (const [errorClass, count] of Object.entries(group.errors)) {
    fields[`errors_${errorClass}`] = BigInt(count);
  }
  return fields;
}

/** One `llm_summary` point per group, at the run's end time. */
export function summaryPoints(summary: RunSummary): Point[] {
  const timestampNs = epochMsToNs(Date.parse(summary.run.ended_at));
  return summary.groups.map((group) => ({
    measurement: SUMMARY_MEASUREMENT,
    tags: {
      provider: group.provider,
      model: group.model,
      scenario: group.scenario,
      run_id: summary.run.run_id,
    },
    fields: summaryFields(group),
    timestampNs,
  }));
}

/** The summary's `llm_summary` lines, each ending in a newline. */
export function formatSummaryLines(summary: RunSummary): string {
  let text = '';
  for (const point of summaryPoints(summary)) text += `${formatPoint(point)}\n`;
  return text;
}
