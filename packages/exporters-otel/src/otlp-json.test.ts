import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { okRecord } from '../test/records.js';
import { createGenAiInstruments, recordRequestMetrics } from './genai-metrics.js';
import { OnDemandMetricReader } from './on-demand-metric-reader.js';
import { encodeMetricsRequest, encodeTraceRequest, otlpAttributes } from './otlp-json.js';
import { requestSpan, type SpanSource } from './request-span.js';

const resource = resourceFromAttributes({ 'service.name': 'test' });
const source: SpanSource = {
  resource,
  scope: { name: 'scope', version: '1' },
  newIds: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' }),
};

describe('encodeTraceRequest', () => {
  it('writes OTLP/JSON: hex ids, OTLP kind numbers, times as nanosecond strings, typed values', () => {
    const record = okRecord({ startedAtMs: Date.parse('2026-01-01T00:00:00.123Z') });
    const body = JSON.parse(encodeTraceRequest([requestSpan(record, source)]));
    const [resourceSpans] = body.resourceSpans;
    expect(resourceSpans.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'test' } },
    ]);
    expect(resourceSpans.scopeSpans[0].scope).toEqual({ name: 'scope', version: '1' });
    const [span] = resourceSpans.scopeSpans[0].spans;
    expect(span).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      name: 'chat gpt-test',
      kind: 3,
      startTimeUnixNano: '1767225600123000000',
      endTimeUnixNano: '1767225601543123457',
      status: { code: 0 },
      events: [],
      links: [],
      flags: 0x101,
    });
    expect(span.attributes).toContainEqual({
      key: 'gen_ai.usage.input_tokens',
      value: { intValue: 42 },
    });
    expect(span.attributes).toContainEqual({
      key: 'gen_ai.response.time_to_first_chunk',
      value: { doubleValue: 0.1503 },
    });
  });

  it('groups spans of one resource and scope under one entry', () => {
    const spans = [
      requestSpan(okRecord(), source),
      requestSpan(okRecord({ requestId: 'r-2' }), source),
    ];
    const body = JSON.parse(encodeTraceRequest(spans));
    expect(body.resourceSpans).toHaveLength(1);
    expect(body.resourceSpans[0].scopeSpans).toHaveLength(1);
    expect(body.resourceSpans[0].scopeSpans[0].spans).toHaveLength(2);
  });
});

describe('otlpAttributes', () => {
  it('encodes every attribute value type', () => {
    expect(otlpAttributes({ s: 'x', i: 3, d: 0.5, b: true, a: ['p', 'q'] })).toEqual([
      { key: 's', value: { stringValue: 'x' } },
      { key: 'i', value: { intValue: 3 } },
      { key: 'd', value: { doubleValue: 0.5 } },
      { key: 'b', value: { boolValue: true } },
      { key: 'a', value: { arrayValue: { values: [{ stringValue: 'p' }, { stringValue: 'q' }] } } },
    ]);
  });
});

describe('encodeMetricsRequest', () => {
  it('writes each histogram with its unit, temporality, advised bounds and bucket counts', async () => {
    let collected: ResourceMetrics | undefined;
    const reader = new OnDemandMetricReader(
      {
        export: (metrics, done) => {
          collected = metrics;
          done({ code: 0 });
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      },
      1000,
    );
    const provider = new MeterProvider({ resource, readers: [reader] });
    recordRequestMetrics(createGenAiInstruments(provider.getMeter('scope', '1')), okRecord());
    await provider.forceFlush();
    const body = JSON.parse(encodeMetricsRequest(collected!));
    const metrics = body.resourceMetrics[0].scopeMetrics[0].metrics;
    const duration = metrics.find(
      (m: { name: string }) => m.name === 'gen_ai.client.operation.duration',
    );
    expect(duration.unit).toBe('s');
    expect(duration.histogram.aggregationTemporality).toBe(2);
    const [point] = duration.histogram.dataPoints;
    expect(point).toMatchObject({ count: 1, sum: 1.420123457, min: 1.420123457, max: 1.420123457 });
    expect(point.explicitBounds).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);
    // 1.42 s lies in (1.28, 2.56]: the ninth bucket.
    expect(point.bucketCounts).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(point.startTimeUnixNano).toMatch(/^\d+$/);
    await provider.shutdown();
  });
});
