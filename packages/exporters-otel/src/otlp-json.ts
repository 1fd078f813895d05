// The OTLP/JSON encoding of export requests (opentelemetry-proto, "JSON Protobuf Encoding" in
// the OTLP specification): the body an OTLP/HTTP JSON exporter POSTs to /v1/traces and
// /v1/metrics, and one line of the OpenTelemetry Collector's file exporter. Pure: data in,
// text out. Timestamps are decimal strings of nanoseconds (proto3 maps fixed64 to strings),
// ids lowercase hex, enums their numbers; other integers are written as JSON numbers, as the
// JavaScript OTLP exporter writes them, so a file line equals the body pushed for the same
// spans. Every OTLP/JSON receiver accepts numbers and strings alike for 64-bit integers.
import { type Attributes, type AttributeValue, type HrTime, ValueType } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type ExponentialHistogram,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

/** An OTLP `AnyValue`. */
export type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: number }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { bytesValue: string }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } }
  | Record<string, never>;

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

// OTLP's SpanKind counts from SPAN_KIND_UNSPECIFIED = 0; the API's starts at INTERNAL = 0.
const OTLP_SPAN_KIND_OFFSET = 1;
// SpanFlags: the low byte is the W3C trace flags; bit 8 says whether bit 9 (remote parent) is known.
const SPAN_FLAGS_HAS_IS_REMOTE = 0x100;
const SPAN_FLAGS_IS_REMOTE = 0x200;
const OTLP_TEMPORALITY_DELTA = 1;
const OTLP_TEMPORALITY_CUMULATIVE = 2;

/** An `[s, ns]` time as the decimal string of its nanoseconds. */
export function hrTimeToUnixNano(time: HrTime): string {
  return (BigInt(Math.trunc(time[0])) * 1_000_000_000n + BigInt(Math.trunc(time[1]))).toString();
}

function anyValue(value: unknown): OtlpAnyValue {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'number':
      return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
    case 'boolean':
      return { boolValue: value };
  }
  if (value instanceof Uint8Array) return { bytesValue: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (typeof value === 'object' && value !== null) {
    return {
      kvlistValue: {
        values: Object.entries(value).map(([key, inner]) => ({ key, value: anyValue(inner) })),
      },
    };
  }
  return {};
}

/** Attributes as OTLP `KeyValue`s, in insertion order. */
export function otlpAttributes(attributes: Attributes): OtlpKeyValue[] {
  return Object.keys(attributes).map((key) => ({
    key,
    value: anyValue(attributes[key] as AttributeValue | undefined),
  }));
}

function otlpResource(resource: Resource) {
  const encoded: {
    attributes: OtlpKeyValue[];
    droppedAttributesCount: number;
    schemaUrl?: string;
  } = { attributes: otlpAttributes(resource.attributes), droppedAttributesCount: 0 };
  if (resource.schemaUrl) encoded.schemaUrl = resource.schemaUrl;
  return encoded;
}

function otlpScope(scope: InstrumentationScope) {
  return { name: scope.name, version: scope.version };
}

function otlpEvent(event: TimedEvent) {
  return {
    attributes: event.attributes ? otlpAttributes(event.attributes) : [],
    name: event.name,
    timeUnixNano: hrTimeToUnixNano(event.time),
    droppedAttributesCount: event.droppedAttributesCount ?? 0,
  };
}

function otlpSpan(span: ReadableSpan) {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  let flags = (context.traceFlags & 0xff) | SPAN_FLAGS_HAS_IS_REMOTE;
  if (parent?.isRemote === true) flags |= SPAN_FLAGS_IS_REMOTE;
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: parent?.spanId,
    traceState: context.traceState?.serialize(),
    name: span.name,
    kind: span.kind + OTLP_SPAN_KIND_OFFSET,
    startTimeUnixNano: hrTimeToUnixNano(span.startTime),
    endTimeUnixNano: hrTimeToUnixNano(span.endTime),
    attributes: otlpAttributes(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map(otlpEvent),
    droppedEventsCount: span.droppedEventsCount,
    status: { code: span.status.code, message: span.status.message },
    links: span.links.map((link) => ({
      attributes: link.attributes ? otlpAttributes(link.attributes) : [],
      spanId: link.context.spanId,
      traceId: link.context.traceId,
      traceState: link.context.traceState?.serialize(),
      droppedAttributesCount: link.droppedAttributesCount ?? 0,
      flags:
        (link.context.traceFlags & 0xff) |
        SPAN_FLAGS_HAS_IS_REMOTE |
        (link.context.isRemote === true ? SPAN_FLAGS_IS_REMOTE : 0),
    })),
    droppedLinksCount: span.droppedLinksCount,
    flags,
  };
}

