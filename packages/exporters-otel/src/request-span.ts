import { randomBytes } from 'node:crypto';
import type { RequestRecord } from '@llm-lens/core-timing';
import type { RunSummary } from '@llm-lens/metrics';
import {
  type Attributes,
  type HrTime,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_LENS_ATTEMPT,
  ATTR_LENS_CLIENT_BOUND,
  ATTR_LENS_COMPLETE,
  ATTR_LENS_CONFIG_HASH,
  ATTR_LENS_COST_USD,
  ATTR_LENS_E2E_MS,
  ATTR_LENS_ERRORS,
  ATTR_LENS_EVENT_OFFSET_MS,
  ATTR_LENS_EVENT_TOKENS,
  ATTR_LENS_FIRST_REQUEST_ID,
  ATTR_LENS_GROUPS,
  ATTR_LENS_PHASE,
  ATTR_LENS_PROVIDER,
  ATTR_LENS_QUEUE_MS,
  ATTR_LENS_REPEAT,
  ATTR_LENS_REQUEST_ID,
  ATTR_LENS_REQUESTS,
  ATTR_LENS_RETRIED,
  ATTR_LENS_RUN_ID,
  ATTR_LENS_SCENARIO,
  ATTR_LENS_SESSION_ID,
  ATTR_LENS_TOKEN_COUNT_SOURCE,
  ATTR_LENS_TOKEN_EVENTS,
  ATTR_LENS_TOOL_VERSION,
  ATTR_LENS_TPOT_MS,
  ATTR_LENS_TTFB_MS,
  ATTR_LENS_TURN,
  ERROR_TYPE_OTHER,
  EVENT_LENS_TOKENS,
  GEN_AI_OPERATION_CHAT,
  SPAN_NAME_RUN,
} from './semconv.js';

/** The ids of one new span, lowercase hex: 32 digits of trace id, 16 of span id. */
export interface SpanIds {
  traceId: string;
  spanId: string;
}

/** What every span of one exporter shares, and where new span ids come from. */
export interface SpanSource {
  resource: Resource;
  scope: InstrumentationScope;
  /** Default: random ids (`crypto.randomBytes`), each request span its own trace. */
  newIds?: () => SpanIds;
}

export interface RequestSpanOptions {
  /** One span event per token-bearing stream event. Default false. */
  recordTokens?: boolean;
}

/** Which part of the run a record belongs to, as `llm_lens.phase` says it. */
export type RequestPhase = 'measure' | 'warmup' | 'cooldown';

export function phaseOf(record: RequestRecord): RequestPhase {
  if (record.isWarmup) return 'warmup';
  return record.isCooldown === true ? 'cooldown' : 'measure';
}

// Our provider names whose conventions' well-known value differs. `google` is the AI Studio
// endpoint (generativelanguage), `vertex` the Vertex AI one; the rest pass through as custom
// values (the conventions allow them), `openai` included for every OpenAI-compatible server.
const WELL_KNOWN_PROVIDERS: Readonly<Record<string, string>> = {
  azure: 'azure.ai.openai',
  bedrock: 'aws.bedrock',
  google: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
};

/** `gen_ai.provider.name` for one of our provider names. */
export function genAiProviderName(provider: string): string {
  return WELL_KNOWN_PROVIDERS[provider] ?? provider;
}

const NS_PER_S = 1_000_000_000n;

/** Nanoseconds since the epoch as an OpenTelemetry `[seconds, nanoseconds]` pair. */
export function hrTimeOfNs(ns: bigint): HrTime {
  return [Number(ns / NS_PER_S), Number(ns % NS_PER_S)];
}

/**
 * A wall-clock time in epoch milliseconds as nanoseconds. The record's dispatch time is known
 * to the millisecond plus whatever fraction the executor derived from its monotonic clock;
 * that fraction is kept to the microsecond (a double near 1.7e12 holds no finer), nothing
 * finer is made up.
 */
export function epochMsToNs(ms: number): bigint {
  const whole = Math.floor(ms);
  const microseconds = Math.round((ms - whole) * 1000);
  return BigInt(whole) * 1_000_000n + BigInt(microseconds) * 1000n;
}

