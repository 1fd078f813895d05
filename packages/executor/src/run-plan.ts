import { channel } from 'node:diagnostics_channel';
import { availableParallelism } from 'node:os';
import {
  createWallClockAnchor,
  EventLoopMonitor,
  type EventLoopSnapshot,
  type RequestRecord,
  type WallClockAnchor,
} from '@llm-lens/core-timing';
import {
  Aggregator,
  analyzeRepeats,
  analyzeSweep,
  buildFidelity,
  buildRunSummary,
  DEFAULT_CLIENT_BOUND_P99_MS,
  type FidelityCalibration,
  type GroupSummary,
  type RecordSink,
  type ResilienceSummary,
  type RunSummary,
  type SloTargets,
  type SweepReport,
} from '@llm-lens/metrics';
import { ExecutorError } from './executor-error.js';
import type { LoadPattern } from './load/load-pattern.js';
import { pairShapes, runPair } from './pair-runner.js';
import { type PairTracker, type ProgressEvent, PairTracker as Tracker } from './pair-tracker.js';
import {
  type BenchmarkPlan,
  type BenchmarkTarget,
  plannedRequests,
  requestTimeouts,
  type ScenarioPlan,
} from './plan.js';
import { preloadForRun, type TokenizerChoice } from './preload.js';
import { ExtensionRegistry } from './registry.js';
import { assertBudgetEnforceable, BudgetGuard } from './resilience/budget-guard.js';
import { mergeResilienceSummaries, RunGuards } from './resilience/provider-guards.js';
import { SaturationGuard, type SaturationGuardOptions } from './saturation-guard.js';
import { SinkWriter } from './sink-writer.js';
import type { TokenCountCache } from './token-count-cache.js';
import { WorkerPool } from './worker-pool.js';

export type { ProgressEvent };

export interface RunOptions {
  /** Called at most every `progressIntervalMs` and once when each pair ends. */
  onProgress?: (event: ProgressEvent) => void;
  /** Called once per finished request (warm-up included), in completion order. */
  onRecord?: (record: RequestRecord) => void;
  /** Where records are streamed as requests finish (backpressure honoured); closed at the end. */
  sinks?: readonly RecordSink[];
  /** Aborting stops dispatching; in-flight requests get `graceMs` to finish. */
  signal?: AbortSignal;
  /** Aborting cancels in-flight requests at once. */
  cancelSignal?: AbortSignal;
  /** Grace period for in-flight requests after `signal` aborts, ms. Default 10 000. */
  graceMs?: number;
  /** Progress throttle, ms. Default 200. */
  progressIntervalMs?: number;
  /** Event-loop delay p99 above which the run is flagged client_bound, ms. Default 5. */
  clientBoundP99Ms?: number;
  /**
   * Token counts when the server reports none: `auto` (gpt-tokenizer, loaded before the run
   * for models with a streaming scenario, on first need for the others), `offline` (every
   * model's vocabulary loaded before the run), `none` (count events), or a counter per model
   * (single-thread runs only). Default `none`.
   */
  tokenizer?: TokenizerChoice;
  /**
   * Threads that generate load: 1 runs everything on this thread; N > 1 starts N worker
   * threads, each with a share of every pair's load and its own connection pools; `auto`
   * picks from the cores and the planned concurrency (see README). Default 1.
   */
  workers?: number | 'auto';
  /** Load patterns by type, and the modules worker threads import. Default: the built-in patterns. */
  registry?: ExtensionRegistry;
  /** Credentials to mask in error messages. */
  secrets?: readonly string[];
  /**
   * Per-request bounds, ms (`ttft_ms`, `tpot_ms`, `e2e_ms`, `ttft_from_schedule_ms`,
   * `e2e_from_schedule_ms`): each group's `goodput` counts the requests within all of them.
   */
  slo?: SloTargets;
  /** This machine's measured client error (`llm-lens calibrate`), carried into the summary. */
  calibration?: FidelityCalibration;
  /** Labels for the summary's `run` block. */
  meta?: { toolVersion?: string; configHash?: string; runId?: string };
  /**
   * Splits each pair's measured requests into this many rounds and runs the rounds in
   * turn (pair 1, pair 2, ..., then pair 1 again), so drift over time (a provider's load
   * through the day, this machine's) falls on every pair alike: what `compare` does.
   * Warm-ups run in each pair's first round. Default 1: each pair runs to the end, in order.
   * One thread only.
   */
  interleaveRounds?: number;
  /**
   * A budget, USD (`--max-cost`): dispatching stops before the estimated spend would pass it
   * (each request reserves its worst case, replaced by its real cost when it ends). Every
   * target needs a price and every scenario `maxTokens`, or the run is refused. Split evenly
   * across worker threads. Default: none.
   */
  maxCostUsd?: number;
  /**
   * Runs the whole plan this many times, one after another, and reports each group
   * statistic across the runs (`RunSummary.repeats`: values, mean, spread, 95 % confidence
   * interval); `groups` pools every run's requests. Records carry `repeat`. The budget and
   * the resilience policies span all the runs. Default 1.
   */
  repeat?: number;
  /**
   * Stop a pair's measured phase early when it is past saturation: its error rate stayed
   * high, or its latency from the schedule kept rising window after window (see
   * `SaturationGuard`); the group's `stopped_early` says which. `true`: the defaults.
   * Default: off.
   */
  saturationGuard?: SaturationGuardOptions | true;
}

