import { gunzipSync } from 'node:zlib';
import type { RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { HistoryError } from './history-error.js';
import { decodeRecordsBlob, encodeRecordLine, encodeRecordsBlob } from './records-blob.js';

const record: RequestRecord = {
  requestId: 'r-1',
  provider: 'mock',
  model: 'm',
  scenario: 'démo ✓',
  isWarmup: false,
  startedAtMs: 1_767_225_600_000,
  dispatchNs: 123_456_789_012_345_678n,
  status: 'ok',
  queueNs: 0n,
  ttftNs: 150_300_000n,
  e2eNs: 1_420_000_000n,
  connection: { connectNs: 2_000_000n, protocol: 'h2' },
  serverTimings: { latency_ms: 12.5 },
  outputTokens: 2,
  tokenEventOffsetsNs: Float64Array.of(150_300_000, 170_300_000.5),
  tokenEventTokens: Uint32Array.of(1, 1),
};

async function collect(iterable: AsyncIterable<RequestRecord>): Promise<RequestRecord[]> {
  const out: RequestRecord[] = [];
  for await (const r of iterable) out.push(r);
  return out;
}

describe('records blob', () => {
  it('writes one JSON line per record, bigints and typed arrays tagged', () => {
    const line = encodeRecordLine(record);
    expect(line).toContain('"dispatchNs":{"$bigint":"123456789012345678"}');
    expect(line).toContain('"tokenEventOffsetsNs":{"$f64":[150300000,170300000.5]}');
    expect(line).toContain('"tokenEventTokens":{"$u32":[1,1]}');
  });

  it('gives back the same records, types included, through gzip', async () => {
    const many = Array.from({ length: 3_000 }, (_, i) => ({
      ...record,
      requestId: `r-${i}`,
      ttftNs: BigInt(i),
    }));
    const { blob, count } = await encodeRecordsBlob(many);
    expect(count).toBe(3_000);
    expect(gunzipSync(blob).toString('utf8').split('\n')).toHaveLength(3_001);
    const back = await collect(decodeRecordsBlob(blob, 'run-1'));
    expect(back).toEqual(many);
    expect(back[2_999]!.ttftNs).toBe(2_999n);
    expect(back[0]!.tokenEventTokens).toBeInstanceOf(Uint32Array);
  });

  it('stores an empty blob for no records', async () => {
    const { blob, count } = await encodeRecordsBlob([]);
    expect(count).toBe(0);
    expect(await collect(decodeRecordsBlob(blob, 'run-1'))).toEqual([]);
  });

  it('reports damaged blobs with the run id', async () => {
    const error = await collect(decodeRecordsBlob(Buffer.from('not gzip'), 'run-7')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HistoryError);
    expect((error as HistoryError).code).toBe('LENS_HISTORY_RECORDS_INVALID');
    expect((error as HistoryError).message).toContain('run run-7');
  });
});
