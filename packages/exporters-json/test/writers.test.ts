import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '@llm-lens/core-timing';
import type { RunSummary } from '@llm-lens/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSummaryJson, JsonlRecordWriter, writeSummaryJson } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function record(id: string): RequestRecord {
  return {
    requestId: id,
    provider: 'mock',
    model: 'm',
    scenario: 's',
    isWarmup: false,
    startedAtMs: 0,
    dispatchNs: 0n,
    status: 'ok',
    queueNs: 0n,
    e2eNs: 5_000_000n,
    tokenEventOffsetsNs: new Float64Array(),
    tokenEventTokens: new Uint32Array(),
  };
}

describe('JsonlRecordWriter', () => {
  it('writes one JSON object per line, in order, creating the directory', async () => {
    const path = join(dir, 'nested', 'records.jsonl');
    const writer = new JsonlRecordWriter(path);
    writer.write(record('a'));
    writer.write(record('b'));
    expect(writer.written).toBe(2);
    await writer.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l).request_id)).toEqual(['a', 'b']);
    expect(JSON.parse(lines[0]!).e2e_ms).toBe(5);
  });

  it('makes each line readable within 50 ms, before close, so an interrupted run keeps what finished', async () => {
    const path = join(dir, 'streamed.jsonl');
    const writer = new JsonlRecordWriter(path);
    writer.write(record('first'));
    writer.write(record('second'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(readFileSync(path, 'utf8')).toContain('"request_id":"second"');
    await writer.close();
  });

  it('writes many records in few writes, and reports a full buffer until it drains', async () => {
    const path = join(dir, 'many.jsonl');
    const writer = new JsonlRecordWriter(path);
    let full = 0;
    for (let i = 0; i < 5000; i++) if (!writer.write(record(`r${i}`))) full++;
    // 5000 lines of ~600 bytes: 64 KB batches overflow the stream's 16 KB buffer at once.
    expect(full).toBeGreaterThan(0);
    await writer.drain();
    await writer.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(5000);
    expect(JSON.parse(lines[4999]!).request_id).toBe('r4999');
  });
});

describe('writeSummaryJson', () => {
  it('writes the summary atomically and leaves no temp file', () => {
    const summary = { schema_version: 1, complete: false, groups: [] } as unknown as RunSummary;
    const path = join(dir, 'out', 'summary.json');
    writeSummaryJson(path, summary);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(summary);
    expect(readFileSync(path, 'utf8')).toBe(formatSummaryJson(summary));
    expect(readdirSync(join(dir, 'out'))).toEqual(['summary.json']);
  });
});
