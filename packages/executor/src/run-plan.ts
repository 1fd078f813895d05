import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import {
  createWallClockAnchor,
  DEFAULT_CLIENT_BOUND_P99_MS,
  EventLoopMonitor,
  isClientBound,
  now,
  type RequestRecord,
} from '@llm-lens/core-timing';
import { Aggregator, buildRunSummary, LatencyHistogram, type RunSummary } from '@llm-lens/metrics';
import {
  type BenchmarkPlan,
  type BenchmarkTarget,
  requestInput,
  requestTimeouts,
  type ScenarioPlan,
} from './plan.js';
import { executeRequest } from './request-runner.js';
import { type TextTokenCounter, TokenCountCache } from './token-count-cache.js';

/** A snapshot of a run in progress, for live displays. */
export interface ProgressEvent {
  provider: string;
  model: string;
  scenario: string;
  phase: 'warmup' | 'measure';
  /** Position of this provider/model/scenario pair among all pairs, 1-based. */
  pairIndex: number;
  pairCount: number;
  done: number;
  total: number;
  failed: number;
  elapsedS: number;
  requestsPerS: number;
  /** Median TTFT of the measured requests so far, milliseconds; null before the first. */
  p50TtftMs: number | null;
  /** Whether dispatching has been stopped by an interrupt. */
  stopping: boolean;
}

export interface RunOptions {
  /** Called at most every `progressIntervalMs` and once when each pair ends. */
  onProgress?: (event: ProgressEvent) => void;
  /** Called once per finished request (warm-up included), in completion order. */
  onRecord?: (record: RequestRecord) => void;
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
  /** Offline tokenizer per model (counts when the server reports none); undefined → event count. */
  tokenCounterFor?: (model: string) => TextTokenCounter | undefined;
  /** Labels for the summary's `run` block. */
  meta?: { toolVersion?: string; configHash?: string };
}

/** Runs every scenario against every target and returns the run summary. */
export async function runPlan(plan: BenchmarkPlan, options: RunOptions = {}): Promise<RunSummary> {
  const anchor = createWallClockAnchor();
  const startedAt = new Date(anchor.wallMs).toISOString();
  const aggregator = new Aggregator();
  const cancel = new AbortController();
  // Every in-flight request listens on this signal; thousands may be in flight.
  setMaxListeners(0, cancel.signal);
  const graceMs = options.graceMs ?? 10_000;
  let graceTimer: NodeJS.Timeout | undefined;
  const onStop = () => {
    graceTimer = setTimeout(() => cancel.abort(), graceMs);
    graceTimer.unref();
  };
  const onCancel = () => cancel.abort();
  if (options.signal?.aborted) onStop();
  else options.signal?.addEventListener('abort', onStop, { once: true });
  if (options.cancelSignal?.aborted) cancel.abort();
  else options.cancelSignal?.addEventListener('abort', onCancel, { once: true });

  const counters = new Map<string, TokenCountCache | undefined>();
  const counterFor = (model: string) => {
    if (!counters.has(model)) {
      const counter = options.tokenCounterFor?.(model);
      // Tokenizers load their vocabulary on first use (tens of ms): do it before any
      // request is in flight, not inside the first response's parse.
      counter?.count('warm up');
      counters.set(model, counter ? new TokenCountCache(counter) : undefined);
    }
    return counters.get(model);
  };

  const pairs: Array<{ target: BenchmarkTarget; scenario: ScenarioPlan }> = [];
  for (const scenario of plan.scenarios) {
    for (const target of plan.targets) {
      if (scenario.providers && !scenario.providers.includes(target.provider.name)) continue;
      pairs.push({ target, scenario });
    }
  }
  for (const { target } of pairs) counterFor(target.model);
  const monitor = new EventLoopMonitor();
  monitor.start();
  let complete = true;
  try {
    for (let index = 0; index < pairs.length; index++) {
      if (options.signal?.aborted || cancel.signal.aborted) {
        complete = false;
        break;
      }
      const { target, scenario } = pairs[index]!;
      const pairComplete = await runPair({
        target,
        scenario,
        anchor,
        aggregator,
        cancelSignal: cancel.signal,
        stopSignal: options.signal,
        options,
        tokenCounter: counterFor(target.model),
        pairIndex: index + 1,
        pairCount: pairs.length,
      });
      if (!pairComplete) complete = false;
    }
  } finally {
    if (graceTimer) clearTimeout(graceTimer);
    options.signal?.removeEventListener('abort', onStop);
    options.cancelSignal?.removeEventListener('abort', onCancel);
    monitor.stop();
  }
  const loop = monitor.snapshot();
  const threshold = options.clientBoundP99Ms ?? DEFAULT_CLIENT_BOUND_P99_MS;
  const clientBound = isClientBound(loop, threshold);
  const fidelity = {
    event_loop_delay_p99_ms: round3(loop.p99Ms),
    event_loop_delay_max_ms: round3(loop.maxMs),
    client_bound: clientBound,
  };
  const warnings: string[] = [];
  if (clientBound) {
    warnings.push(
      `event-loop delay p99 was ${round3(loop.p99Ms)} ms (threshold ${threshold} ms): the client, not the API, may be limiting these numbers; lower the concurrency or use more cores`,
    );
  }
  return buildRunSummary({
    toolVersion: options.meta?.toolVersion ?? 'unknown',
    configHash: options.meta?.configHash ?? '',
    startedAt,
    endedAt: new Date().toISOString(),
    nodeVersion: process.version,
    cpuCount: availableParallelism(),
    platform: `${process.platform}-${process.arch}`,
    complete,
    fidelity: { ...fidelity, warnings },
    groups: aggregator.summarize({ complete, fidelity }),
  });
}

