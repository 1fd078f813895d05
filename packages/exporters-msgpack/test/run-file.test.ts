import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity, buildRunSummary, type RunSummary } from '@llm-lens/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeRunHeader,
  encodeRunRecord,
  encodeRunSummary,
  exporterFactories,
  MsgpackRunWriter,
  readRunEntries,
  readRunFile,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-msgpack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small seeded PRNG (mulberry32): record i is the same every time it is built. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START_MS = Date.UTC(2026, 2, 1, 12);
const ORIGIN_NS = 5_000_000_000_000n;

/** Record i of a synthetic run: varied phases, failures, new connections and token events. */
function makeRecord(i: number): RequestRecord {
  const random = prng(i + 1);
  const isError = random() < 0.05;
  const events = isError ? 0 : 1 + Math.floor(random() * 24);
  const ttftNs = 20_000_000 + Math.floor(random() * 300_000_000);
  const offsets = new Float64Array(events);
  const tokens = new Uint32Array(events);
  let t = ttftNs;
  for (let k = 0; k < events; k++) {
    offsets[k] = t;
    tokens[k] = 1 + Math.floor(random() * 3);
    t += 5_000_000 + Math.floor(random() * 40_000_000);
  }
  const record: RequestRecord = {
    requestId: `req-${i}`,
    provider: i % 3 === 0 ? 'anthropic' : 'openai',
    model: 'model-a',
    scenario: 'chat',
    isWarmup: i < 100,
    startedAtMs: START_MS + i * 5,
    dispatchNs: ORIGIN_NS + BigInt(i) * 5_000_000n + BigInt(Math.floor(random() * 1000)),
    status: isError ? 'error' : 'ok',
    queueNs: BigInt(Math.floor(random() * 2_000_000)),
    sendDelayNs: BigInt(Math.floor(random() * 100_000)),
    tokenEventOffsetsNs: offsets,
    tokenEventTokens: tokens,
  };
  if (random() < 0.1) {
    record.connection = { connectNs: BigInt(Math.floor(random() * 5e6)), protocol: 'http/1.1' };
    if (random() < 0.5) record.connection.tlsNs = BigInt(Math.floor(random() * 9e6));
  }
  if (isError) {
    record.httpStatus = 500;
    record.errorClass = 'server_error';
    record.errorMessage = `HTTP 500: upstream "${i}" failed, retry`;
    if (random() < 0.5) record.e2eNs = BigInt(ttftNs);
  } else {
    record.httpStatus = 200;
    record.ttfbNs = BigInt(ttftNs - 1_000_000);
    record.ttftNs = BigInt(ttftNs);
    record.e2eNs = BigInt(Math.round(offsets[events - 1]!)) + 1_000n;
    const output = tokens.reduce((sum, n) => sum + n, 0);
    record.outputTokens = output;
    record.inputTokens = 100 + (i % 50);
    record.tokenCountSource = 'server_usage';
    if (output > 1 && events > 1) {
      record.tpotNs = BigInt(Math.round((offsets[events - 1]! - offsets[0]!) / (output - 1)));
    }
    if (i % 7 === 0) record.serverTimings = { latency_ms: 12.5 + (i % 10) };
    if (i % 11 === 0) record.costUsd = 0.000_01 * (i % 13);
  }
  if (i % 97 === 0) record.isCooldown = true;
  return record;
}

function summaryOf(aggregator: Aggregator): RunSummary {
  const fidelity = buildFidelity([]);
  return buildRunSummary({
    runId: 'run-msgpack',
    toolVersion: '0.1.0',
    configHash: 'cfg',
    startedAt: START_MS,
    endedAt: START_MS + 1_000_000,
    complete: true,
    fidelity,
    groups: aggregator.summarize({ complete: true, fidelity }),
  });
}

async function writeRun(path: string, count: number, summary?: RunSummary) {
  const writer = new MsgpackRunWriter(path);
  let full = 0;
  let maxBuffered = 0;
  for (let i = 0; i < count; i++) {
    if (!writer.write(makeRecord(i))) {
      full++;
      maxBuffered = Math.max(maxBuffered, writer.buffered);
      await writer.drain();
    }
  }
  await writer.close();
  if (summary !== undefined) await writer.export(summary);
  return { full, maxBuffered, written: writer.written };
}

