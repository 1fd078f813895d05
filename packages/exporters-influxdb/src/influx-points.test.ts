import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity, buildRunSummary } from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import {
  ERROR_MESSAGE_MAX_CHARS,
  formatRequestLine,
  formatSummaryLines,
  requestPoint,
  summaryPoints,
} from './influx-points.js';

const STARTED_AT_MS = Date.parse('2026-01-01T00:00:00Z');

/** A record with a value for every field, `overrides` set to undefined removed. */
function okRecord(
  overrides: { [K in keyof RequestRecord]?: RequestRecord[K] | undefined } = {},
): RequestRecord {
  const record: Record<string, unknown> = {
    requestId: 'r-1',
    provider: 'openai',
    model: 'gpt-4o mini',
    scenario: 'chat',
    isWarmup: false,
    startedAtMs: STARTED_AT_MS + 0.25,
    dispatchNs: 0n,
    status: 'ok',
    httpStatus: 200,
    queueNs: 1_500_000n,
    ttfbNs: 140_000_000n,
    ttftNs: 150_300_000n,
    e2eNs: 1_420_000_000n,
    tpotNs: 30_000_000n,
    inputTokens: 12,
    outputTokens: 4,
    costUsd: 0.00042,
    // Events at 150.3, 180.3 (1 token), 240.3 (2 tokens) ms: itl samples 30, 30, 30.
    tokenEventOffsetsNs: Float64Array.of(150_300_000, 180_300_000, 240_300_000),
    tokenEventTokens: Uint32Array.of(1, 1, 2),
    ...overrides,
  };
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record as unknown as RequestRecord;
}

describe('requestPoint', () => {
  it('tags what a dashboard groups by and puts ids and timings in fields, in ms', () => {
    const point = requestPoint(okRecord(), 'run-1');
    expect(point.measurement).toBe('llm_request');
    expect(point.tags).toEqual({
      provider: 'openai',
      model: 'gpt-4o mini',
      scenario: 'chat',
      status: 'ok',
      phase: 'measure',
      error_class: undefined,
      run_id: 'run-1',
    });
    expect(point.fields).toMatchObject({
      ttft_ms: 150.3,
      ttfb_ms: 140,
      e2e_ms: 1420,
      tpot_ms: 30,
      queue_ms: 1.5,
      itl_mean_ms: 30,
      itl_max_ms: 30,
      input_tokens: 12n,
      output_tokens: 4n,
      token_events: 3n,
      cost_usd: 0.00042,
      http_status: 200n,
      request_id: 'r-1',
    });
    expect(point.timestampNs).toBe(1_767_225_600_000_250_000n);
  });

  it('shares a multi-token gap among its tokens for itl mean and max', () => {
    const record = okRecord({
      tokenEventOffsetsNs: Float64Array.of(100_000_000, 110_000_000, 190_000_000),
      tokenEventTokens: Uint32Array.of(1, 1, 4),
    });
    // Gaps: 10 ms for 1 token, 80 ms for 4 tokens (20 ms each): mean 90 / 5 = 18, max 20.
    expect(requestPoint(record, 'r').fields).toMatchObject({ itl_mean_ms: 18, itl_max_ms: 20 });
  });

  it('leaves out every phase that did not happen, never writing 0 for it', () => {
    const line = formatRequestLine(
      okRecord({
        ttftNs: undefined,
        ttfbNs: undefined,
        tpotNs: undefined,
        e2eNs: undefined,
        outputTokens: undefined,
        costUsd: undefined,
        tokenEventOffsetsNs: new Float64Array(0),
        tokenEventTokens: new Uint32Array(0),
      }),
      'run-1',
    );
    for (const absent of [
      'ttft_ms',
      'ttfb_ms',
      'tpot_ms',
      'e2e_ms',
      'itl_mean_ms',
      'dns_ms',
      'connect_ms',
      'tls_ms',
      'output_tokens',
      'cost_usd',
      'error_message',
    ]) {
      expect(line).not.toContain(`${absent}=`);
    }
    expect(line).toContain('queue_ms=1.5');
    expect(line).toContain('token_events=0i');
  });

  it('writes the connection phases of a request that opened a connection', () => {
    const point = requestPoint(
      okRecord({ connection: { dnsNs: 2_000_000n, connectNs: 3_500_000n, tlsNs: 12_000_000n } }),
      'r',
    );
    expect(point.fields).toMatchObject({ dns_ms: 2, connect_ms: 3.5, tls_ms: 12 });
  });

  it('tags a failed request with its error class and keeps its message on one line', () => {
    const line = formatRequestLine(
      okRecord({
        status: 'error',
        httpStatus: 429,
        errorClass: 'rate_limited',
        errorMessage: 'Too many requests,\nslow "down" = now\\later',
        ttftNs: undefined,
        e2eNs: undefined,
        tokenEventOffsetsNs: new Float64Array(0),
        tokenEventTokens: new Uint32Array(0),
      }),
      'run-1',
    );
    expect(line).toMatch(
      /^llm_request,error_class=rate_limited,model=gpt-4o\\ mini,phase=measure,provider=openai,run_id=run-1,scenario=chat,status=error /,
    );
    expect(line).toContain('error_message="Too many requests, slow \\"down\\" = now\\\\later"');
    expect(line).toContain('http_status=429i');
    expect(line).not.toMatch(/[\r\n]/);
  });

  it('names a failure without a class unclassified, and cuts a long message', () => {
    const point = requestPoint(okRecord({ status: 'error', errorMessage: 'x'.repeat(5000) }), 'r');
    expect(point.tags.error_class).toBe('unclassified');
    expect((point.fields.error_message as string).length).toBe(ERROR_MESSAGE_MAX_CHARS);
  });

  it('tags warm-up and cool-down requests with their phase', () => {
    expect(requestPoint(okRecord({ isWarmup: true }), 'r').tags.phase).toBe('warmup');
    expect(requestPoint(okRecord({ isCooldown: true }), 'r').tags.phase).toBe('cooldown');
  });
});

