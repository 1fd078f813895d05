import type { RequestRecord } from '@llm-lens/core-timing';
import { type Attributes, type Histogram, type Meter, ValueType } from '@opentelemetry/api';
import { genAiProviderName } from './request-span.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_LENS_SCENARIO,
  ERROR_TYPE_OTHER,
  GEN_AI_DURATION_BUCKETS_S,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_TOKEN_TYPE_INPUT,
  GEN_AI_TOKEN_TYPE_OUTPUT,
  GEN_AI_TOKEN_USAGE_BUCKETS,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from './semconv.js';

/** The four GenAI client histograms, created on one meter. */
export interface GenAiInstruments {
  operationDuration: Histogram;
  tokenUsage: Histogram;
  timeToFirstChunk: Histogram;
  timePerOutputChunk: Histogram;
}

/**
 * Creates the GenAI client histograms with the bucket boundaries the conventions advise
 * (through the instrument's `advice`, which the SDK's default aggregation honours).
 */
export function createGenAiInstruments(meter: Meter): GenAiInstruments {
  const seconds = (name: string, description: string) =>
    meter.createHistogram(name, {
      unit: 's',
      description,
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: [...GEN_AI_DURATION_BUCKETS_S] },
    });
  return {
    operationDuration: seconds(
      METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
      'GenAI operation duration.',
    ),
    tokenUsage: meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
      unit: '{token}',
      description: 'Number of input and output tokens used.',
      valueType: ValueType.INT,
      advice: { explicitBucketBoundaries: [...GEN_AI_TOKEN_USAGE_BUCKETS] },
    }),
    timeToFirstChunk: seconds(
      METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
      'Time to receive the first chunk of the response stream.',
    ),
    timePerOutputChunk: seconds(
      METRIC_GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
      'Time between consecutive chunks of the response stream.',
    ),
  };
}

/**
 * A record that the run's statistics count: measured (not warm-up, not cool-down) and the
 * last attempt of its request. The metrics count the same requests as the summary.
 */
export function isMeasured(record: RequestRecord): boolean {
  return !record.isWarmup && record.isCooldown !== true && record.isRetried !== true;
}

/**
 * The attributes of a request's measurements: the conventions' ones, and our scenario. Not
 * the request id, nor anything else that differs per request: each distinct set is a series.
 */
export function metricAttributes(record: RequestRecord): Attributes {
  return {
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT,
    [ATTR_GEN_AI_PROVIDER_NAME]: genAiProviderName(record.provider),
    [ATTR_GEN_AI_REQUEST_MODEL]: record.model,
    [ATTR_GEN_AI_RESPONSE_MODEL]: record.model,
    [ATTR_LENS_SCENARIO]: record.scenario,
  };
}

/**
 * Records one request's measurements: its e2e as the operation duration (with `error.type`
 * when it failed), its input and output tokens, its ttft as the time to first chunk, and
 * every gap between consecutive token-bearing events as a time per output chunk. A value the
 * record lacks is not recorded (never as 0).
 */
export function recordRequestMetrics(instruments: GenAiInstruments, record: RequestRecord): void {
  const attributes = metricAttributes(record);
  if (record.e2eNs !== undefined) {
    const durationAttributes =
      record.status === 'error'
        ? { ...attributes, [ATTR_ERROR_TYPE]: record.errorClass ?? ERROR_TYPE_OTHER }
        : attributes;
    instruments.operationDuration.record(Number(record.e2eNs) / 1e9, durationAttributes);
  }
  if (record.inputTokens !== undefined) {
    instruments.tokenUsage.record(record.inputTokens, {
      ...attributes,
      [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_INPUT,
    });
  }
  if (record.outputTokens !== undefined) {
    instruments.tokenUsage.record(record.outputTokens, {
      ...attributes,
      [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_OUTPUT,
    });
  }
  if (record.ttftNs !== undefined) {
    instruments.timeToFirstChunk.record(Number(record.ttftNs) / 1e9, attributes);
  }
  const offsets = record.tokenEventOffsetsNs;
  for (let i = 1; i < offsets.length; i += 1) {
    instruments.timePerOutputChunk.record((offsets[i]! - offsets[i - 1]!) / 1e9, attributes);
  }
}
