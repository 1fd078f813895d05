import type { RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import {
  formatMicros,
  formatTraceEvent,
  requestTraceEvents,
  TraceSerializer,
} from './trace-events.js';

const MS = 1_000_000n;

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: 'r-1',
    provider: 'openai',
    model: 'gpt-4o-mini',
    scenario: 'chat',
    isWarmup: false,
    startedAtMs: Date.UTC(2026, 0, 1),
    dispatchNs: 1_000n * MS + 7n,
    status: 'ok',
    httpStatus: 200,
    queueNs: 2n * MS,
    sendDelayNs: 500_000n,
    connection: { dnsNs: 100_000n, connectNs: 200_000n, tlsNs: 150_000n, protocol: 'h2' },
    ttftNs: 100n * MS,
    e2eNs: 160n * MS,
    outputTokens: 4,
    tokenEventOffsetsNs: new Float64Array([100e6, 120e6, 160e6]),
    tokenEventTokens: new Uint32Array([1, 1, 2]),
    ...overrides,
  };
}

describe('formatMicros', () => {
  it('writes ns as µs exactly, without float rounding', () => {
    expect(formatMicros(0n)).toBe('0');
    expect(formatMicros(1_000n)).toBe('1');
    expect(formatMicros(1_234_567n)).toBe('1234.567');
    expect(formatMicros(1_234_500n)).toBe('1234.5');
    expect(formatMicros(5n)).toBe('0.005');
    expect(formatMicros(987_654_321_012_345_678n)).toBe('987654321012345.678');
    expect(formatMicros(-1_500n)).toBe('-1.5');
  });
});

describe('requestTraceEvents', () => {
  it('spans queue (with connect inside), waiting for the first token and streaming, covering the request', () => {
    const events = requestTraceEvents(record(), 1, 3);
    const [request, queue, connect, waiting, streaming, ...tokens] = events;
    const start = 1_000n * MS + 7n - 2_500_000n;
    expect(request).toMatchObject({ name: 'r-1', ph: 'X', ts: start, dur: 162_500_000n, tid: 3 });
    expect(request!.args).toMatchObject({
      status: 'ok',
      http_status: 200,
      phase: 'measure',
      output_tokens: 4,
    });
    expect(queue).toMatchObject({ name: 'queue', ts: start, dur: 2_500_000n });
    expect(connect).toMatchObject({
      name: 'connect',
      ts: 1_000n * MS + 7n - 450_000n,
      dur: 450_000n,
    });
    expect(waiting).toMatchObject({
      name: 'waiting for first token',
      ts: 1_000n * MS + 7n,
      dur: 100n * MS,
    });
    expect(streaming).toMatchObject({ name: 'streaming', ts: 1_100n * MS + 7n, dur: 60n * MS });
    expect(queue!.dur! + waiting!.dur! + streaming!.dur!).toBe(request!.dur!);
    expect(tokens.map((e) => [e.ph, e.s, e.ts, e.args?.tokens])).toEqual([
      ['i', 't', 1_100n * MS + 7n, 1],
      ['i', 't', 1_120n * MS + 7n, 1],
      ['i', 't', 1_160n * MS + 7n, 2],
    ]);
  });

  it('ends a failed request at its last known moment, with no streaming span', () => {
    const failed = record({
      status: 'error',
      errorClass: 'timeout_ttft',
      tokenEventOffsetsNs: new Float64Array(),
      tokenEventTokens: new Uint32Array(),
      ttfbNs: 40n * MS,
    });
    delete failed.ttftNs;
    delete failed.e2eNs;
    delete failed.connection;
    const events = requestTraceEvents(failed, 1, 1);
    expect(events.map((e) => e.name)).toEqual(['r-1', 'queue', 'waiting for first token']);
    expect(events[0]!.dur).toBe(2_500_000n + 40n * MS);
    expect(events[0]!.args).toMatchObject({ status: 'error', error_class: 'timeout_ttft' });
    expect(events[2]!.dur).toBe(40n * MS);
  });

  it('keeps the connect span inside the queue span when setup took longer than the queue', () => {
    const events = requestTraceEvents(record({ queueNs: 0n, sendDelayNs: 100_000n }), 1, 1);
    const connect = events.find((e) => e.name === 'connect')!;
    expect(connect.ts).toBe(events[1]!.ts);
    expect(connect.dur).toBe(100_000n);
  });
});

describe('TraceSerializer', () => {
  it('names each group as a process and each slot as a thread, once, and closes valid JSON', () => {
    const serializer = new TraceSerializer();
    const text =
      serializer.begin() +
      serializer.record(record({ requestId: 'a' })) +
      serializer.record(record({ requestId: 'b', model: 'other' })) +
      serializer.end();
    const trace = JSON.parse(text);
    const names = trace.traceEvents
      .filter((e: { ph: string }) => e.ph === 'M')
      .map((e: { name: string; pid: number; tid: number; args: { name?: string } }) => [
        e.name,
        e.pid,
        e.tid,
        e.args.name,
      ]);
    expect(names).toEqual([
      ['process_name', 1, 0, 'openai / gpt-4o-mini / chat'],
      ['process_sort_index', 1, 0, undefined],
      ['thread_name', 1, 1, 'slot 1'],
      ['thread_sort_index', 1, 1, undefined],
      ['process_name', 2, 0, 'openai / other / chat'],
      ['process_sort_index', 2, 0, undefined],
      ['thread_name', 2, 1, 'slot 1'],
      ['thread_sort_index', 2, 1, undefined],
    ]);
    expect(trace.displayTimeUnit).toBe('ms');
    expect(trace.otherData).toMatchObject({
      records: 2,
      first_dispatch_wall_clock: '2026-01-01T00:00:00.000Z',
      first_dispatch_ts: 1_000_000.007,
    });
  });

  it('writes a valid, empty trace when no request finished', () => {
    const serializer = new TraceSerializer();
    const trace = JSON.parse(serializer.begin() + serializer.end());
    expect(trace.traceEvents).toEqual([]);
    expect(trace.otherData.first_dispatch_wall_clock).toBeNull();
  });

  it('escapes names and ids as JSON', () => {
    const line = formatTraceEvent({ name: 'id "x"\n', ph: 'X', pid: 1, tid: 1, ts: 1n, dur: 2n });
    expect(JSON.parse(line)).toEqual({
      name: 'id "x"\n',
      ph: 'X',
      ts: 0.001,
      dur: 0.002,
      pid: 1,
      tid: 1,
    });
  });
});
