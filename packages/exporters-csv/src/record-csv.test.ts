import type { RequestRecord } from '@llm-lens/core-timing';
import { recordToJson } from '@llm-lens/exporters-json';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  formatRecordCsvHeader,
  formatRecordCsvRow,
  RECORD_CSV_COLUMNS,
  RECORD_CSV_TOKEN_COLUMNS,
  type RecordJsonFieldsWithoutColumn,
  recordToCsvCells,
} from './record-csv.js';

const MS = 1_000_000n;

/** A record with every optional field set, so recordToJson emits every key it has. */
function fullRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: 'r-1',
    provider: 'openai',
    model: 'gpt-4o-mini',
    scenario: 'chat',
    isWarmup: false,
    isCooldown: false,
    repeat: 2,
    sessionId: 's-1',
    turn: 3,
    attempt: 2,
    firstRequestId: 'r-0',
    isRetried: false,
    retryDelayMs: 250,
    retryGaveUp: 'attempts_exhausted',
    startedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5, 600),
    dispatchNs: 10n * MS,
    status: 'ok',
    httpStatus: 200,
    errorClass: 'server_error',
    errorMessage: 'none',
    queueNs: 1_500_000n,
    sendDelayNs: 40_000n,
    connection: { dnsNs: MS, connectNs: 250_000n, tlsNs: 3n * MS, protocol: 'h2' },
    ttfbNs: 90n * MS,
    ttftNs: 100n * MS + 123_000n,
    ttfoNs: 100n * MS + 123_000n,
    e2eNs: 160n * MS,
    e2eFromScheduleNs: 161n * MS + 540_000n,
    ttftFromScheduleNs: 101n * MS + 663_000n,
    scheduleLagNs: 20_000n,
    tpotNs: 20n * MS,
    inputTokens: 12,
    outputTokens: 4,
    reasoningTokens: 1,
    cachedInputTokens: 8,
    tokenCountSource: 'server_usage',
    reportedOutputTokens: 3,
    tokenCountMismatch: true,
    tokenCountEstimated: false,
    usageIgnored: 'completion_tokens -1',
    costUsd: 0.00012,
    serverTimings: { latency_ms: 140, 'queue,ms': 2.5 },
    tokenEventOffsetsNs: new Float64Array([100_123_000, 120_000_000, 160_000_000]),
    tokenEventTokens: new Uint32Array([1, 1, 2]),
    ...overrides,
  };
}

describe('RECORD_CSV_COLUMNS', () => {
  it('are the keys of the JSONL record, in the order the JSONL line has them', () => {
    const keys = Object.keys(recordToJson(fullRecord(), { recordTokens: true }));
    expect([...RECORD_CSV_COLUMNS, ...RECORD_CSV_TOKEN_COLUMNS]).toEqual(keys);
    expect(RECORD_CSV_COLUMNS).toEqual(Object.keys(recordToJson(fullRecord())));
  });

  it('leave no RecordJson field without a column (checked by the compiler)', () => {
    expectTypeOf<RecordJsonFieldsWithoutColumn>().toEqualTypeOf<never>();
  });

  it('keep a stable order: the first, the last and a few in between', () => {
    expect(RECORD_CSV_COLUMNS).toHaveLength(45);
    expect(RECORD_CSV_COLUMNS.slice(0, 8)).toEqual([
      'request_id',
      'started_at',
      'provider',
      'model',
      'scenario',
      'warmup',
      'phase',
      'status',
    ]);
    expect(RECORD_CSV_COLUMNS.indexOf('ttft_ms')).toBe(26);
    expect(RECORD_CSV_COLUMNS.at(-2)).toBe('server_timings');
    expect(RECORD_CSV_COLUMNS.at(-1)).toBe('token_events');
    expect(formatRecordCsvHeader()).toBe(`${RECORD_CSV_COLUMNS.join(',')}\r\n`);
    expect(formatRecordCsvHeader({ recordTokens: true })).toBe(
      `${RECORD_CSV_COLUMNS.join(',')},token_offsets_ms,token_counts\r\n`,
    );
  });
});

describe('recordToCsvCells', () => {
  it('flattens: null to an empty cell, booleans as words, server timings as JSON, token lists space-separated', () => {
    const record = fullRecord();
    delete record.reasoningTokens;
    delete record.connection;
    const cells = recordToCsvCells(record, { recordTokens: true });
    const cell = (name: string) =>
      cells[[...RECORD_CSV_COLUMNS, ...RECORD_CSV_TOKEN_COLUMNS].indexOf(name as 'ttft_ms')];
    expect(cell('reasoning_tokens')).toBeNull();
    expect(cell('dns_ms')).toBeNull();
    expect(cell('warmup')).toBe('false');
    expect(cell('token_count_mismatch')).toBe('true');
    expect(cell('ttft_ms')).toBe('100.123');
    expect(cell('started_at')).toBe('2026-01-02T03:04:05.600Z');
    expect(cell('server_timings')).toBe('{"latency_ms":140,"queue,ms":2.5}');
    expect(cell('token_offsets_ms')).toBe('100.123 120 160');
    expect(cell('token_counts')).toBe('1 1 2');
    expect(cell('token_events')).toBe('3');
  });

  it('quotes a field with a comma, a quote, CR or LF, doubling the quotes', () => {
    const row = formatRecordCsvRow(
      fullRecord({ requestId: 'a,b', errorMessage: 'say "hi"\nthen\rgo' }),
    );
    expect(row.startsWith('"a,b",')).toBe(true);
    expect(row).toContain(',"say ""hi""\nthen\rgo",');
    expect(row).toContain(',"{""latency_ms"":140,""queue,ms"":2.5}",');
    expect(row.endsWith(',3\r\n')).toBe(true);
  });
});
