import type { RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { Aggregator } from './aggregator.js';

const MS = 1_000_000n;
const fidelity = { event_loop_delay_p99_ms: 0, event_loop_delay_max_ms: 0, client_bound: false };

function turn(sessionId: string, n: number, ttftMs: number, inputTokens: number): RequestRecord {
  return {
    requestId: `${sessionId}-${n}`,
    provider: 'p',
    model: 'm',
    scenario: 's',
    isWarmup: false,
    startedAtMs: 1_767_225_600_000 + n,
    dispatchNs: 0n,
    status: 'ok',
    queueNs: 0n,
    ttftNs: BigInt(ttftMs) * MS,
    e2eNs: BigInt(ttftMs + 10) * MS,
    inputTokens,
    sessionId,
    turn: n,
    tokenEventOffsetsNs: new Float64Array(),
    tokenEventTokens: new Uint32Array(),
  };
}

/** Two sessions of 10 turns: TTFT and context grow with the turn. */
const RECORDS = ['a', 'b'].flatMap((id) =>
  Array.from({ length: 10 }, (_, k) => turn(id, k + 1, 100 + 10 * k, 50 * (k + 1))),
);

describe('sessions in a group', () => {
  it('reports conversations, turns, and TTFT and input tokens by turn, pooling turns after 8', () => {
    const aggregator = new Aggregator();
    for (const record of RECORDS) aggregator.add(record);
    const sessions = aggregator.summarize({ complete: true, fidelity })[0]!.sessions!;
    expect(sessions.sessions).toBe(2);
    expect(sessions.turns).toBe(20);
    expect(sessions.by_turn.map((t) => t.turn)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9+',
    ]);
    expect(sessions.by_turn[0]).toMatchObject({ turn: '1', requests: 2, input_tokens_mean: 50 });
    // Within HDR's bucket width (3 significant digits).
    expect(sessions.by_turn[0]!.ttft_p50_ms).toBeCloseTo(100, 0);
    expect(sessions.by_turn[7]!.ttft_p95_ms).toBeCloseTo(170, 0);
    // Turns 9 and 10 of both sessions: TTFT 180 and 190 ms, inputs 450 and 500.
    expect(sessions.by_turn[8]).toMatchObject({ requests: 4, input_tokens_mean: 475 });
    expect(sessions.by_turn[8]!.ttft_p50_ms).toBeCloseTo(180, 0);
  });

  it('merges worker threads exactly, and is null for single requests', () => {
    const [a, b, merged] = [new Aggregator(), new Aggregator(), new Aggregator()];
    for (const r of RECORDS.slice(0, 10)) a.add(r);
    for (const r of RECORDS.slice(10)) b.add(r);
    merged.mergeEncoded(JSON.parse(JSON.stringify(a.encodeGroups())));
    merged.mergeEncoded(JSON.parse(JSON.stringify(b.encodeGroups())));
    const whole = new Aggregator();
    for (const r of RECORDS) whole.add(r);
    expect(merged.summarize({ complete: true, fidelity })[0]!.sessions).toEqual(
      whole.summarize({ complete: true, fidelity })[0]!.sessions,
    );
    const single = new Aggregator();
    const { turn: _t, sessionId: _s, ...plain } = RECORDS[0]!;
    single.add(plain);
    expect(single.summarize({ complete: true, fidelity })[0]!.sessions).toBeNull();
  });
});