/**
 * An `ExportTraceServiceRequest` as one line of JSON (no newline): the spans grouped by
 * resource, then by instrumentation scope, in the order they come.
 */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): string {
  const byResource = new Map<Resource, Map<string, ReadableSpan[]>>();
  for (const span of spans) {
    let byScope = byResource.get(span.resource);
    if (byScope === undefined) {
      byScope = new Map();
      byResource.set(span.resource, byScope);
    }
    const scope = span.instrumentationScope;
    const key = `${scope.name}@${scope.version ?? ''}:${scope.schemaUrl ?? ''}`;
    const group = byScope.get(key);
    if (group === undefined) byScope.set(key, [span]);
    else group.push(span);
  }
  const resourceSpans = [...byResource].map(([resource, byScope]) => {
    const encodedResource = otlpResource(resource);
    return {
      resource: encodedResource,
      scopeSpans: [...byScope.values()].map((group) => ({
        scope: otlpScope(group[0]!.instrumentationScope),
        spans: group.map(otlpSpan),
        schemaUrl: group[0]!.instrumentationScope.schemaUrl,
      })),
      schemaUrl: encodedResource.schemaUrl,
    };
  });
  return JSON.stringify({ resourceSpans });
}

function otlpTemporality(temporality: AggregationTemporality): number {
  return temporality === AggregationTemporality.DELTA
    ? OTLP_TEMPORALITY_DELTA
    : OTLP_TEMPORALITY_CUMULATIVE;
}

function otlpMetric(metric: MetricData) {
  const encoded: Record<string, unknown> = {
    name: metric.descriptor.name,
    description: metric.descriptor.description,
    unit: metric.descriptor.unit,
  };
  const times = (point: { startTime: HrTime; endTime: HrTime }) => ({
    startTimeUnixNano: hrTimeToUnixNano(point.startTime),
    timeUnixNano: hrTimeToUnixNano(point.endTime),
  });
  switch (metric.dataPointType) {
    case DataPointType.SUM:
    case DataPointType.GAUGE: {
      const valueKey = metric.descriptor.valueType === ValueType.INT ? 'asInt' : 'asDouble';
      const dataPoints = metric.dataPoints.map((point) => ({
        attributes: otlpAttributes(point.attributes),
        ...times(point),
        [valueKey]: point.value,
      }));
      if (metric.dataPointType === DataPointType.GAUGE) encoded.gauge = { dataPoints };
      else
        encoded.sum = {
          aggregationTemporality: otlpTemporality(metric.aggregationTemporality),
          isMonotonic: metric.isMonotonic,
          dataPoints,
        };
      break;
    }
    case DataPointType.HISTOGRAM:
      encoded.histogram = {
        aggregationTemporality: otlpTemporality(metric.aggregationTemporality),
        dataPoints: metric.dataPoints.map((point) => {
          const histogram: Histogram = point.value;
          return {
            attributes: otlpAttributes(point.attributes),
            bucketCounts: histogram.buckets.counts,
            explicitBounds: histogram.buckets.boundaries,
            count: histogram.count,
            sum: histogram.sum,
            min: histogram.min,
            max: histogram.max,
            ...times(point),
          };
        }),
      };
      break;
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      encoded.exponentialHistogram = {
        aggregationTemporality: otlpTemporality(metric.aggregationTemporality),
        dataPoints: metric.dataPoints.map((point) => {
          const histogram: ExponentialHistogram = point.value;
          return {
            attributes: otlpAttributes(point.attributes),
            count: histogram.count,
            min: histogram.min,
            max: histogram.max,
            sum: histogram.sum,
            positive: histogram.positive,
            negative: histogram.negative,
            scale: histogram.scale,
            zeroCount: histogram.zeroCount,
            ...times(point),
          };
        }),
      };
      break;
  }
  return encoded;
}

/** An `ExportMetricsServiceRequest` of one collection as one line of JSON (no newline). */
export function encodeMetricsRequest(metrics: ResourceMetrics): string {
  const resource = otlpResource(metrics.resource);
  return JSON.stringify({
    resourceMetrics: [
      {
        resource,
        schemaUrl: resource.schemaUrl,
        scopeMetrics: metrics.scopeMetrics.map((scopeMetrics) => ({
          scope: otlpScope(scopeMetrics.scope),
          metrics: scopeMetrics.metrics.map(otlpMetric),
          schemaUrl: scopeMetrics.scope.schemaUrl,
        })),
      },
    ],
  });
}