describe('a large run (200k records with token events)', () => {
  const count = 200_000;
  const path = join(dir, 'large', 'run.msgpack');
  let summary: RunSummary;
  let writing: Awaited<ReturnType<typeof writeRun>>;

  beforeAll(async () => {
    const aggregator = new Aggregator();
    for (let i = 0; i < count; i += 1) aggregator.add(makeRecord(i));
    summary = summaryOf(aggregator);
    writing = await writeRun(path, count, summary);
  }, 60_000);

  it('is written with backpressure and bounded buffering', () => {
    expect(writing.written).toBe(count);
    expect(writing.full).toBeGreaterThan(10);
    expect(writing.maxBuffered).toBeLessThan(1024 * 1024 + 64 * 1024 + 4096);
  });

  it('reads back every record exactly, in order, and the summary equal to the one written', async () => {
    let records = 0;
    let tokenEvents = 0;
    let mismatches = 0;
    const result = await readRunFile(path, {
      onRecord: (record) => {
        if (record.requestId !== `req-${records}`) mismatches++;
        tokenEvents += record.tokenEventOffsetsNs.length;
        // Every 499th record compared field by field with the one written.
        if (records % 499 === 0) expect(record).toStrictEqual(makeRecord(records));
        records++;
      },
    });
    expect(mismatches).toBe(0);
    expect(result.records).toBe(count);
    expect(result.header).toMatchObject({ format: 'llm-lens-run', version: 1 });
    expect(result.summary).toEqual(summary);
    let expectedEvents = 0;
    for (let i = 0; i < count; i++) expectedEvents += makeRecord(i).tokenEventOffsetsNs.length;
    expect(tokenEvents).toBe(expectedEvents);
    expect(statSync(path).size).toBeGreaterThan(count * 100);
  }, 60_000);
});

