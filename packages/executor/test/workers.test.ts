import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, LATENCY_METRICS, RATE_METRICS } from '@llm-lens/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTargets,
  ExtensionRegistry,
  type ResolvedTargets,
  runPlan,
  type ScenarioPlan,
} from '../src/index.js';

// Worker threads import the adapters by URL, as the CLI registers them; these are the
// built packages (turbo builds them before the tests run).
const ADAPTERS = [
  new URL('../../providers-openai/dist/index.js', import.meta.url).href,
  new URL('../../providers-mock/dist/index.js', import.meta.url).href,
];

let resolved: ResolvedTargets | undefined;
afterEach(async () => {
  await resolved?.close();
  resolved = undefined;
});

async function simulatorTargets(mock: Record<string, unknown>) {
  const registry = await ExtensionRegistry.fromModules(ADAPTERS);
  resolved = await createTargets(
    [{ name: 'sim', type: 'mock', models: ['mock-model'], api: 'chat', mock }],
    registry,
  );
  return { registry, targets: resolved.targets };
}

const scenario = (overrides: Partial<ScenarioPlan> = {}): ScenarioPlan => ({
  name: 'w',
  prompt: 'hi',
  requests: 40,
  concurrency: 8,
  warmup: 4,
  stream: true,
  ...overrides,
});

describe('worker threads', () => {
  it('share the load, and the merged histograms equal one aggregator of the same records', async () => {
    const { registry, targets } = await simulatorTargets({
      ttft_ms: 20,
      itl_ms: 5,
      output_tokens: 6,
      seed: 5,
    });
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      { targets, scenarios: [scenario()] },
      { registry, workers: 2, tokenizer: 'offline', onRecord: (r) => records.push(r) },
    );
    const group = summary.groups[0]!;
    expect(group.requests).toEqual({
      planned: 40,
      total: 40,
      succeeded: 40,
      failed: 0,
      warmup: 4,
      not_sent: 0,
    });
    expect(records).toHaveLength(44);
    expect(new Set(records.map((r) => r.requestId)).size).toBe(44);
    expect(summary.fidelity.workers).toBe(2);
    expect(summary.fidelity.threads.map((t) => t.thread)).toEqual(['worker-1', 'worker-2']);
    expect(group.tokens.output).toBe(40 * 6);

    // The reference: every record the workers sent back, in one aggregator on this thread.
    const reference = new Aggregator();
    for (const record of records) reference.add(record);
    const [expected] = reference.summarize({ complete: true, fidelity: group.fidelity });
    for (const metric of [...LATENCY_METRICS, ...RATE_METRICS]) {
      expect(group[metric], metric).toEqual(expected![metric]);
    }
    expect(group.tokens).toEqual(expected!.tokens);
    expect(group.throughput).toEqual(expected!.throughput);
  });

  it('stop on interrupt like one thread: in-flight requests cancelled after the grace, the rest not sent', async () => {
    const { registry, targets } = await simulatorTargets({
      ttft_ms: 30,
      itl_ms: 20,
      output_tokens: 40,
    });
    const stop = new AbortController();
    const records: RequestRecord[] = [];
    const summary = await runPlan(
      { targets, scenarios: [scenario({ requests: 200, warmup: 0, concurrency: 4 })] },
      {
        registry,
        workers: 2,
        signal: stop.signal,
        graceMs: 100,
        onRecord: (r) => {
          records.push(r);
          // The first wave has ended and the second is mid-stream (each lasts ~830 ms).
          if (records.length === 4) setTimeout(() => stop.abort(), 200);
        },
      },
    );
    const group = summary.groups[0]!;
    expect(summary.complete).toBe(false);
    expect(group.complete).toBe(false);
    expect(group.requests.total).toBe(records.length);
    expect(group.requests.not_sent).toBe(200 - records.length);
    expect(group.errors.cancelled).toBe(4);
    expect(records.filter((r) => r.errorClass === 'cancelled')).toHaveLength(4);
  });

  it('refuse targets that cannot be rebuilt in another thread', async () => {
    const { targets } = await simulatorTargets({});
    const { portable: _, ...bare } = targets[0]!;
    await expect(
      runPlan({ targets: [bare], scenarios: [scenario({ requests: 2 })] }, { workers: 2 }),
    ).rejects.toThrow(/cannot be rebuilt in a worker thread/);
  });
});
