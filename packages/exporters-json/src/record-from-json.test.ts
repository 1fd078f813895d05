import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { readRecordsJsonl } from './jsonl-reader.js';
import { parseRecordLine, recordFromJson } from './record-from-json.js';
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
    connection: { connectNs: 250_000n, dnsNs: 1_000_000n, protocol: 'http/1.1' },
    ttfbNs: 90n * MS,
    ttftNs: 100n * MS + 123_000n,
    ttfoNs: 100n * MS + 123_000n,
    e2eNs: 160n * MS,
    e2eFromScheduleNs: 161n * MS + 540_000n,
    tpotNs: 20n * MS,
    inputTokens: 12,
    outputTokens: 4,
    tokenCountSource: 'server_usage',
    tokenCountMismatch: false,
    costUsd: 0.00012,
    serverTimings: { latency_ms: 140 },
    tokenEventOffsetsNs: new Float64Array([100_123_000, 120_000_000, 160_000_000]),
    tokenEventTokens: new Uint32Array([1, 1, 2]),
    ...overrides,
  };
}

describe('recordFromJson', () => {
  it('gives back the record a JSONL line was written from, at microsecond precision', () => {
    const original = record({
      attempt: 2,
      firstRequestId: 'r-0',
      repeat: 3,
      sessionId: 's',
      turn: 2,
    });
    const json = recordToJson(original, { recordTokens: true });
    const back = recordFromJson(json);
    expect(recordToJson(back, { recordTokens: true })).toEqual(json);
    expect(back.ttftNs).toBe(original.ttftNs);
    expect(back.connection).toEqual(original.connection);
    expect(Array.from(back.tokenEventOffsetsNs)).toEqual(Array.from(original.tokenEventOffsetsNs));
    expect(back.dispatchNs).toBe(BigInt(original.startedAtMs) * MS);
  });

  it('keeps absent phases absent and the phase of cool-down and warm-up requests', () => {
    const failed = record({ status: 'error', errorClass: 'timeout_ttft', isCooldown: true });
    delete failed.ttftNs;
    delete failed.connection;
    const back = recordFromJson(recordToJson(failed));
    expect(back.ttftNs).toBeUndefined();
    expect(back.connection).toBeUndefined();
    expect(back.isCooldown).toBe(true);
    expect(back.errorClass).toBe('timeout_ttft');
    expect(back.tokenEventOffsetsNs.length).toBe(0);
    expect(recordFromJson(recordToJson(record({ isWarmup: true }))).isWarmup).toBe(true);
  });

  it('names the line that is not a record', () => {
    expect(() => parseRecordLine('{"schema_version":2}', 'run.jsonl:1')).toThrow(
      /run\.jsonl:1: not an llm-lens record/,
    );
    expect(() => parseRecordLine('{oops', 'run.jsonl:7')).toThrow(/run\.jsonl:7: not JSON/);
  });
});

describe('readRecordsJsonl', () => {
  it('streams every whole line and skips a last line cut short', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-jsonl-'));
    const path = join(dir, 'records.jsonl');
    const lines = [1, 2, 3].map((i) =>
      JSON.stringify(recordToJson(record({ requestId: `r-${i}` }))),
    );
    writeFileSync(path, `${lines.join('\n')}\n\n${lines[0]!.slice(0, 40)}`);
    const ids: string[] = [];
    for await (const r of readRecordsJsonl(path)) ids.push(r.requestId);
    expect(ids).toEqual(['r-1', 'r-2', 'r-3']);
  });

  it('rejects a whole line that is not a record, with its line number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-jsonl-'));
    const path = join(dir, 'summary.jsonl');
    writeFileSync(path, `${JSON.stringify(recordToJson(record()))}\n{"groups":[]}\n`);
    const read = async () => {
      for await (const _ of readRecordsJsonl(path)) {
        // consume
      }
    };
    await expect(read()).rejects.toThrow(/summary\.jsonl:2: not an llm-lens record/);
  });
});
