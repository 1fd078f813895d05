import { randomUUID } from 'node:crypto';
import { now, type RequestRecord, type WallClockAnchor } from '@llm-lens/core-timing';
import type { RecordAddition } from '@llm-lens/metrics';
import type { HttpRequestSpec, Provider, ProviderRequestInput } from '@llm-lens/providers-core';
import type { LoadDriver, LoadPattern, LoadShape } from './load/load-pattern.js';
import { type BenchmarkTarget, requestInput, requestTimeouts, type ScenarioPlan } from './plan.js';
import { startRequest } from './request-runner.js';
import type { TokenCountCache } from './token-count-cache.js';
import { enqueueDispatch, enqueueTask } from './work-slicer.js';

/** One provider/model × scenario pair, as one load-generating thread runs it. */
export interface PairRun {
  target: BenchmarkTarget;
  scenario: ScenarioPlan;
  pattern: LoadPattern;
  /** This thread's share of the warm-up (closed loop), or undefined for none. */
  warmup: LoadShape | undefined;
  /** This thread's share of the measured load, or undefined for none. */
  measure: LoadShape | undefined;
  anchor: WallClockAnchor;
  /** Aborted: send nothing more (an interrupt, an early stop). */
  stopSignal: AbortSignal;
  /** Aborted: cancel what is in flight (class `cancelled`). */
  cancelSignal: AbortSignal;
  tokenCounter: TokenCountCache | undefined;
  /** Credentials to mask in error messages. */
  secrets: readonly string[];
  /**
   * Starts adding a finished request to the statistics (an aggregator's `beginAdd`); its
   * steps run in slices before `onRecord` hears of the record. Default: none.
   */
  aggregate?(record: RequestRecord): RecordAddition;
  /** Every finished request, warm-up included, from a slice of accounting work. */
  onRecord(record: RequestRecord): void;
  /** Told when the measured phase starts and when its last request is accounted for. */
  onMeasuredPhase?(state: 'start' | 'end'): void;
}

/** The warm-up and measured load of a pair, whole (before any thread's share is taken). */
export function pairShapes(scenario: ScenarioPlan): { warmup: LoadShape; measure: LoadShape } {
  return {
    warmup: { requests: scenario.warmup, concurrency: scenario.concurrency, settings: {} },
    measure: {
      requests: scenario.requests,
      concurrency: scenario.concurrency,
      settings: scenario.load?.settings ?? {},
    },
  };
}

/** Requests this thread sent in each phase. */
export interface PairSent {
  warmup: number;
  measure: number;
}

/**
 * Runs the warm-up (closed loop at the scenario's concurrency), then the measured phase
 * with the scenario's load pattern. Resolves once every request sent has been accounted for.
 */
export async function runPair(run: PairRun, closedLoop: LoadPattern): Promise<PairSent> {
  const sent: PairSent = { warmup: 0, measure: 0 };
  if (run.warmup !== undefined && !run.stopSignal.aborted) {
    sent.warmup = await runPhase(run, closedLoop, run.warmup, true);
  }
  if (run.measure !== undefined && !run.stopSignal.aborted) {
    run.onMeasuredPhase?.('start');
    try {
      sent.measure = await runPhase(run, run.pattern, run.measure, false);
    } finally {
      run.onMeasuredPhase?.('end');
    }
  }
  return sent;
}

async function runPhase(
  run: PairRun,
  pattern: LoadPattern,
  shape: LoadShape,
  isWarmup: boolean,
): Promise<number> {
  const driver = new PhaseDriver(run, isWarmup);
  try {
    await pattern.run(shape, driver);
    await driver.settled();
  } finally {
    driver.dispose();
  }
  return driver.sent;
}

/** The driver a load pattern sends through: dispatches are queued, records accounted in slices. */
class PhaseDriver implements LoadDriver {
  sent = 0;
  #pending = 0;
  #onIdle: (() => void) | undefined;
  /** The first error accounting a record threw (a bug): the phase fails with it. */
  #failure: unknown;
  readonly #sleepers = new Set<() => void>();
  readonly #input;
  readonly #timeouts;
  /** The pair's request, built once; undefined when building throws (each request reports it). */
  readonly #request: HttpRequestSpec | undefined;
  readonly #wakeSleepers = () => {
    for (const wake of this.#sleepers) wake();
    this.#sleepers.clear();
  };

