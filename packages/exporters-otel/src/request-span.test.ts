import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { failed, okRecord } from '../test/records.js';
import {
  epochMsToNs,
  genAiProviderName,
  hrTimeOfNs,
  requestSpan,
  type SpanSource,
  spanDurationNs,
} from './request-span.js';

const source: SpanSource = {
  resource: resourceFromAttributes({ 'service.name': 'test' }),
  scope: { name: 'scope', version: '1' },
  newIds: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }),
};

describe('epochMsToNs', () => {
  it('keeps whole milliseconds exactly and a fraction to the microsecond, adding nothing finer', () => {
    expect(epochMsToNs(1_767_225_600_123)).toBe(1_767_225_600_123_000_000n);
    expect(epochMsToNs(1_767_225_600_123.25)).toBe(1_767_225_600_123_250_000n);
    // A fraction finer than a microsecond (what a double near 1.7e12 barely holds) is not kept.
    expect(epochMsToNs(1_767_225_600_123 + 0.0004) % 1000n).toBe(0n);
  });

  it('round-trips through [s, ns] pairs', () => {
    expect(hrTimeOfNs(1_767_225_600_123_456_789n)).toEqual([1_767_225_600, 123_456_789]);
  });
});

describe('requestSpan', () => {
  it('is a finished CLIENT span from dispatch to dispatch + e2e with the record’s attributes', () => {
    const record = okRecord();
    const span = requestSpan(record, source);
    expect(span.name).toBe('chat gpt-test');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.startTime).toEqual(hrTimeOfNs(epochMsToNs(record.startedAtMs)));
    expect(span.duration).toEqual([1, 420_123_457]);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.spanContext()).toMatchObject({ traceId: 'a'.repeat(32), traceFlags: 1 });
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.response.model': 'gpt-test',
      'gen_ai.usage.input_tokens': 42,
      'gen_ai.usage.output_tokens': 4,
      'gen_ai.response.time_to_first_chunk': 0.1503,
      'http.response.status_code': 200,
      'llm_lens.request_id': 'r-1',
      'llm_lens.provider': 'openai',
      'llm_lens.scenario': 'chat-short',
      'llm_lens.phase': 'measure',
      'llm_lens.queue_ms': 2,
      'llm_lens.ttfb_ms': 120,
      'llm_lens.tpot_ms': 9,
      'llm_lens.e2e_ms': 1420.123457,
      'llm_lens.token_count_source': 'server_usage',
      'llm_lens.token_events': 4,
    });
    expect(span.events).toEqual([]);
  });

  it('adds a token event per stream event only with recordTokens, ns after the start', () => {
    const span = requestSpan(okRecord(), source, { recordTokens: true });
    expect(span.events.map((e) => e.attributes)).toEqual([
      { 'llm_lens.tokens': 1, 'llm_lens.offset_ms': 150.3 },
      { 'llm_lens.tokens': 1, 'llm_lens.offset_ms': 160 },
      { 'llm_lens.tokens': 1, 'llm_lens.offset_ms': 1000 },
      { 'llm_lens.tokens': 1, 'llm_lens.offset_ms': 1400.000001 },
    ]);
    const start = epochMsToNs(okRecord().startedAtMs);
    expect(span.events[3]!.time).toEqual(hrTimeOfNs(start + 1_400_000_001n));
  });

  it('marks a failure ERROR with its class as error.type and its message as the status', () => {
    const record = failed(okRecord(), {
      status: 'error',
      errorClass: 'timeout_ttft',
      errorMessage: 'no first token within 30 s',
      isWarmup: true,
    });
    const span = requestSpan(record, source);
    expect(span.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'no first token within 30 s',
    });
    expect(span.attributes['error.type']).toBe('timeout_ttft');
    expect(span.attributes['llm_lens.phase']).toBe('warmup');
    expect(span.attributes).not.toHaveProperty('gen_ai.response.time_to_first_chunk');
    const unclassified = requestSpan(failed(okRecord(), { status: 'error' }), source);
    expect(unclassified.attributes['error.type']).toBe('_OTHER');
  });

  it('ends a request without e2e at its last stamped phase', () => {
    const record = okRecord();
    delete record.e2eNs;
    expect(spanDurationNs(record)).toBe(1_400_000_001n);
    const early = failed(okRecord(), { status: 'error' });
    delete early.e2eNs;
    expect(spanDurationNs(early)).toBe(120_000_000n);
    delete early.ttfbNs;
    expect(spanDurationNs(early)).toBe(0n);
  });
});

describe('genAiProviderName', () => {
  it('uses the conventions’ well-known values where ours differ and passes the rest through', () => {
    expect(
      ['openai', 'anthropic', 'azure', 'bedrock', 'google', 'vertex', 'ollama'].map(
        genAiProviderName,
      ),
    ).toEqual([
      'openai',
      'anthropic',
      'azure.ai.openai',
      'aws.bedrock',
      'gcp.gemini',
      'gcp.vertex_ai',
      'ollama',
    ]);
  });
});