function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

/**
 * How long the request's span lasts, ns: its e2e; without one (a request that failed before
 * its end was stamped) its last stamped phase, else 0.
 */
export function spanDurationNs(record: RequestRecord): bigint {
  if (record.e2eNs !== undefined) return record.e2eNs;
  const offsets = record.tokenEventOffsetsNs;
  const lastToken = offsets.length > 0 ? BigInt(Math.round(offsets[offsets.length - 1]!)) : 0n;
  let latest = lastToken;
  for (const phase of [record.ttftNs, record.ttfbNs]) {
    if (phase !== undefined && phase > latest) latest = phase;
  }
  return latest;
}

/** The span attributes of one request (see the README for the list). */
export function requestSpanAttributes(record: RequestRecord): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT,
    [ATTR_GEN_AI_PROVIDER_NAME]: genAiProviderName(record.provider),
    [ATTR_GEN_AI_REQUEST_MODEL]: record.model,
    // The record keeps no model name from the response: the requested one is all we know.
    [ATTR_GEN_AI_RESPONSE_MODEL]: record.model,
  };
  if (record.inputTokens !== undefined)
    attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = record.inputTokens;
  if (record.outputTokens !== undefined)
    attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = record.outputTokens;
  if (record.reasoningTokens !== undefined)
    attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = record.reasoningTokens;
  if (record.cachedInputTokens !== undefined)
    attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = record.cachedInputTokens;
  if (record.ttftNs !== undefined)
    attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = Number(record.ttftNs) / 1e9;
  if (record.status === 'error')
    attributes[ATTR_ERROR_TYPE] = record.errorClass ?? ERROR_TYPE_OTHER;
  if (record.httpStatus !== undefined)
    attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = record.httpStatus;

  attributes[ATTR_LENS_REQUEST_ID] = record.requestId;
  attributes[ATTR_LENS_PROVIDER] = record.provider;
  attributes[ATTR_LENS_SCENARIO] = record.scenario;
  attributes[ATTR_LENS_PHASE] = phaseOf(record);
  if (record.repeat !== undefined) attributes[ATTR_LENS_REPEAT] = record.repeat;
  if (record.sessionId !== undefined) attributes[ATTR_LENS_SESSION_ID] = record.sessionId;
  if (record.turn !== undefined) attributes[ATTR_LENS_TURN] = record.turn;
  if (record.attempt !== undefined) attributes[ATTR_LENS_ATTEMPT] = record.attempt;
  if (record.firstRequestId !== undefined)
    attributes[ATTR_LENS_FIRST_REQUEST_ID] = record.firstRequestId;
  if (record.isRetried === true) attributes[ATTR_LENS_RETRIED] = true;
  attributes[ATTR_LENS_QUEUE_MS] = nsToMs(record.queueNs);
  if (record.ttfbNs !== undefined) attributes[ATTR_LENS_TTFB_MS] = nsToMs(record.ttfbNs);
  if (record.tpotNs !== undefined) attributes[ATTR_LENS_TPOT_MS] = nsToMs(record.tpotNs);
  if (record.e2eNs !== undefined) attributes[ATTR_LENS_E2E_MS] = nsToMs(record.e2eNs);
  if (record.tokenCountSource !== undefined)
    attributes[ATTR_LENS_TOKEN_COUNT_SOURCE] = record.tokenCountSource;
  attributes[ATTR_LENS_TOKEN_EVENTS] = record.tokenEventOffsetsNs.length;
  if (record.costUsd !== undefined) attributes[ATTR_LENS_COST_USD] = record.costUsd;
  return attributes;
}

/** One span event per token-bearing stream event, at its arrival time. */
function tokenEvents(record: RequestRecord, startNs: bigint): TimedEvent[] {
  const offsets = record.tokenEventOffsetsNs;
  const tokens = record.tokenEventTokens;
  const events: TimedEvent[] = new Array(offsets.length);
  for (let i = 0; i < offsets.length; i += 1) {
    const offsetNs = offsets[i]!;
    events[i] = {
      name: EVENT_LENS_TOKENS,
      time: hrTimeOfNs(startNs + BigInt(Math.round(offsetNs))),
      attributes: {
        [ATTR_LENS_EVENT_TOKENS]: tokens[i] ?? 1,
        [ATTR_LENS_EVENT_OFFSET_MS]: offsetNs / 1e6,
      },
      droppedAttributesCount: 0,
    };
  }
  return events;
}