/** Requests of a group below which its schedule lag does not decide the fidelity verdict. */
export const MIN_SCHEDULE_LAG_SAMPLES = 50;

/**
 * Publishes `{ event: 'start' | 'end', ns }` when the measured part of a run (the first
 * dispatch, warm-up included, to the last response) begins and ends, for tools that check
 * what a process did meanwhile (the project's test that nothing is loaded mid-run).
 */
export const RUN_CHANNEL = 'llm-lens:run';
const runChannel = channel(RUN_CHANNEL);

/** One provider/model × scenario pair with its load pattern. */
interface Pair {
  target: BenchmarkTarget;
  scenario: ScenarioPlan;
  pattern: LoadPattern;
}

/** Runs every scenario against every target and returns the run summary. */
export async function runPlan(plan: BenchmarkPlan, options: RunOptions = {}): Promise<RunSummary> {
  const registry = options.registry ?? new ExtensionRegistry();
  const pairs = planPairs(plan, registry);
  const maxConcurrency = Math.max(
    1,
    ...plan.scenarios.map((s) => scenarioMaxInFlight(s, registry)),
  );
  const workers = resolveWorkers(options.workers ?? 1, maxConcurrency);
  const rounds = options.interleaveRounds ?? 1;
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `interleaveRounds must be a whole number >= 1, got ${rounds}`,
    );
  }
  if (rounds > 1 && workers > 1) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `interleaved rounds run on one thread; got ${workers} workers (use workers: 1)`,
    );
  }
  if (options.maxCostUsd !== undefined) {
    assertBudgetEnforceable(
      options.maxCostUsd,
      pairs.map((pair) => pair.target),
      plan.scenarios,
    );
    // Built once here, so a budget the guard refuses is refused before anything starts.
    new BudgetGuard({ maxCostUsd: options.maxCostUsd });
  }
  // Refused before anything is sent, like every other option.
  if (typeof options.saturationGuard === 'object') new SaturationGuard(options.saturationGuard);
  const repeats = options.repeat ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `repeat must be a whole number >= 1, got ${String(repeats)}`,
    );
  }
  const anchor = createWallClockAnchor();
  const startedAt = new Date(anchor.wallMs).toISOString();
  const newAggregator = (runs: number) => {
    const created = new Aggregator({ slo: options.slo });
    // Every pair is in the summary, even one an interrupt kept from starting (all not sent).
    for (const { target, scenario } of pairs) {
      created.notePlanned(
        target.provider.name,
        target.model,
        scenario.name,
        Number.isFinite(scenario.requests)
          ? runs * plannedRequests(scenario, scenario.requests, scenario.warmup)
          : null,
      );
    }
    return created;
  };
  // With repeats, each run has its own aggregator (its statistics) and the pooled one adds
  // them all up (the summary's groups).
  const aggregator = newAggregator(repeats);
  const repeatAggregators: Aggregator[] = [];
  const sinks = new SinkWriter(options.sinks ?? []);

  const stop = new AbortController();
  const cancel = new AbortController();
  const graceMs = options.graceMs ?? 10_000;
  let graceTimer: NodeJS.Timeout | undefined;
  const onStop = () => {
    stop.abort();
    graceTimer = setTimeout(() => cancel.abort(), graceMs);
    graceTimer.unref();
  };
  const onCancel = () => {
    stop.abort();
    cancel.abort();
  };
  if (options.signal?.aborted) onStop();
  else options.signal?.addEventListener('abort', onStop, { once: true });
  if (options.cancelSignal?.aborted) onCancel();
  else options.cancelSignal?.addEventListener('abort', onCancel, { once: true });

  let complete = true;
  const threads: Array<{ thread: string; snapshot: EventLoopSnapshot }> = [];
  const resilienceOfRuns: Array<ResilienceSummary | null> = [];
  try {
    const context: RunContext = {
      pairs,
      options,
      anchor,
      aggregator,
      sinks,
      stop: stop.signal,
      cancel: cancel.signal,
      registry,
      onBudgetStop: () => stop.abort(),
      guards: new RunGuards({ maxCostUsd: options.maxCostUsd }),
      budgetSpentUsd: 0,
    };
    for (let run = 1; run <= repeats; run++) {
      if (run > 1 && stop.signal.aborted) {
        complete = false;
        break;
      }
      if (repeats > 1) {
        const repeatAggregator = newAggregator(1);
        repeatAggregators.push(repeatAggregator);
        context.aggregator = repeatAggregator;
        context.pooled = aggregator;
        context.repeat = { index: run, count: repeats };
      }
      const outcome =
        workers === 1 ? await runOnThisThread(context) : await runOnWorkers(context, workers);
      complete &&= outcome.complete;
      const prefix = repeats > 1 ? `repeat-${run}/` : '';
      for (const t of outcome.threads) threads.push({ ...t, thread: `${prefix}${t.thread}` });
      resilienceOfRuns.push(outcome.resilience);
      if (repeats > 1) aggregator.mergeEncoded(context.aggregator.encodeGroups());
    }
  } finally {
    if (graceTimer) clearTimeout(graceTimer);
    options.signal?.removeEventListener('abort', onStop);
    options.cancelSignal?.removeEventListener('abort', onCancel);
    await sinks.close();
  }
  // One thread's policies span the repeats and report once; worker threads start afresh
  // each run, and their reports add up.
  const resilience =
    workers === 1
      ? (resilienceOfRuns.at(-1) ?? null)
      : mergeResilienceSummaries(resilienceOfRuns, { acrossRuns: true });
  const timeouts = pairs
    .map(({ target, scenario }) => requestTimeouts(target, scenario).totalMs)
    .filter((ms): ms is number => ms !== undefined);
  // The client fell behind an open loop's schedule when its own lateness in sending (not
  // waits for a slot) was, for 1 % of a group's requests, more than the event-loop verdict
  // tolerates; judged on groups with enough requests for a p99 to mean something.
  const scheduled = new Set(
    pairs
      .filter((pair) => pair.pattern.schedulesArrivals === true)
      .map(({ target, scenario }) =>
        JSON.stringify([target.provider.name, target.model, scenario.name]),
      ),
  );
  const lagP99Ms = aggregator.highestGroupPercentile('schedule_lag', 99, {
    include: (provider, model, scenario) =>
      scheduled.has(JSON.stringify([provider, model, scenario])),
    minSamples: MIN_SCHEDULE_LAG_SAMPLES,
  });
  const isBehindSchedule =
    lagP99Ms !== null && lagP99Ms > (options.clientBoundP99Ms ?? DEFAULT_CLIENT_BOUND_P99_MS);
  const fidelity = buildFidelity(threads, {
    ...(options.clientBoundP99Ms === undefined ? {} : { thresholdP99Ms: options.clientBoundP99Ms }),
    isBehindSchedule,
    scheduleLagP99Ms: lagP99Ms,
    ttftP50Ms: aggregator.lowestGroupPercentile('ttft', 50),
    ...(timeouts.length === 0 ? {} : { requestTimeoutMs: Math.min(...timeouts) }),
    workers,
    ...(options.calibration === undefined ? {} : { calibration: options.calibration }),
  });
  const groups = aggregator.summarize({ complete, fidelity });
  const repeatReport =
    repeats > 1
      ? analyzeRepeats(repeatAggregators.map((a) => a.summarize({ complete, fidelity })))
      : null;
  return buildRunSummary({
    ...(options.meta?.runId === undefined ? {} : { runId: options.meta.runId }),
    toolVersion: options.meta?.toolVersion ?? 'unknown',
    configHash: options.meta?.configHash ?? '',
    startedAt,
    endedAt: new Date().toISOString(),
    nodeVersion: process.version,
    cpuCount: availableParallelism(),
    platform: `${process.platform}-${process.arch}`,
    complete,
    fidelity,
    groups,
    sweeps: sweepReports(pairs, groups),
    resilience,
    repeats: repeatReport,
  });
}

