// The largest wave concurrency the full llm-lens path keeps within a chunk-gap p99 error of
// 1 ms with worker threads (runPlan's `workers`). Run by run-bench.mjs in a process of its
// own so its threads can use every core (see `clientPlacement` in the output), or alone:
//   node workers-search.mjs '{"workers":2,"grid":[64,128],"fullSweep":true}'
// ("simulatorCore":0 pins the simulator; without "fullSweep" it stops at the first miss).
// It prints progress on stderr and its result as one JSON line on stdout.
import { fileURLToPath } from 'node:url';
import { disableAllocationSitePretenuring } from '@llm-lens/executor';
import {
  cliRegistry,
  measureLens,
  measureWhenQuiet,
  QUIET,
  waveScenario,
} from './wave-fidelity.mjs';

export const WORKERS_GRID = [64, 128, 256, 512, 1024];
export const MAX_GAP_P99_MS = 1;

/**
 * One wave run of the full llm-lens path (CLI settings, `workers` threads) at each
 * concurrency of `grid`, ascending, stopping after the first that misses unless
 * `fullSweep`. `largestPassing` is the largest C up to which every step kept the chunk-gap
 * p99 error ≤ MAX_GAP_P99_MS (null when the first did not).
 */
export async function runWorkersSearch({
  workers = 2,
  grid = WORKERS_GRID,
  simulatorCore,
  quiet = QUIET,
  fullSweep = false,
  log = () => {},
}) {
  const registry = await cliRegistry();
  const steps = [];
  let largestPassing = null;
  let isUnbroken = true;
  for (const concurrency of [...grid].sort((a, b) => a - b)) {
    const scenario = waveScenario(concurrency);
    log(`running wave-workers C=${concurrency} ITL ${scenario.itlMs} ms, ${workers} workers ...`);
    const result = await measureWhenQuiet(
      () => measureLens(scenario, { simulatorCore, registry, workers }),
      quiet,
      log,
    );
    const gapP99 = result.chunkGapError?.p99 ?? Number.POSITIVE_INFINITY;
    const passed = gapP99 <= MAX_GAP_P99_MS && result.failed === 0;
    if (passed && isUnbroken) largestPassing = concurrency;
    if (!passed) isUnbroken = false;
    steps.push({ concurrency, itlMs: scenario.itlMs, passed, ...result });
    if (!passed && !fullSweep) break;
  }
  return { workers, maxGapP99Ms: MAX_GAP_P99_MS, largestPassing, steps };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  disableAllocationSitePretenuring();
  const options = JSON.parse(process.argv[2] ?? '{}');
  const result = await runWorkersSearch({
    ...options,
    simulatorCore: options.simulatorCore ?? undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
