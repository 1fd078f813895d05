import type { RequestRecord } from '@llm-lens/core-timing';
import { afterEach, describe, expect, it } from 'vitest';
import { runPlan } from '../src/index.js';
import { type SimulatedTarget, scenario, simulatedTarget } from './harness.js';

let sim: SimulatedTarget | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('fixed output lengths (min_tokens + ignore_eos)', () => {
  it('makes a server that would stop early generate the asked length, per scenario and per prompt', async () => {
    // The simulator's "model" answers 3 to 12 tokens unless told otherwise.
    sim = await simulatedTarget({ ttftMs: 2, itlMs: 1, outputTokens: { min: 3, max: 12 } });
    const records: RequestRecord[] = [];
    await runPlan(
      {
        targets: [sim.target],
        scenarios: [
          scenario({ name: 'free', requests: 6, maxTokens: 40 }),
          scenario({ name: 'fixed', requests: 6, maxTokens: 40, minTokens: 40 }),
          scenario({
            name: 'per-prompt',
            requests: 4,
            maxTokens: 40,
            prompts: {
              description: 'two lengths',
              items: [
                { prompt: 'a', maxTokens: 20, minTokens: 20 },
                { prompt: 'b', maxTokens: 30, minTokens: 30 },
              ],
            },
          }),
        ],
      },
      { onRecord: (r) => records.push(r) },
    );
    const tokens = (name: string) =>
      records.filter((r) => r.scenario === name).map((r) => r.outputTokens);
    expect(Math.max(...(tokens('free') as number[]))).toBeLessThanOrEqual(12);
    expect(tokens('fixed')).toEqual([40, 40, 40, 40, 40, 40]);
    expect([...tokens('per-prompt')].sort()).toEqual([20, 20, 30, 30]);
  });
});
