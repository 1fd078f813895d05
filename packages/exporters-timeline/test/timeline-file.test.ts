import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '@llm-lens/core-timing';
import { afterAll, describe, expect, it } from 'vitest';
import { exporterFactories, TimelineWriter } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-timeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const US = 1_000n;
const MS = 1_000_000n;

/**
 * A closed loop at `concurrency`: each slot sends its next request when its previous one
 * ends (a little later: the client's own delay), as the executor's closed loop does.
 * Returns the records in completion order, as an exporter receives them.
 */
function closedLoop(
  concurrency: number,
  requests: number,
  seed: number,
  labels: Partial<RequestRecord> = {},
) {
  const random = prng(seed);
  const free = Array.from({ length: concurrency }, () => 1_000_000n * MS);
  const records: { record: RequestRecord; endNs: bigint }[] = [];
  for (let i = 0; i < requests; i++) {
    let slot = 0;
    for (let s = 1; s < concurrency; s++) if (free[s]! < free[slot]!) slot = s;
    const scheduled = free[slot]! + BigInt(Math.floor(random() * 50)) * US;
    const queueNs = BigInt(Math.floor(random() * 200)) * US;
    const sendDelayNs = BigInt(Math.floor(random() * 100)) * US;
    const dispatchNs = scheduled + queueNs + sendDelayNs;
    const isError = random() < 0.05;
    const events = isError ? 0 : 1 + Math.floor(random() * 20);
    const ttftNs = BigInt(20 + Math.floor(random() * 300)) * MS + BigInt(i % 1000);
    const offsets = new Float64Array(events);
    let t = Number(ttftNs);
    for (let k = 0; k < events; k++) {
      offsets[k] = t;
      t += 1e6 + Math.floor(random() * 30e6);
    }
    const e2eNs = isError ? ttftNs : BigInt(offsets[events - 1]!) + 500n * US;
    const record: RequestRecord = {
      requestId: `req-${i}`,
      provider: 'mock',
      model: 'mock-model',
      scenario: 'chat',
      isWarmup: i < 4,
      startedAtMs: Date.UTC(2026, 0, 1) + Number((dispatchNs - 1_000_000n * MS) / MS),
      dispatchNs,
      status: isError ? 'error' : 'ok',
      httpStatus: isError ? 503 : 200,
      queueNs,
      sendDelayNs,
      e2eNs,
      tokenEventOffsetsNs: offsets,
      tokenEventTokens: Uint32Array.from({ length: events }, () => 1 + Math.floor(random() * 2)),
      ...labels,
    };
    if (isError) record.errorClass = 'server_error';
    else record.ttftNs = ttftNs;
    if (i < concurrency) record.connection = { connectNs: 80n * US, tlsNs: 20n * US };
    const endNs = dispatchNs + e2eNs;
    free[slot] = endNs;
    records.push({ record, endNs });
  }
  records.sort((a, b) => (a.endNs < b.endNs ? -1 : a.endNs > b.endNs ? 1 : 0));
  return records.map((r) => r.record);
}

interface ParsedEvent {
  name: string;
  ph: string;
  cat?: string;
  ts: number;
  dur: number;
  pid: number;
  tid: number;
  s?: string;
  args?: Record<string, unknown>;
}

async function writeTrace(path: string, records: RequestRecord[]) {
  const writer = new TimelineWriter(path);
  let full = 0;
  for (const r of records) {
    if (!writer.write(r)) {
      full++;
      await writer.drain();
    }
  }
  await writer.close();
  const trace = JSON.parse(readFileSync(path, 'utf8')) as {
    traceEvents: ParsedEvent[];
    displayTimeUnit: string;
    otherData: Record<string, unknown>;
  };
  return { trace, full };
}

// Timestamps are µs with ns decimals, parsed as float64: compare to a few ns.
const EPSILON_US = 0.005;

