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
   * The index of the pair's next request in its scenario's prompt set (warm-up and measured
   * requests count alike; a worker thread takes every `count`-th). Default: 0, 1, 2, ...
   */
  nextPromptIndex?: () => number;
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
  const warmupMs = scenario.warmupDurationMs;
  return {
    warmup: {
      // A warm-up by time alone has no request count; by both, whichever ends it first.
      requests:
        warmupMs !== undefined && scenario.warmup === 0
          ? Number.POSITIVE_INFINITY
          : scenario.warmup,
      concurrency: scenario.concurrency,
      settings: {},
      ...(warmupMs === undefined ? {} : { durationMs: warmupMs }),
    },
    measure: {
      requests: scenario.requests,
      concurrency: scenario.concurrency,
      settings: scenario.load?.settings ?? {},
      ...(scenario.durationMs === undefined ? {} : { durationMs: scenario.durationMs }),
    },
  };
}

/** Requests this thread sent in each phase. */
export interface PairSent {
  warmup: number;
  measure: number;
  cooldown: number;
}

/** A phase of a pair: which records it marks, and how it is excluded from statistics. */
type Phase = 'warmup' | 'measure' | 'cooldown';

/**
 * Runs the warm-up (closed loop at the scenario's concurrency), then the measured phase
 * with the scenario's load pattern, with the cool-down (the same pattern, unmeasured)
 * starting when the measured phase stops dispatching. Resolves once every request sent has
 * been accounted for.
 */
export async function runPair(run: PairRun, closedLoop: LoadPattern): Promise<PairSent> {
  const sent: PairSent = { warmup: 0, measure: 0, cooldown: 0 };
  if (run.warmup !== undefined && !run.stopSignal.aborted) {
    sent.warmup = await runPhase(run, closedLoop, run.warmup, 'warmup');
  }
  if (run.measure === undefined || run.stopSignal.aborted) return sent;
  run.onMeasuredPhase?.('start');
  const driver = new PhaseDriver(run, 'measure', run.measure.durationMs, run.measure.requests);
  let cooldown: { promise: Promise<number>; end: () => void } | undefined;
  try {
    const dispatching = run.pattern.run(run.measure, driver);
    const cooldownMs = run.scenario.cooldownMs;
    if (cooldownMs !== undefined && cooldownMs > 0) {
      // A pattern may resolve only once its requests finished (the closed loop does): the
      // cool-down starts as soon as the measured phase can send nothing more.
      await Promise.race([dispatching, driver.dispatchDone]);
      if (!run.stopSignal.aborted) {
        cooldown = startCooldown(run, { ...run.measure, durationMs: cooldownMs });
      }
    }
    await dispatching;
    await driver.settled();
  } finally {
    driver.dispose();
    run.onMeasuredPhase?.('end');
    // The last measured request is done: the load it needed around it is no longer.
    cooldown?.end();
  }
  sent.measure = driver.sent;
  if (cooldown !== undefined) sent.cooldown = await cooldown.promise;
  return sent;
}

/**
 * The measured pattern again, unmeasured, for at most `shape.durationMs`; `end()` stops it
 * early and cancels what it has in flight (those requests are recorded, as cancelled).
 */
function startCooldown(
  run: PairRun,
  shape: LoadShape,
): { promise: Promise<number>; end: () => void } {
  const stop = new AbortController();
  const cancel = new AbortController();
  const cooldownRun: PairRun = {
    ...run,
    stopSignal: AbortSignal.any([run.stopSignal, stop.signal]),
    cancelSignal: AbortSignal.any([run.cancelSignal, cancel.signal]),
  };
  const promise = runPhase(
    cooldownRun,
    run.pattern,
    { ...shape, requests: Number.POSITIVE_INFINITY },
    'cooldown',
  );
  return {
    promise,
    end: () => {
      stop.abort();
      cancel.abort();
    },
  };
}