/** Each swept scenario × target, its levels in plan order, read as one curve. */
function sweepReports(pairs: readonly Pair[], groups: readonly GroupSummary[]): SweepReport[] {
  const curves = new Map<
    string,
    { pair: Pair; levels: Array<{ value: number; group: GroupSummary }> }
  >();
  for (const pair of pairs) {
    const sweep = pair.scenario.sweep;
    if (sweep === undefined) continue;
    const { provider, model } = pair.target;
    const group = groups.find(
      (g) => g.provider === provider.name && g.model === model && g.scenario === pair.scenario.name,
    );
    if (group === undefined || group.requests.total === 0) continue;
    const key = JSON.stringify([provider.name, model, sweep.of]);
    const curve = curves.get(key) ?? { pair, levels: [] };
    curve.levels.push({ value: sweep.value, group });
    curves.set(key, curve);
  }
  return [...curves.values()].map(({ pair, levels }) =>
    analyzeSweep(
      {
        provider: pair.target.provider.name,
        model: pair.target.model,
        scenario: pair.scenario.sweep!.of,
        parameter: pair.scenario.sweep!.parameter,
      },
      levels,
      pair.scenario.sweep!.thresholds,
    ),
  );
}

/**
 * The most requests a scenario can have in flight at once, by its load pattern
 * (`Infinity` for an open loop without `max_in_flight`): what sizes connection pools.
 */
