import { Worker } from 'node:worker_threads';
import type { EventLoopSnapshot, RequestRecord, WallClockAnchor } from '@llm-lens/core-timing';
import type { EncodedAggregator, ResilienceSummary, SloTargets } from '@llm-lens/metrics';
import type { ProviderSettings } from '@llm-lens/providers-core';
import { ExecutorError } from './executor-error.js';
import type { BenchmarkTarget, ScenarioPlan } from './plan.js';
import type { MainToWorker, WorkerInit, WorkerPair, WorkerToMain } from './worker-protocol.js';

/**
 * How far ahead of the message a pair's shared start is, ms: enough for every worker to
 * receive it (well under a millisecond when idle), so their schedules start at one instant.
 * The monotonic clock is the process's, the same in every thread.
 */
export const SHARED_START_LEAD_MS = 20;

/** What the pool is started with. */
export interface WorkerPoolInit {
  moduleUrls: string[];
  inMemoryExtensions: string[];
  pairs: Array<{ target: BenchmarkTarget; scenario: ScenarioPlan }>;
  tokenizer: 'auto' | 'offline' | 'none';
  anchor: WallClockAnchor;
  secrets: string[];
  slo?: SloTargets | undefined;
  /** The run's budget, USD; each worker keeps an even part. */
  maxCostUsd?: number;
}

/** A worker's results once the run is over. */
export interface WorkerResult {
  aggregator: EncodedAggregator;
  eventLoop: EventLoopSnapshot;
  resilience: ResilienceSummary | null;
}

/**
 * The worker threads of one run. Every worker gets a share of each pair's load (as the
 * pair's load pattern splits it) and its own adapters and connection pools; it measures,
 * aggregates and streams its records back; the main thread merges encoded histograms.
 */
export class WorkerPool {
  readonly #workers: Worker[];
  #failure: Error | undefined;
  #onFailure: ((error: Error) => void) | undefined;
  #onRecords: ((records: RequestRecord[]) => void) | undefined;
  #pairWaiting = 0;
  #onPairDone: (() => void) | undefined;
  readonly #results: Array<WorkerResult | undefined>;
  #finishWaiting = 0;
  #onFinished: (() => void) | undefined;
  /** A worker's part of the budget ran out (with the guard's message). */
  onBudgetStop: ((message: string) => void) | undefined;

  private constructor(workers: Worker[]) {
    this.#workers = workers;
    this.#results = workers.map(() => undefined);
  }

