// A worker thread that generates load: it builds its own adapters and connection pools from
// the providers' settings, runs its share of each pair when told, aggregates its records
// and streams them to the main thread in small batches.
import { parentPort, workerData } from 'node:worker_threads';
import { EventLoopMonitor, type RequestRecord } from '@llm-lens/core-timing';
import { Aggregator } from '@llm-lens/metrics';
import { pairShapes, runPair } from './pair-runner.js';
import { preloadForRun } from './preload.js';
import { ExtensionRegistry } from './registry.js';
import { RunGuards } from './resilience/provider-guards.js';
import { createTargets } from './targets.js';
import type { MainToWorker, WorkerInit, WorkerToMain } from './worker-protocol.js';

/** How often batched records are posted to the main thread, ms. */
const FLUSH_INTERVAL_MS = 5;

const init = workerData as WorkerInit;
const port = parentPort!;
const send = (message: WorkerToMain) => port.postMessage(message);

async function main(): Promise<void> {
  const registry = await ExtensionRegistry.fromModules(init.moduleUrls);
  const resolved = await createTargets(init.providers, registry);
  const targetOf = (provider: string, model: string) => {
    const target = resolved.targets.find((t) => t.provider.name === provider && t.model === model);
    if (target === undefined) throw new Error(`no target ${provider}/${model} in this worker`);
    return target;
  };
  const counters = await preloadForRun(
    init.pairs.map((p) => p.model),
    init.tokenizer,
    init.pairs.filter((p) => p.scenario.stream).map((p) => p.model),
  );
  const closedLoop = registry.loadPattern('closed');
  const aggregator = new Aggregator({ slo: init.slo });
  const guards = new RunGuards({
    maxCostUsd: init.maxCostUsd,
    index: init.index,
    count: init.count,
  });
  let isBudgetStopSent = false;
  const monitor = new EventLoopMonitor();
  const stop = new AbortController();
  const cancel = new AbortController();
  let pairStop = new AbortController();
  let batch: RequestRecord[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    send({ type: 'records', records: batch });
    batch = [];
  };
  const flusher = setInterval(flush, FLUSH_INTERVAL_MS);

  const runOne = async (pairIndex: number, startAtNs: bigint) => {
    const pair = init.pairs[pairIndex]!;
    const target = { ...targetOf(pair.provider, pair.model) };
    if (pair.extraBody !== undefined) target.extraBody = pair.extraBody;
    if (pair.timeouts !== undefined) target.timeouts = pair.timeouts;
    if (pair.price === undefined) delete target.price;
    else target.price = pair.price;
    if (pair.resilience === undefined) delete target.resilience;
    else target.resilience = pair.resilience;
    const pattern = registry.loadPattern(pair.scenario.load?.type ?? 'closed');
    const shapes = pairShapes(pair.scenario);
    pairStop = new AbortController();
    let promptIndex = 0;
    await runPair(
      {
        target,
        scenario: pair.scenario,
        pattern,
        warmup:
          shapes.warmup.requests > 0
            ? closedLoop.shard(shapes.warmup, init.index, init.count)
            : undefined,
        measure: pattern.shard(shapes.measure, init.index, init.count),
        anchor: init.anchor,
        startAtNs,
        stopSignal: AbortSignal.any([stop.signal, pairStop.signal]),
        cancelSignal: cancel.signal,
        tokenCounter: counters.get(pair.model),
        // Thread i of n takes prompts i, i + n, i + 2n, ...: no two threads send the same one.
        nextPromptIndex: () => promptIndex++ * init.count + init.index,
        secrets: [...init.secrets, ...resolved.secrets],
        aggregate: (record) => aggregator.beginAdd(record),
        onRecord: (record) => {
          batch.push(record);
        },
        // Warm-ups are left out of the fidelity figures, as on the main thread.
        onMeasuredPhase: (state) => (state === 'start' ? monitor.start() : monitor.stop()),
        guards,
        // This thread's part of the budget ran out: it stops, and the main thread stops the rest.
        onBudgetStop: () => {
          stop.abort();
          if (isBudgetStopSent) return;
          isBudgetStopSent = true;
          const message = guards.budget?.report().stopped_by_budget?.message ?? 'budget reached';
          send({ type: 'budget-stop', message });
        },
      },
      closedLoop,
    );
    flush();
    send({ type: 'pair-done', pairIndex });
  };

  port.on('message', (message: MainToWorker) => {
    switch (message.type) {
      case 'pair':
        runOne(message.pairIndex, message.startNs).catch(fail);
        return;
      case 'stop-pair':
        pairStop.abort();
        return;
      case 'stop':
        stop.abort();
        return;
      case 'cancel':
        stop.abort();
        cancel.abort();
        return;
      case 'finish':
        monitor.stop();
        clearInterval(flusher);
        flush();
        resolved
          .close()
          .catch(() => {})
          .finally(() => {
            send({
              type: 'finished',
              aggregator: aggregator.encodeGroups(),
              eventLoop: monitor.snapshot(),
              resilience: guards.report(init.anchor, process.hrtime.bigint()),
            });
          });
        return;
    }
  });
  send({ type: 'ready' });
}

function fail(error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  send({ type: 'failed', message: err.message, stack: err.stack });
}

main().catch(fail);
