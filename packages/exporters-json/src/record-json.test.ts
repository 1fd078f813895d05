import type { RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { recordToJson } from './record-json.js';

const MS = 1_000_000n;

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: 'r-1',
    provider: 'openai',
    model: 'gpt-4o-mini',
    scenario: 'chat',
    isWarmup: false,
    startedAtMs: Date.UTC(2026, 10, 26, 12, 0, 0, 250),
    dispatchNs: 123n,
    status: 'ok',
    httpStatus: 200,
    queueNs: 1_500_000n,
    sendDelayNs: 40_000n,
    ttfbNs: 90n * MS,
    ttftNs: 100n * MS + 123_456n,
    ttfoNs: 100n * MS + 123_456n,
    e2eNs: 160n * MS,
    e2eFromScheduleNs: 161n * MS + 500_000n,
    tpotNs: 20n * MS,
    inputTokens: 12,
    outputTokens: 4,
    tokenCountSource: 'server_usage',
    tokenCountMismatch: false,
    tokenEventOffsetsNs: new Float64Array([100_123_456, 120_000_000, 160_000_000]),
    tokenEventTokens: new Uint32Array([1, 1, 2]),
    ...overrides,
  };
}

describe('recordToJson', () => {
  it('converts nanoseconds to milliseconds with microsecond precision', () => {
    const json = recordToJson(record());
    expect(json).toMatchObject({
      request_id: 'r-1',
      started_at: '2026-11-26T12:00:00.250Z',
      status: 'ok',
      http_status: 200,
      queue_ms: 1.5,
      send_delay_ms: 0.04,
      ttfb_ms: 90,
      ttft_ms: 100.123,
      e2e_ms: 160,
      e2e_from_schedule_ms: 161.5,
      tpot_ms: 20,
      output_tokens: 4,
      token_count_source: 'server_usage',
      token_events: 3,
    });
  });

  it('writes absent phases as null, never as 0 (a reused connection has no connect time)', () => {
    const json = recordToJson(record());
    expect(json.dns_ms).toBeNull();
    expect(json.connect_ms).toBeNull();
    expect(json.tls_ms).toBeNull();
    expect(json.reasoning_tokens).toBeNull();
    const fresh = recordToJson(record({ connection: { connectNs: 250_000n, dnsNs: 1_000_000n } }));
    expect(fresh).toMatchObject({ dns_ms: 1, connect_ms: 0.25, tls_ms: null });
  });

  it('carries the error class and message of a failed request', () => {
    const failed = record({
      status: 'error',
      httpStatus: 429,
      errorClass: 'rate_limited',
      errorMessage: 'HTTP 429: slow down',
    });
    delete failed.ttftNs;
    const json = recordToJson(failed);
    expect(json).toMatchObject({
      status: 'error',
      error_class: 'rate_limited',
      error_message: 'HTTP 429: slow down',
      ttft_ms: null,
    });
  });

  it('names the session and turn of a conversation turn, and null for a single request', () => {
    expect(recordToJson(record())).toMatchObject({ session_id: null, turn: null });
    expect(recordToJson(record({ sessionId: 's-1', turn: 3 }))).toMatchObject({
      session_id: 's-1',
      turn: 3,
    });
  });

  it('links the attempts of a retried request and marks the ones another followed', () => {
    expect(recordToJson(record())).toMatchObject({
      attempt: null,
      first_request_id: null,
      retried: false,
      retry_delay_ms: null,
      retry_gave_up: null,
    });
    const retried = record({
      requestId: 'r-2',
      status: 'error',
      errorClass: 'rate_limited',
      attempt: 2,
      firstRequestId: 'r-1',
      isRetried: true,
      retryDelayMs: 1250.5,
    });
    expect(recordToJson(retried)).toMatchObject({
      attempt: 2,
      first_request_id: 'r-1',
      retried: true,
      retry_delay_ms: 1250.5,
      retry_gave_up: null,
    });
    const last = record({ status: 'error', attempt: 3, retryGaveUp: 'attempts_exhausted' });
    expect(recordToJson(last)).toMatchObject({
      retried: false,
      retry_gave_up: 'attempts_exhausted',
    });
  });

  it('adds per-event offsets and token counts only when asked', () => {
    expect(recordToJson(record()).token_offsets_ms).toBeUndefined();
    const json = recordToJson(record(), { recordTokens: true });
    expect(json.token_offsets_ms).toEqual([100.123, 120, 160]);
    expect(json.token_counts).toEqual([1, 1, 2]);
  });
});