export function scenarioMaxInFlight(
  scenario: Pick<ScenarioPlan, 'concurrency' | 'requests' | 'load' | 'durationMs' | 'cooldownMs'>,
  registry: ExtensionRegistry = new ExtensionRegistry(),
): number {
  const pattern = registry.loadPattern(scenario.load?.type ?? 'closed');
  const shape = pairShapes(scenario as ScenarioPlan).measure;
  const measured = pattern.maxInFlight?.(shape) ?? shape.concurrency;
  // The warm-up is a closed loop at the scenario's concurrency; a cool-down runs the
  // pattern a second time while the measured phase's last requests are still in flight.
  const cooldown = scenario.cooldownMs !== undefined && scenario.cooldownMs > 0 ? 2 : 1;
  return Math.max(measured * cooldown, scenario.concurrency);
}

/**
 * The number of load threads for `auto`: one per 128 planned in-flight streams (what one
 * thread stamps well within a millisecond), at most one fewer than the cores, so the main
 * thread and the OS keep one; 1 on a machine with two cores or fewer.
 */
export function autoWorkers(maxConcurrency: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores - 1, Math.ceil(maxConcurrency / 128)));
}

function resolveWorkers(workers: number | 'auto', maxConcurrency: number): number {
  if (workers === 'auto') return autoWorkers(maxConcurrency);
  if (!Number.isInteger(workers) || workers < 1) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `workers must be a positive integer or "auto", got ${String(workers)}`,
    );
  }
  return workers;
}

function planPairs(plan: BenchmarkPlan, registry: ExtensionRegistry): Pair[] {
  const pairs: Pair[] = [];
  for (const scenario of plan.scenarios) {
    const pattern = registry.loadPattern(scenario.load?.type ?? 'closed');
    for (const target of plan.targets) {
      if (scenario.providers && !scenario.providers.includes(target.provider.name)) continue;
      pairs.push({ target, scenario, pattern });
    }
  }
  return pairs;
}

/** One stretch of a pair's requests: the whole pair, or one round of it when interleaving. */
interface Segment {
  pair: Pair;
  index: number;
  scenario: ScenarioPlan;
}

/**
 * The order pairs run in. With `rounds` > 1, each pair's measured requests are split as
 * evenly as possible over the rounds (earlier rounds take the remainder), its warm-up goes
 * in its first round, and each round starts one pair later than the previous one, so no
 * pair always runs right after another.
 */
function* interleavedSegments(pairs: readonly Pair[], rounds: number): Generator<Segment> {
  if (rounds <= 1) {
    for (const [index, pair] of pairs.entries()) yield { pair, index, scenario: pair.scenario };
    return;
  }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < pairs.length; k++) {
      const index = (round + k) % pairs.length;
      const pair = pairs[index]!;
      const total = pair.scenario.requests;
      const requests = Math.floor(total / rounds) + (round < total % rounds ? 1 : 0);
      const warmup = round === 0 ? pair.scenario.warmup : 0;
      if (requests === 0 && warmup === 0) continue;
      const scenario: ScenarioPlan = { ...pair.scenario, requests, warmup };
      if (round > 0) delete scenario.warmupDurationMs;
      yield { pair, index, scenario };
    }
  }
}

