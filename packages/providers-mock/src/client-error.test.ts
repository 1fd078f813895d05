import type { RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { clientErrorAgainstWriteLog, errorPercentiles } from './client-error.js';
import type { WriteRecord } from './write-log.js';

const MS = 1_000_000;

function record(id: string, dispatchMs: number, offsetsMs: number[]): RequestRecord {
  return {
    requestId: id,
    provider: 'sim',
    model: 'm',
    scenario: 's',
    isWarmup: false,
    startedAtMs: 0,
    dispatchNs: BigInt(dispatchMs * MS),
    status: 'ok',
    queueNs: 0n,
    ttftNs: BigInt(offsetsMs[0]! * MS),
    tokenEventOffsetsNs: Float64Array.from(offsetsMs, (ms) => ms * MS),
    tokenEventTokens: Uint32Array.from(offsetsMs, () => 1),
  };
}

function writes(id: string, writesMs: number[]): [string, WriteRecord] {
  return [
    id,
    {
      requestId: id,
      path: '/v1/chat/completions',
      arrivalNs: 0n,
      firstByteNs: 0n,
      tokenWritesNs: writesMs.map((ms) => BigInt(Math.round(ms * MS))),
      endNs: 0n,
      status: 200,
      outcome: 'completed',
    },
  ];
}

describe('clientErrorAgainstWriteLog', () => {
  it('is the client stamp minus the server write, per first token and per gap', () => {
    // Dispatched at 1000 ms; tokens stamped 100, 121 and 140 ms later; written at
    // 1099.5, 1120 and 1140.2 ms.
    const result = clientErrorAgainstWriteLog(
      [record('a', 1000, [100, 121, 140]), record('b', 0, [5]), record('c', 0, [5, 6])],
      new Map([writes('a', [1099.5, 1120, 1140.2]), writes('c', [5])]),
    );
    expect(result.requests).toBe(3);
    expect(result.joined).toBe(1); // b has no write record, c a different event count
    expect(result.ttftErrorsMs.map((v) => Number(v.toFixed(6)))).toEqual([0.5]);
    // gaps: client 21 vs server 20.5, client 19 vs server 20.2
    expect(result.gapErrorsMs.map((v) => Number(v.toFixed(6)))).toEqual([0.5, -1.2]);
  });

  it('summarizes errors as nearest-rank p50, p99 and max', () => {
    const values = Array.from({ length: 100 }, (_, i) => i / 10);
    expect(errorPercentiles(values)).toEqual({ p50: 4.9, p99: 9.8, max: 9.9 });
    expect(errorPercentiles([])).toEqual({ p50: 0, p99: 0, max: 0 });
  });
});
