import { createTargets, ExtensionRegistry, runPlan } from '@llm-lens/executor';
import type { RunSummary } from '@llm-lens/metrics';
import { mockProviderFactory } from '@llm-lens/providers-mock';
import { describe, expect, it } from 'vitest';
import {
  collectRunSamples,
  compareRuns,
  evaluateRegression,
  parseRegressionSpec,
  type RunSamples,
} from '../src/index.js';

/**
 * One real run: the built-in simulator started on a loopback port, measured through the
 * OpenAI adapter by the executor, its records streamed into a collector as they finish.
 */
async function realRun(
  seed: number,
  ttftMs: string,
): Promise<{ samples: RunSamples; summary: RunSummary }> {
  const registry = new ExtensionRegistry();
  registry.register({ providerFactories: [mockProviderFactory] });
  const resolved = await createTargets(
    [
      {
        name: 'sim',
        type: 'mock',
        models: ['mock-model'],
        mock: { ttft_ms: ttftMs, itl_ms: 'normal:4,1', output_tokens: 8, seed },
      },
    ],
    registry,
  );
  try {
    // Records are folded in as they finish; the run id is known once the run ends.
    const collector = collectRunSamples();
    const summary = await runPlan(
      {
        targets: resolved.targets,
        scenarios: [
          {
            name: 'chat',
            prompt: 'Say something.',
            requests: 240,
            concurrency: 8,
            warmup: 24,
            stream: true,
          },
        ],
      },
      { onRecord: (record) => collector.add(record) },
    );
    return { samples: collector.finish({ runId: summary.run.run_id }), summary };
  } finally {
    await resolved.close();
  }
}

describe('comparing real runs through the executor and the simulator', () => {
  it('finds no significant change between two runs of one configuration', async () => {
    // Same distributions; only the simulator's sampling seed differs between the runs.
    const base = await realRun(1, 'lognormal:30,0.3');
    const next = await realRun(2, 'lognormal:30,0.3');
    const comparison = compareRuns(base.samples, next.samples);
    expect(comparison.base_run_id).toBe(base.summary.run.run_id);
    const group = comparison.groups[0]!;
    expect(group.method).toBe('bootstrap+mann-whitney');
    // The samples count what the executor's own summary counts.
    const ttft = group.rows.find((r) => r.metric === 'ttft' && r.statistic === 'p50')!;
    expect(ttft.base_count).toBe(base.summary.groups[0]!.ttft!.count);
    expect(ttft.base).toBeCloseTo(base.summary.groups[0]!.ttft!.p50, 0);
    expect(group.rows.filter((r) => r.verdict !== 'no_change')).toEqual([]);
  });

  it('finds a real 60 % TTFT slowdown, as a regression of ttft.p50 beyond +20 %', async () => {
    const base = await realRun(3, 'lognormal:30,0.3');
    const next = await realRun(4, 'lognormal:48,0.3');
    const comparison = compareRuns(base.samples, next.samples);
    const row = comparison.groups[0]!.rows.find(
      (r) => r.metric === 'ttft' && r.statistic === 'p50',
    )!;
    expect(row.verdict).toBe('worse');
    const [result] = evaluateRegression(comparison, parseRegressionSpec('ttft.p50:+20%'));
    expect(result).toMatchObject({ exceeded: true, significant: true, regressed: true });
  });
});