interface RunContext {
  pairs: Pair[];
  options: RunOptions;
  anchor: WallClockAnchor;
  aggregator: Aggregator;
  sinks: SinkWriter;
  stop: AbortSignal;
  cancel: AbortSignal;
  registry: ExtensionRegistry;
  /** The budget refused a request: dispatching stops, requests in flight finish. */
  onBudgetStop: () => void;
  /** The budget stop is in a group's `stopped_early` already. */
  budgetNoted?: boolean;
  /** This thread's policies, kept across repeats. */
  guards: RunGuards;
  /** What worker threads of earlier repeats spent, USD (their budget is what is left). */
  budgetSpentUsd: number;
  /** With repeats: which run this is, and the aggregator that pools every run. */
  repeat?: { index: number; count: number };
  pooled?: Aggregator;
}

interface RunOutcome {
  complete: boolean;
  threads: Array<{ thread: string; snapshot: EventLoopSnapshot }>;
  resilience: ResilienceSummary | null;
}

/** A tracker that feeds the aggregator's notes, the record callback and the sinks. */
function trackPair(
  context: RunContext,
  pair: Pair,
  index: number,
  onEarlyStop: () => void,
): PairTracker {
  const { target, scenario } = pair;
  const name = target.provider.name;
  const { aggregator, options, sinks } = context;
  return new Tracker({
    provider: name,
    model: target.model,
    scenario: scenario.name,
    pairIndex: index + 1,
    pairCount: context.pairs.length,
    repeat: context.repeat,
    warmupPlanned:
      scenario.warmupDurationMs !== undefined && scenario.warmup === 0
        ? Number.POSITIVE_INFINITY
        : plannedRequests(scenario, scenario.warmup),
    measurePlanned: plannedRequests(scenario, scenario.requests, scenario.warmup),
    measureDurationS: scenario.durationMs === undefined ? undefined : scenario.durationMs / 1000,
    onProgress: options.onProgress,
    progressIntervalMs: options.progressIntervalMs ?? 200,
    onRecord: (record) => {
      if (context.repeat !== undefined) record.repeat = context.repeat.index;
      options.onRecord?.(record);
      sinks.write(record);
    },
    onEarlyStop: (reason) => {
      aggregator.noteStoppedEarly(name, target.model, scenario.name, reason);
      context.pooled?.noteStoppedEarly(name, target.model, scenario.name, reason);
      onEarlyStop();
    },
    isStopping: () => context.stop.aborted,
    saturationGuard: options.saturationGuard === true ? {} : options.saturationGuard,
  });
}

/** A pair the budget stopped says so in its group (once: the later pairs never start). */
function noteBudgetStop(context: RunContext, pair: Pair, message: string | undefined): void {
  if (message === undefined || context.budgetNoted) return;
  context.budgetNoted = true;
  for (const aggregator of [context.aggregator, context.pooled]) {
    aggregator?.noteStoppedEarly(
      pair.target.provider.name,
      pair.target.model,
      pair.scenario.name,
      `budget: ${message}`,
    );
  }
}

