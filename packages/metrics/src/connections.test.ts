import type { ConnectionPhases, RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { Aggregator } from './aggregator.js';

const fidelity = { event_loop_delay_p99_ms: 0, event_loop_delay_max_ms: 0, client_bound: false };

function request(connection?: ConnectionPhases): RequestRecord {
  return {
    requestId: 'r',
    provider: 'p',
    model: 'm',
    scenario: 's',
    isWarmup: false,
    startedAtMs: 1_767_225_600_000,
    dispatchNs: 0n,
    status: 'ok',
    queueNs: 0n,
    ...(connection === undefined ? {} : { connection }),
    tokenEventOffsetsNs: new Float64Array(),
    tokenEventTokens: new Uint32Array(),
  };
}

const RECORDS = [
  request({ connectNs: 1_000_000n, tlsNs: 2_000_000n, protocol: 'h2' }),
  request(),
  request(),
  request({ connectNs: 1_000_000n, protocol: 'http/1.1' }),
  request({ connectNs: 1_000_000n }),
];

describe('connections in a group', () => {
  it('counts the connections measured requests opened, by negotiated protocol', () => {
    const aggregator = new Aggregator();
    for (const record of RECORDS) aggregator.add(record);
    expect(aggregator.summarize({ complete: true, fidelity })[0]!.connections).toEqual({
      opened: 3,
      protocols: { h2: 1, 'http/1.1': 1, unknown: 1 },
    });
  });

  it('merges worker threads exactly', () => {
    const [a, b, merged] = [new Aggregator(), new Aggregator(), new Aggregator()];
    for (const record of RECORDS.slice(0, 2)) a.add(record);
    for (const record of RECORDS.slice(2)) b.add(record);
    merged.mergeEncoded(JSON.parse(JSON.stringify(a.encodeGroups())));
    merged.mergeEncoded(JSON.parse(JSON.stringify(b.encodeGroups())));
    expect(merged.summarize({ complete: true, fidelity })[0]!.connections.opened).toBe(3);
  });
});