describe('summaryPoints', () => {
  const records = [
    okRecord({ requestId: 'a', ttftNs: 100_000_000n }),
    okRecord({ requestId: 'b', ttftNs: 200_000_000n }),
    okRecord({ requestId: 'c', status: 'error', errorClass: 'timeout_ttft', ttftNs: undefined }),
  ];
  const aggregator = new Aggregator();
  for (const record of records) aggregator.add(record);
  const fidelity = buildFidelity([]);
  const summary = buildRunSummary({
    runId: 'run-7',
    toolVersion: '0.1.0',
    configHash: 'h',
    startedAt: STARTED_AT_MS,
    endedAt: STARTED_AT_MS + 2_500,
    complete: true,
    fidelity,
    groups: aggregator.summarize({ complete: true, fidelity }),
  });
  const group = summary.groups[0]!;

  it('writes one point per group at the run end, tagged with the run id', () => {
    const points = summaryPoints(summary);
    expect(points).toHaveLength(1);
    expect(points[0]!.measurement).toBe('llm_summary');
    expect(points[0]!.tags).toEqual({
      provider: 'openai',
      model: 'gpt-4o mini',
      scenario: 'chat',
      run_id: 'run-7',
    });
    expect(points[0]!.timestampNs).toBe(1_767_225_602_500_000_000n);
  });

  it("carries every distribution's statistics as the summary has them", () => {
    const fields = summaryPoints(summary)[0]!.fields;
    expect(group.ttft).not.toBeNull();
    expect(fields.ttft_count).toBe(2n);
    expect(fields.ttft_p50_ms).toBe(group.ttft!.p50);
    expect(fields.ttft_p99_ms).toBe(group.ttft!.p99);
    expect(fields.ttft_mean_ms).toBe(group.ttft!.mean);
    expect(fields.e2e_max_ms).toBe(group.e2e!.max);
    expect(fields.output_tokens_per_s_p50).toBe(group.output_tokens_per_s!.p50);
    // No request opened a connection: no dns distribution, so no dns field at all.
    expect(Object.keys(fields).some((key) => key.startsWith('dns_'))).toBe(false);
  });

  it('carries counts, success rate, throughput, tokens, cost and errors by class', () => {
    expect(summaryPoints(summary)[0]!.fields).toMatchObject({
      requests_total: 3n,
      requests_succeeded: 2n,
      requests_failed: 1n,
      success_rate: group.success_rate,
      throughput_requests_per_s: group.throughput.requests_per_s,
      output_tokens: 8n,
      cost_usd: group.cost!.total_usd,
      errors_timeout_ttft: 1n,
      complete: true,
    });
  });

  it('formats each point as one line ending in a newline, and nothing for no group', () => {
    const text = formatSummaryLines(summary);
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toMatch(
      /^llm_summary,model=gpt-4o\\ mini,provider=openai,run_id=run-7,scenario=chat requests_total=3i,/,
    );
    expect(text.endsWith(' 1767225602500000000\n')).toBe(true);
    expect(formatSummaryLines({ ...summary, groups: [] })).toBe('');
  });
});