async function runPhase(
  run: PairRun,
  pattern: LoadPattern,
  shape: LoadShape,
  phase: Phase,
): Promise<number> {
  const driver = new PhaseDriver(run, phase, shape.durationMs);
  try {
    await pattern.run(shape, driver);
    await driver.settled();
  } finally {
    driver.dispose();
  }
  return driver.sent;
}

/** A send waiting for an in-flight slot. */
interface Waiting {
  dueNs: bigint;
  promptIndex: number | undefined;
  resolve: () => void;
}

/**
 * The driver a load pattern sends through: dispatches are queued, records accounted in
 * slices. It enforces the phase's in-flight cap (a FIFO of waiting sends) and its duration.
 */
class PhaseDriver implements LoadDriver {
  /** Requests handed to the transport. */
  sent = 0;
  /** Resolves when the phase can send nothing more: its count reached, its time up, or stopped. */
  readonly dispatchDone: Promise<void>;
  #markDispatchDone: () => void = () => {};
  /** Sends accepted so far, against the phase's request count. */
  #accepted = 0;
  /** The next prompt index when the run gives no counter of its own. */
  #promptIndex = 0;
  /** Sends accepted and not yet accounted for (waiting, in flight or being accounted). */
  #pending = 0;
  /** Sends holding an in-flight slot: queued for dispatch or in flight. */
  #running = 0;
  #maxInFlight = Number.POSITIVE_INFINITY;
  /** Sends waiting for a slot, oldest first, from `#waitingHead` on. */
  #waiting: Waiting[] = [];
  #waitingHead = 0;
  #onIdle: (() => void) | undefined;
  /** The first error accounting a record threw (a bug): the phase fails with it. */
  #failure: unknown;
  /** When the phase's duration is up (monotonic ns); undefined without one. */
  readonly #deadlineNs: bigint | undefined;
  #isExpired = false;
  #deadlineTimer: NodeJS.Timeout | undefined;
  readonly #sleepers = new Set<() => void>();
  readonly #input;
  readonly #timeouts;
  /** The pair's request, built once; undefined when building throws (each request reports it). */
  readonly #request: HttpRequestSpec | undefined;
  readonly #onStop = () => {
    this.#markDispatchDone();
    for (const wake of this.#sleepers) wake();
    this.#sleepers.clear();
    this.#dropWaiting();
  };

  constructor(
    private readonly run: PairRun,
    private readonly phase: Phase,
    durationMs: number | undefined,
    private readonly requestLimit = Number.POSITIVE_INFINITY,
  ) {
    this.dispatchDone = new Promise((resolve) => {
      this.#markDispatchDone = resolve;
    });
    this.#input = requestInput(run.target, run.scenario);
    this.#timeouts = requestTimeouts(run.target, run.scenario);
    this.#request = buildOnce(run.target.provider, this.#input);
    run.stopSignal.addEventListener('abort', this.#onStop, { once: true });
    if (durationMs !== undefined) {
      this.#deadlineNs = now() + BigInt(Math.round(durationMs * 1e6));
      this.#armDeadline();
    }
  }

  get isStopped(): boolean {
    return this.run.stopSignal.aborted || this.#isExpired;
  }

  get inFlight(): number {
    return this.#running + this.#waiting.length - this.#waitingHead;
  }

  now(): bigint {
    return now();
  }

  limitInFlight(limit: number): void {
    this.#maxInFlight = Math.max(1, limit);
  }

  send(dueNs: bigint, promptIndex?: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.isStopped || this.#failure !== undefined) {
        resolve();
        return;
      }
      this.#pending++;
      this.#accepted++;
      if (this.#accepted >= this.requestLimit) this.#markDispatchDone();
      if (this.#running >= this.#maxInFlight) {
        this.#waiting.push({ dueNs, promptIndex, resolve });
        return;
      }
      this.#running++;
      enqueueDispatch(() => this.#dispatch(dueNs, dueNs, promptIndex, resolve));
    });
  }

