import type { RequestRecord } from '@llm-lens/core-timing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ConversationPlan,
  createTargets,
  ExtensionRegistry,
  runPlan,
  type ScenarioPlan,
} from '../src/index.js';
import { type SimulatedTarget, simulatedTarget } from './harness.js';

// Multi-turn sessions against the simulator: turns in order, the history growing with the
// live replies, think time between turns inside the session's slot.

let sim: SimulatedTarget | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const ms = (ns: bigint | undefined) => Number(ns ?? 0n) / 1e6;
const handedMs = (r: RequestRecord) => ms(r.dispatchNs - (r.sendDelayNs ?? 0n));
const endMs = (r: RequestRecord) => ms(r.dispatchNs) + ms(r.e2eNs);

function conversation(index: number, turns: number, thinkMs: number): ConversationPlan {
  return {
    source: `test#${index}`,
    system: 'You answer briefly.',
    turns: Array.from({ length: turns }, (_, k) => ({
      user: `Conversation ${index}, question ${k + 1}: why is the sky blue?`,
      recordedReply: 'A recorded answer from the dataset, much longer than the live one. '.repeat(
        8,
      ),
    })),
    thinkTimeMs: Array.from({ length: turns }, (_, k) => (k === 0 ? 0 : thinkMs)),
  };
}

function sessions(overrides: Partial<ScenarioPlan> = {}): ScenarioPlan {
  return {
    name: 'chat',
    prompt: '',
    requests: 4,
    concurrency: 2,
    warmup: 0,
    stream: true,
    maxTokens: 8,
    conversations: {
      description: 'test conversations',
      items: [conversation(0, 3, 40), conversation(1, 3, 40)],
    },
    ...overrides,
  };
}

describe('multi-turn sessions', () => {
  it('sends each session’s turns in order after the think time, with the context growing', async () => {
    sim = await simulatedTarget({ ttftMs: 10, itlMs: 2, outputTokens: 8 });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      { targets: [sim.target], scenarios: [sessions()] },
      { onRecord: (r) => records.push(r) },
    );
    expect(records).toHaveLength(12);
    const bySession = new Map<string, RequestRecord[]>();
    for (const r of records) {
      const list = bySession.get(r.sessionId!) ?? [];
      list.push(r);
      bySession.set(r.sessionId!, list);
    }
    expect(bySession.size).toBe(4);
    for (const turns of bySession.values()) {
      turns.sort((a, b) => a.turn! - b.turn!);
      expect(turns.map((r) => r.turn)).toEqual([1, 2, 3]);
      for (let k = 1; k < turns.length; k++) {
        // The user thinks 40 ms after the previous reply ended before sending the next turn.
        expect(handedMs(turns[k]!) - endMs(turns[k - 1]!)).toBeGreaterThanOrEqual(39.9);
        // The whole history goes each time: the server sees more input every turn.
        expect(turns[k]!.inputTokens!).toBeGreaterThan(turns[k - 1]!.inputTokens! + 8);
      }
    }
    // Two users at once: never more than two sessions overlap.
    const spans = [...bySession.values()].map((t) => [handedMs(t[0]!), endMs(t[2]!)] as const);
    for (const [start] of spans) {
      const open = spans.filter(([a, b]) => a <= start + 0.001 && b > start).length;
      expect(open).toBeLessThanOrEqual(2);
    }
    const group = summary.groups[0]!;
    expect(group.requests).toMatchObject({ planned: 12, total: 12, succeeded: 12, not_sent: 0 });
    expect(group.sessions).toMatchObject({ sessions: 4, turns: 12 });
    const inputs = group.sessions!.by_turn.map((t) => t.input_tokens_mean!);
    expect(inputs[1]!).toBeGreaterThan(inputs[0]!);
    expect(inputs[2]!).toBeGreaterThan(inputs[1]!);
  });

  it('sends the recorded replies as history when asked, so every run sends the same prompts', async () => {
    sim = await simulatedTarget({ ttftMs: 2, itlMs: 1, outputTokens: 8 });
    const recorded: RequestRecord[] = [];
    const base = sessions({ requests: 2, concurrency: 1 });
    await runPlan(
      {
        targets: [sim.target],
        scenarios: [{ ...base, conversations: { ...base.conversations!, history: 'recorded' } }],
      },
      { onRecord: (r) => recorded.push(r) },
    );
    const live: RequestRecord[] = [];
    await runPlan({ targets: [sim.target], scenarios: [base] }, { onRecord: (r) => live.push(r) });
    // The recorded replies are far longer than 8 generated tokens: turn 3 carries more history.
    const third = (rs: RequestRecord[]) =>
      rs.filter((r) => r.turn === 3).map((r) => r.inputTokens!);
    expect(Math.min(...third(recorded))).toBeGreaterThan(Math.max(...third(live)) + 100);
  });

  it('ends a session at a failed turn, and when dispatching stops during the think time', async () => {
    sim = await simulatedTarget({
      ttftMs: 2,
      itlMs: 1,
      outputTokens: 4,
      faults: { serverErrorRate: 1 },
    });
    const failing: RequestRecord[] = [];
    const summary = await runPlan(
      { targets: [sim.target], scenarios: [sessions({ requests: 2 })] },
      { onRecord: (r) => failing.push(r) },
    );
    // The first turn of each session fails: the rest of the session is not sent.
    expect(failing.map((r) => r.turn)).toEqual([1, 1]);
    expect(summary.groups[0]!.requests).toMatchObject({ planned: 6, total: 2, not_sent: 4 });

    await sim.close();
    sim = await simulatedTarget({ ttftMs: 2, itlMs: 1, outputTokens: 4 });
    const stop = new AbortController();
    const stopped: RequestRecord[] = [];
    const long = sessions({
      requests: 1,
      concurrency: 1,
      conversations: { description: 'long thinker', items: [conversation(0, 3, 5_000)] },
    });
    const started = Date.now();
    await runPlan(
      { targets: [sim.target], scenarios: [long] },
      {
        signal: stop.signal,
        onRecord: (r) => {
          stopped.push(r);
          stop.abort();
        },
      },
    );
    expect(stopped.map((r) => r.turn)).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('multi-turn sessions on worker threads', () => {
  it('splits the sessions across threads, each keeping its turns together', async () => {
    const registry = await ExtensionRegistry.fromModules([
      new URL('../../providers-openai/dist/index.js', import.meta.url).href,
      new URL('../../providers-mock/dist/index.js', import.meta.url).href,
    ]);
    const resolved = await createTargets(
      [
        {
          name: 'sim',
          type: 'mock',
          models: ['mock-model'],
          mock: { ttft_ms: 5, itl_ms: 1, output_tokens: 4 },
        },
      ],
      registry,
    );
    try {
      const records: RequestRecord[] = [];
      const summary = await runPlan(
        { targets: resolved.targets, scenarios: [sessions({ requests: 6, concurrency: 2 })] },
        { workers: 2, registry, onRecord: (r) => records.push(r) },
      );
      expect(records).toHaveLength(18);
      const ids = new Set(records.map((r) => r.sessionId));
      expect(ids.size).toBe(6);
      for (const id of ids) {
        expect(
          records
            .filter((r) => r.sessionId === id)
            .map((r) => r.turn)
            .sort(),
        ).toEqual([1, 2, 3]);
      }
      expect(summary.groups[0]!.sessions).toMatchObject({ sessions: 6, turns: 18 });
    } finally {
      await resolved.close();
    }
  });
});