function randomSpanIds(): SpanIds {
  const hex = randomBytes(24).toString('hex');
  return { traceId: hex.slice(0, 32), spanId: hex.slice(32) };
}

function finishedSpan(
  source: SpanSource,
  fields: {
    name: string;
    kind: SpanKind;
    startNs: bigint;
    endNs: bigint;
    attributes: Attributes;
    events: TimedEvent[];
    status: ReadableSpan['status'];
  },
): ReadableSpan {
  const ids = (source.newIds ?? randomSpanIds)();
  const context: SpanContext = {
    traceId: ids.traceId,
    spanId: ids.spanId,
    traceFlags: TraceFlags.SAMPLED,
  };
  return {
    name: fields.name,
    kind: fields.kind,
    spanContext: () => context,
    startTime: hrTimeOfNs(fields.startNs),
    endTime: hrTimeOfNs(fields.endNs),
    duration: hrTimeOfNs(fields.endNs - fields.startNs),
    status: fields.status,
    attributes: fields.attributes,
    links: [],
    events: fields.events,
    ended: true,
    resource: source.resource,
    instrumentationScope: source.scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/**
 * The finished CLIENT span of one request, named `chat {model}`, from its wall-clock dispatch
 * to dispatch + e2e (ns-exact), each request the root of its own trace. Built directly rather
 * than through a Tracer: the times come from the record, not from a clock, and no sampler or
 * span limit read from the environment can drop or trim a benchmark's spans.
 */
export function requestSpan(
  record: RequestRecord,
  source: SpanSource,
  options: RequestSpanOptions = {},
): ReadableSpan {
  const startNs = epochMsToNs(record.startedAtMs);
  const isError = record.status === 'error';
  return finishedSpan(source, {
    name: `${GEN_AI_OPERATION_CHAT} ${record.model}`,
    kind: SpanKind.CLIENT,
    startNs,
    endNs: startNs + spanDurationNs(record),
    attributes: requestSpanAttributes(record),
    events: options.recordTokens === true ? tokenEvents(record, startNs) : [],
    status: isError
      ? {
          code: SpanStatusCode.ERROR,
          message: record.errorMessage ?? record.errorClass ?? 'failed',
        }
      : { code: SpanStatusCode.UNSET },
  });
}

/**
 * The INTERNAL span of the whole run, from its start to its end as the summary says, with the
 * run id and request counts: what an export from a summary alone can still say.
 */
export function runSpan(summary: RunSummary, source: SpanSource): ReadableSpan {
  const startNs = epochMsToNs(Date.parse(summary.run.started_at));
  let endNs = epochMsToNs(Date.parse(summary.run.ended_at));
  // bigint: Math.max does not apply. A clock stepped back must not give a negative span.
  if (endNs < startNs) endNs = startNs;
  let requests = 0;
  let errors = 0;
  for (const group of summary.groups) {
    requests += group.requests.total;
    errors += group.requests.failed;
  }
  const attributes: Attributes = {
    [ATTR_LENS_RUN_ID]: summary.run.run_id,
    [ATTR_LENS_TOOL_VERSION]: summary.run.tool_version,
    [ATTR_LENS_CONFIG_HASH]: summary.run.config_hash,
    [ATTR_LENS_COMPLETE]: summary.complete,
    [ATTR_LENS_GROUPS]: summary.groups.length,
    [ATTR_LENS_REQUESTS]: requests,
    [ATTR_LENS_ERRORS]: errors,
  };
  if (summary.fidelity.client_bound !== null)
    attributes[ATTR_LENS_CLIENT_BOUND] = summary.fidelity.client_bound;
  return finishedSpan(source, {
    name: SPAN_NAME_RUN,
    kind: SpanKind.INTERNAL,
    startNs,
    endNs,
    attributes,
    events: [],
    status: { code: SpanStatusCode.UNSET },
  });
}