  constructor(
    private readonly run: PairRun,
    private readonly isWarmup: boolean,
  ) {
    this.#input = requestInput(run.target, run.scenario);
    this.#timeouts = requestTimeouts(run.target, run.scenario);
    this.#request = buildOnce(run.target.provider, this.#input);
    run.stopSignal.addEventListener('abort', this.#wakeSleepers, { once: true });
  }

  get isStopped(): boolean {
    return this.run.stopSignal.aborted;
  }

  now(): bigint {
    return now();
  }

  send(dueNs: bigint): Promise<void> {
    return new Promise((resolve) => {
      enqueueDispatch(() => this.#dispatch(dueNs, resolve));
    });
  }

  #dispatch(dueNs: bigint, resolve: () => void): void {
    // Queued before a stop, dispatched after it: not sent.
    if (this.isStopped || this.#failure !== undefined) {
      resolve();
      return;
    }
    // A request a pattern sends before its due time is due now: queue time is never negative.
    const sentNs = now();
    const scheduledNs = dueNs > sentNs ? sentNs : dueNs;
    this.sent++;
    this.#pending++;
    const { run } = this;
    startRequest(
      {
        provider: run.target.provider,
        transport: run.target.transport,
        input: this.#input,
        requestId: randomUUID(),
        scenario: run.scenario.name,
        isWarmup: this.isWarmup,
        scheduledNs,
        anchor: run.anchor,
        timeouts: this.#timeouts,
        tokenCounter: run.tokenCounter,
        signal: run.cancelSignal,
        secrets: run.secrets,
        ...(run.target.maxEventBytes === undefined
          ? {}
          : { maxEventBytes: run.target.maxEventBytes }),
        ...(run.target.price === undefined ? {} : { price: run.target.price }),
        ...(this.#request === undefined ? {} : { request: this.#request }),
      },
      (finished) => {
        // The slot is free now; its record is built and accounted after dispatches and
        // parsing, in slices, off the path that stamps chunks.
        resolve();
        let record: RequestRecord | undefined;
        let addition: RecordAddition | undefined;
        enqueueTask({
          step: (deadlineNs) => {
            try {
              record ??= finished.finalize(deadlineNs);
              if (record === undefined) return false;
              addition ??= run.aggregate?.(record);
              if (addition !== undefined && !addition.step(deadlineNs)) return false;
              run.onRecord(record);
            } catch (error) {
              this.#failure ??= error;
            }
            this.#pending--;
            if (this.#pending === 0) this.#onIdle?.();
            return true;
          },
        });
      },
    );
  }

  sleepUntil(ns: bigint): Promise<void> {
    if (ns <= now() || this.isStopped) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      // libuv timers run on a millisecond loop clock and may fire up to 1 ms early: re-arm
      // until the time has really come, so a schedule is never run ahead of itself.
      const arm = () => {
        const leftMs = Number(ns - now()) / 1e6;
        if (leftMs <= 0) wake();
        else timer = setTimeout(arm, Math.max(1, Math.ceil(leftMs)));
      };
      this.#sleepers.add(wake);
      arm();
    });
  }

  /** Resolves once every request sent has been accounted for; rejects if accounting failed. */
  async settled(): Promise<void> {
    if (this.#pending > 0) {
      await new Promise<void>((resolve) => {
        this.#onIdle = resolve;
      });
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  dispose(): void {
    this.run.stopSignal.removeEventListener('abort', this.#wakeSleepers);
    this.#wakeSleepers();
  }
}

function buildOnce(provider: Provider, input: ProviderRequestInput): HttpRequestSpec | undefined {
  try {
    return provider.buildRequest(input);
  } catch {
    // Every request then builds it itself and fails with the adapter's message.
    return undefined;
  }
}