interface PairContext {
  target: BenchmarkTarget;
  scenario: ScenarioPlan;
  anchor: { wallMs: number; monoNs: bigint };
  aggregator: Aggregator;
  cancelSignal: AbortSignal;
  stopSignal: AbortSignal | undefined;
  options: RunOptions;
  tokenCounter: TokenCountCache | undefined;
  pairIndex: number;
  pairCount: number;
}

/** Closed loop: warm-up, then `requests` measured requests, `concurrency` at a time. */
async function runPair(ctx: PairContext): Promise<boolean> {
  const { target, scenario, options } = ctx;
  const input = requestInput(target, scenario);
  const timeouts = requestTimeouts(target, scenario);

  const progressTtft = new LatencyHistogram();
  const stopped = () => ctx.stopSignal?.aborted === true || ctx.cancelSignal.aborted;
  let lastProgressNs = 0n;
  const intervalNs = BigInt(Math.round((options.progressIntervalMs ?? 200) * 1e6));

  const runPhase = async (phase: 'warmup' | 'measure', total: number): Promise<boolean> => {
    if (total === 0) return true;
    const phaseStartNs = now();
    let next = 0;
    let done = 0;
    let failed = 0;
    const emitProgress = (force: boolean) => {
      if (!options.onProgress) return;
      const t = now();
      if (!force && t - lastProgressNs < intervalNs) return;
      lastProgressNs = t;
      const elapsedS = Number(t - phaseStartNs) / 1e9;
      // One percentile, not a summary: this runs while requests are being measured, and a
      // full summary walks the histogram a dozen times (35 ms on a cold start, measured).
      const p50 = phase === 'measure' ? progressTtft.percentile(50) : null;
      options.onProgress({
        provider: target.provider.name,
        model: target.model,
        scenario: scenario.name,
        phase,
        pairIndex: ctx.pairIndex,
        pairCount: ctx.pairCount,
        done,
        total,
        failed,
        elapsedS,
        requestsPerS: elapsedS > 0 ? done / elapsedS : 0,
        p50TtftMs: p50,
        stopping: stopped(),
      });
    };
    const dispatchNext = (): Promise<RequestRecord> | undefined => {
      if (next >= total || stopped()) return undefined;
      next++;
      return executeRequest({
        provider: target.provider,
        transport: target.transport,
        input,
        requestId: randomUUID(),
        attempt: 1,
        scenario: scenario.name,
        isWarmup: phase === 'warmup',
        // Closed loop: a request is due the moment its slot frees up.
        scheduledNs: now(),
        anchor: ctx.anchor,
        timeouts,
        tokenCounter: ctx.tokenCounter,
        signal: ctx.cancelSignal,
      });
    };
    const worker = async () => {
      let inFlight = dispatchNext();
      while (inFlight) {
        const record = await inFlight;
        // The slot's next request goes out before this one is accounted, so the
        // bookkeeping of many requests finishing together never delays the next ones.
        inFlight = dispatchNext();
        done++;
        if (record.status !== 'ok') failed++;
        else if (phase === 'measure' && record.ttftNs !== undefined) {
          progressTtft.recordNs(record.ttftNs);
        }
        ctx.aggregator.add(record);
        options.onRecord?.(record);
        emitProgress(false);
      }
    };
    const workers: Promise<void>[] = [];
    for (let i = 0; i < Math.min(scenario.concurrency, total); i++) workers.push(worker());
    // Long requests finish rarely: keep elapsed time and rates moving between completions.
    const ticker = options.onProgress ? setInterval(() => emitProgress(false), 500) : undefined;
    try {
      await Promise.all(workers);
    } finally {
      if (ticker) clearInterval(ticker);
    }
    emitProgress(true);
    return done === total;
  };

  const warmupDone = await runPhase('warmup', scenario.warmup);
  if (!warmupDone) return false;
  const measuredDone = await runPhase('measure', scenario.requests);
  // Requests cancelled by an interrupt still finish (as `cancelled`): the pair is partial.
  return measuredDone && !stopped();
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
