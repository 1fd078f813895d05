import type { RequestRecord } from '@llm-lens/core-timing';
import { afterEach, describe, expect, it } from 'vitest';
import { createTargets, ExtensionRegistry, runPlan } from '../src/index.js';
import { type SimulatedTarget, scenario, simulatedTarget } from './harness.js';

let sim: SimulatedTarget | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('repeat', () => {
  it('runs the plan K times, pools the groups and reads each statistic across the runs', async () => {
    sim = await simulatedTarget({ ttftMs: 30, itlMs: 2, outputTokens: 5 });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      { targets: [sim.target], scenarios: [scenario({ requests: 8, concurrency: 2, warmup: 1 })] },
      { repeat: 3, onRecord: (r) => records.push(r) },
    );
    // Each run sends its warm-up and its 8 measured requests; records say which run.
    for (const run of [1, 2, 3]) {
      expect(records.filter((r) => r.repeat === run && !r.isWarmup)).toHaveLength(8);
    }
    const group = summary.groups[0]!;
    expect(group.requests).toMatchObject({ planned: 24, total: 24, warmup: 3, not_sent: 0 });
    const report = summary.repeats!;
    expect(report.runs).toBe(3);
    const ttft = report.groups[0]!.statistics.find((s) => s.statistic === 'ttft.p50')!;
    expect(ttft.values).toHaveLength(3);
    // The simulator's TTFT is 30 ms: every run sees at least that, and the runs agree closely.
    for (const value of ttft.values) expect(value!).toBeGreaterThanOrEqual(30);
    expect(ttft.ci95![0]).toBeLessThanOrEqual(ttft.mean);
    expect(ttft.ci95![1]).toBeGreaterThanOrEqual(ttft.mean);
    expect(ttft.max - ttft.min).toBeLessThan(15);
    expect(ttft.mean).toBeCloseTo(ttft.values.reduce((a, b) => a! + b!, 0)! / 3, 2);
    // Threads of every run are in the fidelity block, named by run.
    expect(summary.fidelity.threads.map((t) => t.thread)).toEqual([
      'repeat-1/main',
      'repeat-2/main',
      'repeat-3/main',
    ]);
  });

  it('stops between runs when dispatching is stopped, and says the run is incomplete', async () => {
    sim = await simulatedTarget({ ttftMs: 5, itlMs: 1, outputTokens: 2 });
    const stop = new AbortController();
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      { targets: [sim.target], scenarios: [scenario({ requests: 3, concurrency: 1 })] },
      {
        repeat: 5,
        signal: stop.signal,
        onRecord: (r) => {
          records.push(r);
          if (r.repeat === 2) stop.abort();
        },
      },
    );
    expect(Math.max(...records.map((r) => r.repeat!))).toBe(2);
    expect(summary.complete).toBe(false);
    expect(summary.repeats!.runs).toBe(2);
  });

  it('refuses a repeat count that is not a whole number >= 1', async () => {
    sim = await simulatedTarget({ ttftMs: 5, itlMs: 1, outputTokens: 2 });
    await expect(
      runPlan({ targets: [sim.target], scenarios: [scenario()] }, { repeat: 0 }),
    ).rejects.toThrow(/repeat must be a whole number >= 1, got 0/);
  });
});

describe('repeat on worker threads', () => {
  it('starts the threads afresh each run and merges each run alike', async () => {
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
          mock: { ttft_ms: 20, output_tokens: 3 },
        },
      ],
      registry,
    );
    try {
      const summary = await runPlan(
        { targets: resolved.targets, scenarios: [scenario({ requests: 6, concurrency: 2 })] },
        { repeat: 2, workers: 2, registry },
      );
      expect(summary.groups[0]!.requests.total).toBe(12);
      const ttft = summary.repeats!.groups[0]!.statistics.find((s) => s.statistic === 'ttft.p50')!;
      expect(ttft.n).toBe(2);
      expect(summary.fidelity.threads.map((t) => t.thread)).toEqual([
        'repeat-1/worker-1',
        'repeat-1/worker-2',
        'repeat-2/worker-1',
        'repeat-2/worker-2',
      ]);
    } finally {
      await resolved.close();
    }
  });
});