async function runOnThisThread(context: RunContext): Promise<RunOutcome> {
  const { pairs, options, aggregator } = context;
  const counters = await preloadForRun(
    pairs.map((p) => p.target.model),
    options.tokenizer ?? 'none',
    pairs.filter((p) => p.scenario.stream).map((p) => p.target.model),
  );
  const closedLoop = context.registry.loadPattern('closed');
  // Warm-ups are left out of the fidelity figures, as their records are of the statistics.
  const monitor = new EventLoopMonitor();
  runChannel.publish({ event: 'start', ns: process.hrtime.bigint() });
  let complete = true;
  const { guards } = context;
  const stoppedPairs = new Set<Pair>();
  // Each pair walks its prompt set once, across warm-up, measured phase and rounds.
  const promptIndexes = new Map<Pair, number>();
  try {
    for (const { pair, index, scenario } of interleavedSegments(
      pairs,
      options.interleaveRounds ?? 1,
    )) {
      if (context.stop.aborted) {
        complete = false;
        break;
      }
      if (stoppedPairs.has(pair)) continue;
      const pairStop = new AbortController();
      const tracker = trackPair(context, pair, index, () => {
        stoppedPairs.add(pair);
        pairStop.abort();
      });
      const shapes = pairShapes(scenario);
      try {
        await runPair(
          {
            target: pair.target,
            scenario,
            pattern: pair.pattern,
            warmup: shapes.warmup.requests > 0 ? shapes.warmup : undefined,
            measure: shapes.measure,
            anchor: context.anchor,
            stopSignal: AbortSignal.any([context.stop, pairStop.signal]),
            cancelSignal: context.cancel,
            tokenCounter: counters.get(pair.target.model) as TokenCountCache | undefined,
            nextPromptIndex: () => {
              const index = promptIndexes.get(pair) ?? 0;
              promptIndexes.set(pair, index + 1);
              return index;
            },
            secrets: options.secrets ?? [],
            aggregate: (record) => aggregator.beginAdd(record),
            onRecord: (record) => tracker.accept(record),
            onMeasuredPhase: (state) => (state === 'start' ? monitor.start() : monitor.stop()),
            guards,
            onBudgetStop: context.onBudgetStop,
          },
          closedLoop,
        );
      } finally {
        tracker.finish();
      }
      noteBudgetStop(context, pair, guards.budget?.report().stopped_by_budget?.message);
      // Requests cut short by an interrupt still finish (as `cancelled`): the pair is partial.
      if (context.stop.aborted) complete = false;
    }
  } finally {
    runChannel.publish({ event: 'end', ns: process.hrtime.bigint() });
    monitor.stop();
  }
  return {
    complete,
    threads: [{ thread: 'main', snapshot: monitor.snapshot() }],
    resilience: guards.report(context.anchor, process.hrtime.bigint()),
  };
}

async function runOnWorkers(context: RunContext, workers: number): Promise<RunOutcome> {
  const { pairs, options, aggregator } = context;
  if (options.maxCostUsd !== undefined && options.maxCostUsd - context.budgetSpentUsd <= 1e-9) {
    // Earlier repeats spent the budget: this one sends nothing.
    context.onBudgetStop();
    return { complete: false, threads: [], resilience: null };
  }
  if (typeof options.tokenizer === 'function') {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      'a tokenizer function cannot be sent to worker threads; use tokenizer: "auto", "offline" or "none" with workers > 1',
    );
  }
  const pool = await WorkerPool.start(workers, {
    moduleUrls: [...context.registry.moduleUrls],
    inMemoryExtensions: [...context.registry.inMemoryExtensions],
    pairs: pairs.map((pair) => ({
      target: pair.target,
      scenario: pair.scenario,
    })),
    tokenizer: options.tokenizer ?? 'none',
    anchor: context.anchor,
    secrets: [...(options.secrets ?? [])],
    slo: options.slo,
    ...(options.maxCostUsd === undefined
      ? {}
      : { maxCostUsd: options.maxCostUsd - context.budgetSpentUsd }),
  });
  const onStop = () => pool.stop();
  const onCancel = () => pool.cancel();
  let budgetStop: string | undefined;
  pool.onBudgetStop = (message) => {
    budgetStop ??= message;
    context.onBudgetStop();
  };
  context.stop.addEventListener('abort', onStop, { once: true });
  context.cancel.addEventListener('abort', onCancel, { once: true });
  runChannel.publish({ event: 'start', ns: process.hrtime.bigint() });
  let complete = true;
  try {
    for (const [index, pair] of pairs.entries()) {
      if (context.stop.aborted) {
        complete = false;
        break;
      }
      const tracker = trackPair(context, pair, index, () => pool.stopPair());
      try {
        await pool.runPair(index, (records) => {
          for (const record of records) tracker.accept(record);
        });
      } finally {
        tracker.finish();
      }
      noteBudgetStop(context, pair, budgetStop);
      if (context.stop.aborted) complete = false;
    }
  } catch (error) {
    await pool.terminate();
    throw error;
  } finally {
    runChannel.publish({ event: 'end', ns: process.hrtime.bigint() });
    context.stop.removeEventListener('abort', onStop);
    context.cancel.removeEventListener('abort', onCancel);
  }
  const results = await pool.finish();
  for (const result of results) aggregator.mergeEncoded(result.aggregator);
  const resilience = mergeResilienceSummaries(results.map((result) => result.resilience));
  context.budgetSpentUsd += resilience?.budget?.spent_usd ?? 0;
  return {
    resilience,
    complete,
    threads: results.map((result, i) => ({
      thread: `worker-${i + 1}`,
      snapshot: result.eventLoop,
    })),
  };
}
