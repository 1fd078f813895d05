import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { ExecutorError } from './executor-error.js';

/**
 * Turns off V8's allocation-site pretenuring in this process, for a process whose job is to
 * generate load.
 *
 * V8 watches each object-literal site and, when nearly every object from it is still alive
 * at a young-generation GC, allocates that site's objects straight into the old generation
 * from then on. A load generator fools that heuristic: with dozens of requests in flight,
 * the objects some sites allocate per request can all be alive at the moment of one GC
 * (`--trace-pretenuring-statistics` showed six sites tenured at 100 % survival in a
 * non-streaming run), and from then on those short-lived objects fill the old generation
 * and are freed only by full mark-compacts.
 * Non-streaming at 64 in flight this costs about 15 % of the client's CPU per request
 * (see "Garbage collection" in the package README). The CLI calls this at startup; a
 * library user whose process does little else but run benchmarks can do the same. It
 * changes a process-wide V8 setting, so a long-lived service embedding the executor should
 * decide for itself.
 */
export function disableAllocationSitePretenuring(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}

/** The old generation's growth {@link limitHeapGrowth} allows by default, percent. */
export const DEFAULT_HEAP_GROWING_PERCENT = 20;

/**
 * Lets the old generation grow to at most `percent` % above what the last full garbage
 * collection kept alive (default {@link DEFAULT_HEAP_GROWING_PERCENT}), instead of the
 * factor V8 picks from its GC and allocation speeds (up to 4 × when it judges the process
 * busy, which a load generator always is).
 *
 * A load generator turns over a million short-lived requests in an hour; the few that are
 * still alive at two young-generation collections in a row are copied into the old
 * generation, where they die at once, and V8 lets that garbage pile up to a multiple of the
 * live heap before a full collection. Measured (CLI, non-streaming, 64 in flight, 300,000
 * requests, see "Memory" in the package README): peak RSS 200–345 MB with V8's factor,
 * 150–185 MB at 20 %, with about three times as many full collections (each a pause of
 * 5–15 ms here, as before, just more often). Process-wide and read at every full collection,
 * so it takes effect whenever it is called; like {@link disableAllocationSitePretenuring},
 * for processes that exist to run benchmarks.
 */
export function limitHeapGrowth(percent: number = DEFAULT_HEAP_GROWING_PERCENT): void {
  if (!Number.isInteger(percent) || percent < 1 || percent > 1000) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `limitHeapGrowth: percent must be a whole number from 1 to 1000, got ${String(percent)}`,
    );
  }
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * Keeps WebAssembly code on V8's baseline compiler (Liftoff): hot functions are not
 * recompiled by the optimizing compiler (TurboFan) in the background.
 *
 * The WebAssembly here is undici's HTTP/1.1 parser. Its functions become hot in the first
 * seconds of a run, and their optimizing compilation then took 35 MB of native memory at
 * once for a moment (peak RSS 99 MB against 64 MB without it for one request through
 * undici; RSS 9 MB higher afterwards), on a background thread that shares the client's core
 * when the client is pinned. Measured client CPU per request was the same within this
 * machine's noise either way (the parser is a small part of a request). Must be called
 * before the parser is compiled (a thread's first HTTP connection) to have any effect.
 * Returns whether it takes effect in this process: true on Node 20 and 22 (V8 11, 12) or when
 * Node was started with `--liftoff-only`; false on Node 24 (V8 13) otherwise.
 */
export function keepWebAssemblyOnBaselineCompiler(): boolean {
  if (process.execArgv.includes('--liftoff-only')) return true;
  setFlagsFromString('--liftoff-only');
  // V8 13 (Node 24) reads its WebAssembly tiering flags once, when it starts: set at run time
  // the flag changes nothing there, and only `node --liftoff-only` keeps the parser on Liftoff.
  return Number(process.versions.v8.split('.')[0]) < FIRST_V8_READING_WASM_FLAGS_AT_START;
}

/** The first V8 major version whose WebAssembly tiering ignores flags set after start-up. */
export const FIRST_V8_READING_WASM_FLAGS_AT_START = 13;

/** The young generation {@link capYoungGeneration} allows by default, MB (two 8 MB halves). */
export const DEFAULT_YOUNG_GENERATION_MB = 16;

function newSpaceMb(): number {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return space === undefined ? 0 : space.space_size / 1_048_576;
}

/**
 * Stops V8's young generation from growing past `maxMb` (default
 * {@link DEFAULT_YOUNG_GENERATION_MB}, half of Node's 32), for a process that turns over
 * requests for hours.
 *
 * Under load V8 doubles the young generation step by step up to two 16 MB halves, all of it
 * resident: the largest single part of the CLI's memory in a long run (see "Memory" in the
 * package README). V8 reads its maximum only when the process starts (`node
 * --max-semi-space-size=8` does it there), but the factor it grows by is read at each
 * growth: after every garbage collection this checks the young generation's size and, once it
 * reached `maxMb`, sets that factor to 1, so it stays there. Measured at 1,000,000 requests:
 * see the README. Returns a function that stops watching (it stops by itself once capped).
 */
export function capYoungGeneration(maxMb: number = DEFAULT_YOUNG_GENERATION_MB): () => void {
  if (!Number.isInteger(maxMb) || maxMb < 2 || maxMb > 64) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `capYoungGeneration: maxMb must be a whole number from 2 to 64, got ${String(maxMb)}`,
    );
  }
  const freeze = () => setFlagsFromString('--semi-space-growth-factor=1');
  if (newSpaceMb() >= maxMb) {
    freeze();
    return () => {};
  }
  const observer = new PerformanceObserver(() => {
    if (newSpaceMb() < maxMb) return;
    freeze();
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
