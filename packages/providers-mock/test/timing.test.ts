import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator, type WriteRecord } from '../src/index.js';
import { postJson, streamCompletion } from './sse-exchange.js';

const toMs = (ns: bigint): number => Number(ns) / 1e6;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function gapsMs(record: WriteRecord): number[] {
  return record.tokenWritesNs.slice(1).map((ns, i) => toMs(ns - record.tokenWritesNs[i]!));
}

const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'mock-model',
  messages: [{ role: 'user', content: 'time me' }],
  stream: true,
  ...extra,
});

describe('independent schedule', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ ttftMs: 100, itlMs: 10, outputTokens: 20, recordWrites: true, seed: 1 });
    // Warm the JIT and the connection pool so the measured request times the simulator, not
    // first-call compilation.
    await streamCompletion(`${sim.baseUrl}/chat/completions`, chat({ max_tokens: 2 }));
  });

  afterAll(async () => {
    await sim.close();
  });

  it('writes the first token at arrival + TTFT and then every ITL, without drift', async () => {
    await streamCompletion(`${sim.baseUrl}/chat/completions`, chat(), { 'x-request-id': 'timed' });
    const record = sim.writeLog!.get('timed')!;
    expect(record.outcome).toBe('completed');
    expect(record.tokenWritesNs).toHaveLength(20);
    const firstMs = toMs(record.tokenWritesNs[0]! - record.arrivalNs);
    expect(firstMs).toBeGreaterThanOrEqual(100);
    expect(firstMs).toBeLessThanOrEqual(103);
    expect(Math.abs(median(gapsMs(record)) - 10)).toBeLessThanOrEqual(1);
    // Absolute schedule: the 20th token is due at arrival + 100 + 19 × 10 ms.
    const lastMs = toMs(record.tokenWritesNs[19]! - record.arrivalNs);
    expect(Math.abs(lastMs - 290)).toBeLessThanOrEqual(3);
    // The role chunk and headers went out right at arrival, long before the first token.
    expect(toMs(record.firstByteNs! - record.arrivalNs)).toBeLessThan(20);
  });

  it('keeps each of 8 concurrent streams on its own schedule', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        streamCompletion(`${sim.baseUrl}/chat/completions`, chat(), { 'x-request-id': `parallel-${i}` }),
      ),
    );
    for (let i = 0; i < 8; i++) {
      const record = sim.writeLog!.get(`parallel-${i}`)!;
      const lastMs = toMs(record.tokenWritesNs[19]! - record.arrivalNs);
      expect(lastMs).toBeGreaterThanOrEqual(290);
      expect(lastMs).toBeLessThanOrEqual(295);
    }
  });

  it('answers a non-streaming request only after TTFT plus every ITL has elapsed', async () => {
    const started = process.hrtime.bigint();
    const response = await postJson(
      `${sim.baseUrl}/chat/completions`,
      chat({ stream: false, max_tokens: 5 }),
      { headers: { 'x-request-id': 'whole-body' } },
    );
    await response.json();
    const elapsedMs = toMs(process.hrtime.bigint() - started);
    const record = sim.writeLog!.get('whole-body')!;
    expect(record.tokenWritesNs).toEqual([]);
    const bodyMs = toMs(record.firstByteNs! - record.arrivalNs);
    expect(bodyMs).toBeGreaterThanOrEqual(140);
    expect(bodyMs).toBeLessThanOrEqual(145);
    expect(elapsedMs).toBeGreaterThanOrEqual(140);
  });
});

describe('lockstep schedule', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({
      mode: 'lockstep',
      ttftMs: 80,
      itlMs: 40,
      outputTokens: 30,
      recordWrites: true,
      seed: 1,
    });
  });

  afterAll(async () => {
    await sim.close();
  });

  it('writes the k-th token of 8 concurrent streams on the same decode tick', async () => {
    const url = `${sim.baseUrl}/chat/completions`;
    // A long "pacer" stream starts the clock. The 8 streams are sent just after one of its
    // ticks; TTFT is two ticks, so all 8 finish prefill inside the same tick interval and
    // must join the batch on the same tick.
    const pacerAbort = new AbortController();
    const pacer = await postJson(url, chat(), {
      headers: { 'x-request-id': 'pacer' },
      signal: pacerAbort.signal,
    });
    const reader = pacer.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    while (!seen.includes('"content":" the"')) {
      const { value } = await reader.read();
      seen += decoder.decode(value, { stream: true });
    }
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        streamCompletion(url, chat({ max_tokens: 6 }), { 'x-request-id': `batch-${i}` }),
      ),
    );
    pacerAbort.abort();
    await reader.cancel().catch(() => {});
    // Let the server see the pacer go, so the next test starts on an idle clock.
    while (sim.stats().active > 0) await new Promise((resolve) => setTimeout(resolve, 1));

    const batch = Array.from({ length: 8 }, (_, i) => sim.writeLog!.get(`batch-${i}`)!);
    const pacerWrites = sim.writeLog!.get('pacer')!.tokenWritesNs;
    for (let k = 0; k < 6; k++) {
      const writes = batch.map((record) => toMs(record.tokenWritesNs[k]!));
      expect(Math.max(...writes) - Math.min(...writes)).toBeLessThan(1);
      // ...and on the pacer's tick, in the same loop.
      const nearestPacerGap = Math.min(...pacerWrites.map((ns) => Math.abs(toMs(ns) - writes[0]!)));
      expect(nearestPacerGap).toBeLessThan(1);
    }
    // The decode clock keeps its 40 ms grid.
    for (const record of batch) expect(Math.abs(median(gapsMs(record)) - 40)).toBeLessThanOrEqual(1);
  });

  it('decodes a lone stream exactly on TTFT + k × tick', async () => {
    await streamCompletion(`${sim.baseUrl}/chat/completions`, chat({ max_tokens: 4 }), {
      'x-request-id': 'lone',
    });
    const record = sim.writeLog!.get('lone')!;
    const offsets = record.tokenWritesNs.map((ns) => toMs(ns - record.arrivalNs));
    for (const [i, expected] of [80, 120, 160, 200].entries()) {
      expect(offsets[i]).toBeGreaterThanOrEqual(expected);
      expect(offsets[i]).toBeLessThanOrEqual(expected + 3);
    }
  });
});