describe('readRunEntries', () => {
  it('reads a file cut at any byte: every whole record before the cut, and no summary', async () => {
    const records = Array.from({ length: 40 }, (_, i) => makeRecord(i + 1000));
    const path = join(dir, 'whole.msgpack');
    const writer = new MsgpackRunWriter(path);
    for (const r of records) writer.write(r);
    await writer.close();
    await writer.export({ schema_version: 2, groups: [] } as unknown as RunSummary);
    const bytes = readFileSync(path);

    const ends: number[] = [];
    let end = encodeRunHeader().byteLength;
    for (const r of records) {
      end += encodeRunRecord(r).byteLength;
      ends.push(end);
    }
    const random = prng(7);
    const cuts = [
      ...ends,
      ...ends.map((e) => e - 1),
      ...Array.from(
        { length: 40 },
        () => ends[0]! + Math.floor(random() * (bytes.length - ends[0]!)),
      ),
    ];
    const cutPath = join(dir, 'cut.msgpack');
    for (const cut of cuts) {
      writeFileSync(cutPath, bytes.subarray(0, cut));
      const ids: string[] = [];
      const result = await readRunFile(cutPath, { onRecord: (r) => ids.push(r.requestId) });
      const whole = ends.filter((e) => e <= cut).length;
      expect(ids).toEqual(records.slice(0, whole).map((r) => r.requestId));
      expect(result.summary).toBeUndefined();
    }
    const full = await readRunFile(path);
    expect(full.records).toBe(40);
    expect(full.summary).toEqual({ schema_version: 2, groups: [] });
  });

  it('rejects a file that is not a run file with a stable code naming the path', async () => {
    const jsonl = join(dir, 'records.jsonl');
    writeFileSync(jsonl, '{"request_id":"r-1"}\n');
    await expect(readRunFile(jsonl)).rejects.toMatchObject({
      code: 'LENS_EXPORT_MSGPACK_NOT_RUN_FILE',
      message: expect.stringContaining(jsonl),
    });
    const empty = join(dir, 'empty.msgpack');
    writeFileSync(empty, '');
    await expect(readRunFile(empty)).rejects.toMatchObject({
      code: 'LENS_EXPORT_MSGPACK_NOT_RUN_FILE',
      message: expect.stringContaining('empty'),
    });
    const invalid = join(dir, 'invalid.msgpack');
    writeFileSync(invalid, Buffer.from([0xc1]));
    await expect(readRunFile(invalid)).rejects.toMatchObject({
      code: 'LENS_EXPORT_MSGPACK_NOT_RUN_FILE',
    });
    await expect(readRunFile(join(dir, 'missing.msgpack'))).rejects.toMatchObject({
      code: 'LENS_EXPORT_MSGPACK_READ',
      message: expect.stringContaining('missing.msgpack'),
    });
  });

  it('names the value that is neither a record nor the summary', async () => {
    const path = join(dir, 'joined.msgpack');
    writeFileSync(
      path,
      Buffer.concat([encodeRunHeader(), encodeRunRecord(makeRecord(1)), encodeRunHeader()]),
    );
    const kinds: string[] = [];
    const read = async () => {
      for await (const entry of readRunEntries(path)) kinds.push(entry.kind);
    };
    await expect(read()).rejects.toMatchObject({
      code: 'LENS_EXPORT_MSGPACK_CORRUPT',
      message: expect.stringContaining(`${path}: value 2`),
    });
    expect(kinds).toEqual(['header', 'record']);

    const afterSummary = join(dir, 'after-summary.msgpack');
    writeFileSync(
      afterSummary,
      Buffer.concat([
        encodeRunHeader(),
        encodeRunSummary(summaryOf(new Aggregator())),
        encodeRunRecord(makeRecord(2)),
      ]),
    );
    await expect(readRunFile(afterSummary)).rejects.toMatchObject({
      code: 'LENS_EXPORT_MSGPACK_CORRUPT',
      message: expect.stringContaining('follows the summary'),
    });
  });

  it('stops reading when the caller stops early', async () => {
    const path = join(dir, 'early.msgpack');
    writeFileSync(
      path,
      Buffer.concat([encodeRunHeader(), ...[1, 2, 3].map((i) => encodeRunRecord(makeRecord(i)))]),
    );
    const seen: string[] = [];
    for await (const entry of readRunEntries(path)) {
      seen.push(entry.kind);
      if (entry.kind === 'record') break;
    }
    expect(seen).toEqual(['header', 'record']);
  });
});

describe('the msgpack format', () => {
  it('is registered for .msgpack and .mpk and writes a run exporter', () => {
    expect(exporterFactories.map((f) => [f.format, f.extensions])).toEqual([
      ['msgpack', ['.msgpack', '.mpk']],
    ]);
    expect(() => exporterFactories[0]!.createRunExporter!({})).toThrow(
      expect.objectContaining({ code: 'LENS_EXPORT_MSGPACK_PATH' }),
    );
  });

  it('writes the summary alone when the run exporter gets no records', async () => {
    const path = join(dir, 'summary-only.mpk');
    const exporter = exporterFactories[0]!.createRunExporter!({ path });
    const summary = summaryOf(new Aggregator());
    await exporter.close();
    await exporter.export(summary);
    const result = await readRunFile(path);
    expect(result).toMatchObject({ records: 0, summary });
  });

  it('leaves a readable file without a summary when the run failed before it had one', async () => {
    const path = join(dir, 'failed.msgpack');
    const exporter = exporterFactories[0]!.createRunExporter!({ path });
    exporter.write(makeRecord(3));
    await exporter.close();
    const result = await readRunFile(path);
    expect(result.records).toBe(1);
    expect(result.summary).toBeUndefined();
  });

  it('rejects with LENS_EXPORT_MSGPACK_WRITE naming the file when it cannot be written', async () => {
    const path = join(dir, 'large');
    const writer = new MsgpackRunWriter(path);
    await expect(writer.close()).rejects.toMatchObject({
      code: 'LENS_EXPORT_MSGPACK_WRITE',
      message: expect.stringContaining(path),
    });
  });
});