  /** Starts `count` workers and resolves once each has built its targets and preloaded. */
  static async start(count: number, init: WorkerPoolInit): Promise<WorkerPool> {
    const data = workerInit(init);
    const workers: Worker[] = [];
    for (let index = 0; index < count; index++) {
      const workerData: WorkerInit = { ...data, index, count };
      workers.push(new Worker(workerScript(), { workerData }));
    }
    const pool = new WorkerPool(workers);
    let ready = 0;
    await new Promise<void>((resolve, reject) => {
      pool.#onFailure = reject;
      workers.forEach((worker, index) => {
        worker.on('message', (message: WorkerToMain) => {
          if (message.type === 'ready') {
            ready++;
            if (ready === count) resolve();
            return;
          }
          pool.#handle(index, message);
        });
        worker.on('error', (error) => pool.#fail(index, error));
        worker.on('exit', (code) => {
          if (pool.#results[index] === undefined && code !== 0) {
            pool.#fail(index, new Error(`exited with code ${code}`));
          }
        });
      });
    });
    return pool;
  }

  #handle(index: number, message: WorkerToMain): void {
    switch (message.type) {
      case 'records':
        this.#onRecords?.(message.records);
        return;
      case 'pair-done':
        this.#pairWaiting--;
        if (this.#pairWaiting === 0) this.#onPairDone?.();
        return;
      case 'budget-stop':
        this.onBudgetStop?.(message.message);
        return;
      case 'finished':
        this.#results[index] = {
          aggregator: message.aggregator,
          eventLoop: message.eventLoop,
          resilience: message.resilience,
        };
        this.#finishWaiting--;
        if (this.#finishWaiting === 0) this.#onFinished?.();
        return;
      case 'failed': {
        const error = new Error(message.message);
        if (message.stack !== undefined) error.stack = message.stack;
        this.#fail(index, error);
        return;
      }
      case 'ready':
        return;
    }
  }

  #fail(index: number, cause: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = new ExecutorError(
      'LENS_EXECUTOR_WORKER_FAILED',
      `worker thread ${index + 1} failed: ${cause.message}`,
      { cause },
    );
    this.#onFailure?.(this.#failure);
  }

  #post(message: MainToWorker): void {
    for (const worker of this.#workers) worker.postMessage(message);
  }

  /**
   * Runs one pair on every worker; `onRecords` gets their records as they arrive. The
   * workers' schedules start together, a moment from now (see `SHARED_START_LEAD_MS`).
   */
  runPair(pairIndex: number, onRecords: (records: RequestRecord[]) => void): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#onRecords = onRecords;
      this.#pairWaiting = this.#workers.length;
      this.#onPairDone = resolve;
      this.#onFailure = reject;
      const startNs = process.hrtime.bigint() + BigInt(SHARED_START_LEAD_MS) * 1_000_000n;
      this.#post({ type: 'pair', pairIndex, startNs });
    });
  }

  /** Stops dispatching in the current pair only (an early stop). */
  stopPair(): void {
    this.#post({ type: 'stop-pair' });
  }

  /** Stops dispatching for the rest of the run (an interrupt). */
  stop(): void {
    this.#post({ type: 'stop' });
  }

  /** Cancels what is in flight. */
  cancel(): void {
    this.#post({ type: 'cancel' });
  }

  /** Collects every worker's aggregator and event-loop snapshot, then ends the workers. */
  async finish(): Promise<WorkerResult[]> {
    if (this.#failure !== undefined) throw this.#failure;
    await new Promise<void>((resolve, reject) => {
      this.#finishWaiting = this.#workers.length;
      this.#onFinished = resolve;
      this.#onFailure = reject;
      this.#post({ type: 'finish' });
    });
    await this.terminate();
    return this.#results.map((result) => result!);
  }

  /** Ends every worker now. */
  async terminate(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}

function workerInit(init: WorkerPoolInit): Omit<WorkerInit, 'index' | 'count'> {
  if (init.inMemoryExtensions.length > 0) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `worker threads cannot use extensions registered without a module URL (${init.inMemoryExtensions.join(', ')}); register them with ExtensionRegistry.importModule(url), or run with one worker`,
    );
  }
  const providers = new Map<string, ProviderSettings>();
  const pairs: WorkerPair[] = init.pairs.map(({ target, scenario }) => {
    const name = target.provider.name;
    if (target.portable === undefined) {
      throw new ExecutorError(
        'LENS_EXECUTOR_PLAN_INVALID',
        `the target ${name}/${target.model} cannot be rebuilt in a worker thread: build targets with createTargets (which records each provider's type and settings), or run with one worker`,
      );
    }
    if (!providers.has(name)) {
      providers.set(name, { ...target.portable.settings, type: target.portable.type, name });
    }
    const pair: WorkerPair = { provider: name, model: target.model, scenario };
    if (target.extraBody !== undefined) pair.extraBody = target.extraBody;
    if (target.price !== undefined) pair.price = target.price;
    if (target.timeouts !== undefined) pair.timeouts = target.timeouts;
    if (target.resilience !== undefined) pair.resilience = target.resilience;
    return pair;
  });
  return {
    moduleUrls: init.moduleUrls,
    providers: [...providers.values()],
    pairs,
    tokenizer: init.tokenizer,
    anchor: { wallMs: init.anchor.wallMs, monoNs: init.anchor.monoNs },
    secrets: init.secrets,
    ...(init.slo === undefined ? {} : { slo: init.slo }),
    ...(init.maxCostUsd === undefined ? {} : { maxCostUsd: init.maxCostUsd }),
  };
}

/**
 * The worker's script: dist/worker-main.js beside this module; when this module runs from
 * its TypeScript source (the package's own tests), the built one in dist/.
 */
function workerScript(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts')
    ? new URL('../dist/worker-main.js', here)
    : new URL('./worker-main.js', here);
}
