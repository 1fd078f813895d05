import type { EventLoopSnapshot, RequestRecord } from '@llm-lens/core-timing';
import {
  Aggregator,
  buildFidelity,
  buildRunSummary,
  type SessionSummary,
  type SessionTurnSummary,
} from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import { createColors } from './format.js';
import { sessionsLine } from './session-line.js';
import { renderSummary } from './summary-table.js';

const colors = createColors({ isTTY: false } as NodeJS.WriteStream);

function turn(
  name: string,
  ttftP50: number | null,
  inputMean: number | null,
  requests = 20,
): SessionTurnSummary {
  return {
    turn: name,
    requests,
    ttft_p50_ms: ttftP50,
    ttft_p95_ms: ttftP50 === null ? null : ttftP50 * 1.5,
    input_tokens_mean: inputMean,
  };
}

describe('sessionsLine', () => {
  it('gives TTFT p50 per turn and how far the input grew from the first turn to the last', () => {
    const sessions: SessionSummary = {
      sessions: 20,
      turns: 87,
      by_turn: [
        turn('1', 151.2, 412),
        turn('2', 163.4, 1030.6),
        turn('3', 170, 1650),
        turn('9+', 1240, 2310.4, 7),
      ],
    };
    expect(sessionsLine(sessions)).toBe(
      'Sessions: 20 conversations, 87 turns; TTFT p50 by turn: 1: 151 ms, 2: 163 ms, 3: 170 ms, 9+: 1.2 s (input tokens 412 → 2,310)',
    );
  });

  it('marks a turn without a successful request and leaves out unknown input counts', () => {
    const sessions: SessionSummary = {
      sessions: 1,
      turns: 2,
      by_turn: [turn('1', 90, null, 1), turn('2', null, null, 1)],
    };
    expect(sessionsLine(sessions)).toBe(
      'Sessions: 1 conversation, 2 turns; TTFT p50 by turn: 1: 90 ms, 2: —',
    );
    expect(sessionsLine({ sessions: 3, turns: 3, by_turn: [turn('1', 80, 50, 3)] })).toBe(
      'Sessions: 3 conversations, 3 turns; TTFT p50 by turn: 1: 80 ms (input tokens 50)',
    );
  });

  it('is absent for a group without sessions', () => {
    expect(sessionsLine(null)).toBeUndefined();
    expect(sessionsLine({ sessions: 0, turns: 0, by_turn: [] })).toBeUndefined();
  });
});

const calmLoop: EventLoopSnapshot = {
  p50Ms: 0.05,
  p99Ms: 0.4,
  maxMs: 2.5,
  meanMs: 0.08,
  utilization: 0.2,
  samples: 5000,
};

/** Turn `turnNumber` of session `sessionId`, its context `inputTokens` long. */
function turnRecord(sessionId: string, turnNumber: number, inputTokens: number): RequestRecord {
  return {
    requestId: `${sessionId}-${turnNumber}`,
    provider: 'vllm',
    model: 'llama',
    scenario: 'chat',
    isWarmup: false,
    startedAtMs: Date.parse('2026-01-01T00:00:00.000Z') + turnNumber * 1000,
    dispatchNs: 0n,
    status: 'ok',
    queueNs: 0n,
    ttftNs: BigInt(100 + turnNumber * 10) * 1_000_000n,
    e2eNs: 900_000_000n,
    inputTokens,
    sessionId,
    turn: turnNumber,
    tokenEventOffsetsNs: new Float64Array(),
    tokenEventTokens: new Uint32Array(),
  } as RequestRecord;
}

describe('renderSummary with multi-turn sessions', () => {
  it("puts the sessions line under its group's requests line", () => {
    const fidelity = buildFidelity([{ thread: 'main', snapshot: calmLoop }]);
    const aggregator = new Aggregator();
    for (const session of ['s1', 's2']) {
      for (const [index, input] of [100, 250, 400].entries()) {
        aggregator.add(turnRecord(session, index + 1, input));
      }
    }
    const summary = buildRunSummary({
      toolVersion: '0.1.0',
      configHash: 'sha256:test',
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:00:10.000Z',
      complete: true,
      fidelity,
      groups: aggregator.summarize({ complete: true, fidelity }),
      resilience: null,
    });
    const lines = renderSummary(summary, colors).split('\n');
    const at = (prefix: string) => lines.findIndex((line) => line.startsWith(prefix));
    expect(lines[at('Sessions:')]).toBe(
      'Sessions: 2 conversations, 6 turns; TTFT p50 by turn: 1: 110 ms, 2: 120 ms, 3: 130 ms (input tokens 100 → 400)',
    );
    expect(at('Sessions:')).toBe(at('Requests:') + 1);
  });
});