describe('a closed loop at concurrency 4', () => {
  const records = closedLoop(4, 2_000, 11);
  const totalEvents = records.reduce((n, r) => n + r.tokenEventOffsetsNs.length, 0);

  it('gets exactly 4 tracks, and no two requests overlap on a track', async () => {
    const { trace } = await writeTrace(join(dir, 'closed.trace.json'), records);
    const threads = trace.traceEvents.filter((e) => e.name === 'thread_name');
    expect(threads.map((e) => [e.pid, e.tid, e.args?.name])).toEqual([
      [1, 1, 'slot 1'],
      [1, 2, 'slot 2'],
      [1, 3, 'slot 3'],
      [1, 4, 'slot 4'],
    ]);
    const requests = trace.traceEvents.filter((e) => e.cat === 'request');
    expect(requests).toHaveLength(records.length);
    for (let tid = 1; tid <= 4; tid++) {
      const onTrack = requests.filter((e) => e.tid === tid).sort((a, b) => a.ts - b.ts);
      for (let i = 1; i < onTrack.length; i++) {
        expect(onTrack[i]!.ts).toBeGreaterThanOrEqual(
          onTrack[i - 1]!.ts + onTrack[i - 1]!.dur - EPSILON_US,
        );
      }
    }
    expect(trace.otherData).toMatchObject({
      records: 2000,
      first_dispatch_wall_clock: expect.stringMatching(/^2026-01-01T00:00:00\./),
      slots: { 'mock / mock-model / chat': 4 },
    });
    expect(trace.displayTimeUnit).toBe('ms');
  });

  it('nests each request phase inside its request, and queue + waiting + streaming add up to it', async () => {
    const { trace } = await writeTrace(join(dir, 'nesting.trace.json'), records);
    const events = trace.traceEvents.filter((e) => e.ph === 'X');
    let requestsSeen = 0;
    let current: ParsedEvent | undefined;
    let sum = 0;
    const checkSum = () => {
      if (current !== undefined) expect(Math.abs(sum - current.dur)).toBeLessThan(EPSILON_US);
    };
    for (const event of events) {
      if (event.cat === 'request') {
        checkSum();
        current = event;
        sum = 0;
        requestsSeen++;
        continue;
      }
      expect(event.tid).toBe(current!.tid);
      expect(event.ts).toBeGreaterThanOrEqual(current!.ts - EPSILON_US);
      expect(event.ts + event.dur).toBeLessThanOrEqual(current!.ts + current!.dur + EPSILON_US);
      if (event.name !== 'connect') sum += event.dur;
    }
    checkSum();
    expect(requestsSeen).toBe(records.length);
    expect(events.filter((e) => e.name === 'connect')).toHaveLength(4);
    expect(events.filter((e) => e.name === 'streaming')).toHaveLength(
      records.filter((r) => r.status === 'ok').length,
    );
  });

  it('has one thread-scoped instant per token event, with its token count', async () => {
    const { trace } = await writeTrace(join(dir, 'tokens.trace.json'), records);
    const instants = trace.traceEvents.filter((e) => e.ph === 'i');
    expect(instants).toHaveLength(totalEvents);
    expect(instants.every((e) => e.s === 't' && e.name === 'tokens')).toBe(true);
    const tokens = instants.reduce((n, e) => n + (e.args?.tokens as number), 0);
    expect(tokens).toBe(
      records.reduce((n, r) => n + r.tokenEventTokens.reduce((a, b) => a + b, 0), 0),
    );
  });
});

describe('TimelineWriter', () => {
  it('gives one process per provider/model/scenario, each with its own slots', async () => {
    const a = closedLoop(2, 100, 1);
    const b = closedLoop(3, 100, 2, { scenario: 'rag' });
    const merged = [...a, ...b].sort((x, y) =>
      x.dispatchNs + x.e2eNs! < y.dispatchNs + y.e2eNs! ? -1 : 1,
    );
    const { trace } = await writeTrace(join(dir, 'two.trace.json'), merged);
    const processes = trace.traceEvents.filter((e) => e.name === 'process_name');
    expect(processes.map((e) => e.args?.name).sort()).toEqual([
      'mock / mock-model / chat',
      'mock / mock-model / rag',
    ]);
    expect(trace.otherData.slots).toEqual({
      'mock / mock-model / chat': 2,
      'mock / mock-model / rag': 3,
    });
  });

  it('leaves valid JSON when the run stops after any number of records', async () => {
    const records = closedLoop(4, 50, 5);
    for (const n of [0, 1, 7, 50]) {
      const { trace } = await writeTrace(join(dir, `cut-${n}.trace.json`), records.slice(0, n));
      expect(trace.traceEvents.filter((e) => e.cat === 'request')).toHaveLength(n);
      expect(trace.otherData.records).toBe(n);
    }
  });

  it('streams a large run with backpressure', async () => {
    const records = closedLoop(64, 20_000, 8);
    const path = join(dir, 'large.trace.json');
    const { trace, full } = await writeTrace(path, records);
    expect(full).toBeGreaterThan(0);
    expect(trace.otherData.slots).toEqual({ 'mock / mock-model / chat': 64 });
  });

  it('leaves the token instants out with --no-timeline-tokens, keeping every span', async () => {
    const records = closedLoop(4, 200, 12);
    const path = join(dir, 'spans-only.trace.json');
    const sink = exporterFactories[0]!.createRecordSink!({
      path,
      options: { 'timeline-tokens': false },
    });
    for (const r of records) sink.write(r);
    await sink.close();
    const trace = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: ParsedEvent[] };
    expect(trace.traceEvents.filter((e) => e.ph === 'i')).toHaveLength(0);
    expect(trace.traceEvents.filter((e) => e.cat === 'request')).toHaveLength(200);
    expect(trace.traceEvents.filter((e) => e.name === 'waiting for first token')).toHaveLength(200);
  });

  it('is registered as timeline on .trace.json and rejects an unwritable path with its code', async () => {
    expect(exporterFactories.map((f) => [f.format, f.extensions])).toEqual([
      ['timeline', ['.trace.json']],
    ]);
    expect(() => exporterFactories[0]!.createRecordSink!({})).toThrow(
      expect.objectContaining({ code: 'LENS_EXPORT_TIMELINE_PATH' }),
    );
    const path = join(dir, 'a-directory.trace.json');
    mkdirSync(path);
    const sink = exporterFactories[0]!.createRecordSink!({ path });
    await expect(sink.close()).rejects.toMatchObject({
      code: 'LENS_EXPORT_TIMELINE_WRITE',
      message: expect.stringContaining(path),
    });
  });
});