  /** The phase's time is up: nothing more is sent, sleepers wake, waiting sends are dropped. */
  #armDeadline(): void {
    const leftMs = Number(this.#deadlineNs! - now()) / 1e6;
    if (leftMs <= 0) {
      this.#isExpired = true;
      this.#onStop();
      return;
    }
    // Re-armed until the time has really come (libuv timers may fire up to 1 ms early).
    this.#deadlineTimer = setTimeout(() => this.#armDeadline(), Math.max(1, Math.ceil(leftMs)));
  }

  /** A slot was freed: the oldest waiting send takes it. */
  #releaseSlot(): void {
    this.#running--;
    if (this.#waitingHead >= this.#waiting.length) return;
    if (this.isStopped || this.#failure !== undefined) {
      this.#dropWaiting();
      return;
    }
    const next = this.#waiting[this.#waitingHead]!;
    this.#waiting[this.#waitingHead] = undefined as unknown as Waiting;
    this.#waitingHead++;
    if (this.#waitingHead === this.#waiting.length) {
      this.#waiting = [];
      this.#waitingHead = 0;
    } else if (this.#waitingHead >= 1024 && this.#waitingHead * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#waitingHead);
      this.#waitingHead = 0;
    }
    this.#running++;
    // It was due at its scheduled time, but free to go only now.
    const readyNs = now();
    enqueueDispatch(() => this.#dispatch(next.dueNs, readyNs, next.promptIndex, next.resolve));
  }

  /** Sends still waiting for a slot when dispatching stops are not sent. */
  #dropWaiting(): void {
    const waiting = this.#waiting;
    const head = this.#waitingHead;
    this.#waiting = [];
    this.#waitingHead = 0;
    for (let i = head; i < waiting.length; i++) {
      this.#pending--;
      waiting[i]!.resolve();
    }
    if (this.#pending === 0) this.#onIdle?.();
  }

  #dispatch(
    dueNs: bigint,
    readyNs: bigint,
    promptIndex: number | undefined,
    resolve: () => void,
  ): void {
    // Queued before a stop, dispatched after it: not sent.
    if (this.isStopped || this.#failure !== undefined) {
      this.#pending--;
      resolve();
      this.#releaseSlot();
      if (this.#pending === 0) this.#onIdle?.();
      return;
    }
    // A request a pattern sends before its due time is due now: queue time is never negative.
    const sentNs = now();
    const scheduledNs = dueNs > sentNs ? sentNs : dueNs;
    this.sent++;
    const { run } = this;
    // With a prompt set each request is built from its own item; without, all share one.
    let input = this.#input;
    let request = this.#request;
    const items = run.scenario.prompts?.items;
    if (items !== undefined && items.length > 0) {
      const index = promptIndex ?? run.nextPromptIndex?.() ?? this.#promptIndex++;
      input = requestInput(run.target, run.scenario, items[index % items.length]);
      request = buildOnce(run.target.provider, input);
    }
    startRequest(
      {
        provider: run.target.provider,
        transport: run.target.transport,
        input,
        requestId: randomUUID(),
        scenario: run.scenario.name,
        isWarmup: this.phase === 'warmup',
        ...(this.phase === 'cooldown' ? { isCooldown: true } : {}),
        scheduledNs,
        readyNs: readyNs > sentNs ? sentNs : readyNs,
        anchor: run.anchor,
        timeouts: this.#timeouts,
        tokenCounter: run.tokenCounter,
        signal: run.cancelSignal,
        secrets: run.secrets,
        ...(run.target.maxEventBytes === undefined
          ? {}
          : { maxEventBytes: run.target.maxEventBytes }),
        ...(run.target.price === undefined ? {} : { price: run.target.price }),
        ...(request === undefined ? {} : { request }),
      },
      (finished) => {
        // The slot is free now; its record is built and accounted after dispatches and
        // parsing, in slices, off the path that stamps chunks.
        resolve();
        this.#releaseSlot();
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
        if (leftMs <= 0 || this.isStopped) wake();
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
    clearTimeout(this.#deadlineTimer);
    this.run.stopSignal.removeEventListener('abort', this.#onStop);
    this.#onStop();
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
