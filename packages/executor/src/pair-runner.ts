import { randomUUID } from 'node:crypto';
import {
  now,
  type RequestRecord,
  type RetryGaveUp,
  type WallClockAnchor,
} from '@llm-lens/core-timing';
import type { RecordAddition } from '@llm-lens/metrics';
import type { HttpRequestSpec, Provider, ProviderRequestInput } from '@llm-lens/providers-core';
import type { LoadDriver, LoadPattern, LoadShape } from './load/load-pattern.js';
import {
  type BenchmarkTarget,
  type ConversationPlan,
  requestInput,
  requestTimeouts,
  type ScenarioPlan,
  turnMessages,
} from './plan.js';
import { type FinishedRequest, startRequest } from './request-runner.js';
import { billedCostUsd, worstCaseCostUsd } from './resilience/budget-guard.js';
import {
  estimateInputTokens,
  type ProviderGuards,
  type RunGuards,
} from './resilience/provider-guards.js';
import { estimateRequestTokens } from './resilience/rate-limiter.js';
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
  /**
   * When the pair's first phase starts its schedule (monotonic ns), shared by every thread
   * of the run so their open-loop schedules interleave; default: when the phase begins.
   */
  startAtNs?: bigint;
  /** Every finished request, warm-up included, from a slice of accounting work. */
  onRecord(record: RequestRecord): void;
  /** Told when the measured phase starts and when its last request is accounted for. */
  onMeasuredPhase?(state: 'start' | 'end'): void;
  /**
   * This thread's resilience policies (retries, rate limits, circuit breakers, the budget),
   * shared by its pairs. Default: none (one attempt per request, nothing waited for).
   */
  guards?: RunGuards;
  /** The budget refused a request: stop dispatching the whole run. */
  onBudgetStop?(): void;
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
  const hasWarmup = run.warmup !== undefined;
  if (run.warmup !== undefined && !run.stopSignal.aborted) {
    sent.warmup = await runPhase(run, closedLoop, run.warmup, 'warmup');
  }
  if (run.measure === undefined || run.stopSignal.aborted) return sent;
  run.onMeasuredPhase?.('start');
  const driver = new PhaseDriver(
    run,
    'measure',
    run.measure.durationMs,
    run.measure.requests,
    // After a warm-up each thread's schedule starts when its own warm-up ended.
    hasWarmup ? undefined : run.startAtNs,
  );
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

/** One attempt of a request, under resilience policies: what it reserved, how to link it. */
interface Attempt {
  /** 1 = the first. */
  number: number;
  requestId: string;
  /** The first attempt's id, on later attempts. */
  firstRequestId: string | undefined;
  /** Tokens reserved with the rate limiter; 0: none. */
  reservedTokens: number;
  /** Worst-case cost reserved with the budget, USD; 0: none. */
  reservedUsd: number;
  /** When the circuit breaker let it go; undefined: no breaker. */
  breakerSentNs: bigint | undefined;
}

/** One request the driver sends: a single request, or one turn of a session. */
interface Send {
  dueNs: bigint;
  input: ProviderRequestInput;
  /** Built once; undefined when building throws (the request reports it). */
  request: HttpRequestSpec | undefined;
  /** Settles the pattern's `send`: when the request (or the whole session) is done. */
  resolve: () => void;
  session: Session | undefined;
}

/** A conversation in progress: the turn being sent and the replies so far. */
interface Session {
  id: string;
  conversation: ConversationPlan;
  /** 0-based. */
  turn: number;
  replies: string[];
}

/** How a finished attempt stands in its request. */
type AttemptMark =
  | { isRetried: true; delayMs: number }
  | { isRetried: false; gaveUp: RetryGaveUp | undefined };

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
  /** Requests handed to the transport (a request's retries are not counted again). */
  sent = 0;
  readonly startNs: bigint;
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
  /** The provider's policies; undefined when a request waits for nothing and is tried once. */
  readonly #guards: ProviderGuards | undefined;
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
    startAtNs?: bigint,
  ) {
    const nowNs = now();
    this.startNs = startAtNs !== undefined && startAtNs > nowNs ? startAtNs : nowNs;
    this.dispatchDone = new Promise((resolve) => {
      this.#markDispatchDone = resolve;
    });
    this.#input = requestInput(run.target, run.scenario);
    this.#timeouts = requestTimeouts(run.target, run.scenario);
    this.#request = buildOnce(run.target.provider, this.#input);
    const guards = run.guards?.for(run.target.provider.name, run.target.resilience);
    this.#guards =
      guards !== undefined &&
      (guards.isGated || guards.retry.isEnabled || run.guards?.budget !== undefined)
        ? guards
        : undefined;
    run.stopSignal.addEventListener('abort', this.#onStop, { once: true });
    if (durationMs !== undefined) {
      this.#deadlineNs = this.startNs + BigInt(Math.round(durationMs * 1e6));
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
      this.#notSent(resolve);
      return;
    }
    const { run } = this;
    const conversations = run.scenario.conversations?.items;
    if (conversations !== undefined && conversations.length > 0) {
      const index = promptIndex ?? run.nextPromptIndex?.() ?? this.#promptIndex++;
      const session: Session = {
        id: randomUUID(),
        conversation: conversations[index % conversations.length]!,
        turn: 0,
        replies: [],
      };
      this.#send(this.#turnSend(session, dueNs, resolve), readyNs);
      return;
    }
    // With a prompt set each request is built from its own item; without, all share one.
    let input = this.#input;
    let request = this.#request;
    const items = run.scenario.prompts?.items;
    if (items !== undefined && items.length > 0) {
      const index = promptIndex ?? run.nextPromptIndex?.() ?? this.#promptIndex++;
      input = requestInput(run.target, run.scenario, items[index % items.length]);
      request = buildOnce(run.target.provider, input);
    }
    this.#send({ dueNs, input, request, resolve, session: undefined }, readyNs);
  }

  /** The request of a session's current turn: its messages hold the history before it. */
  #turnSend(session: Session, dueNs: bigint, resolve: () => void): Send {
    const { run } = this;
    const turn = session.conversation.turns[session.turn]!;
    const replies = run.scenario.conversations?.history === 'recorded' ? [] : session.replies;
    const input = requestInput(run.target, run.scenario, {
      prompt: turnMessages(session.conversation, session.turn, replies),
      ...(turn.maxTokens === undefined ? {} : { maxTokens: turn.maxTokens }),
      ...(turn.minTokens === undefined ? {} : { minTokens: turn.minTokens }),
    });
    return {
      dueNs,
      input,
      request: buildOnce(run.target.provider, input),
      resolve,
      session,
    };
  }

  /** Sends a request: at once, or through the provider's policies when it has any. */
  #send(send: Send, readyNs: bigint): void {
    if (this.#guards === undefined) {
      this.#start(send, readyNs, undefined);
      return;
    }
    const attempt: Attempt = {
      number: 1,
      requestId: randomUUID(),
      firstRequestId: undefined,
      reservedTokens: 0,
      reservedUsd: 0,
      breakerSentNs: undefined,
    };
    this.#gate(attempt, send.input).then(
      (isCleared) => {
        if (isCleared) this.#start(send, now(), attempt);
        else this.#notSent(send.resolve);
      },
      (error: unknown) => {
        this.#failure ??= error;
        this.#notSent(send.resolve);
      },
    );
  }

  /** A send that will not go: its slot and its place in the count are given back. */
  #notSent(resolve: () => void): void {
    this.#pending--;
    resolve();
    this.#releaseSlot();
    if (this.#pending === 0) this.#onIdle?.();
  }

  /**
   * Waits until the provider's policies let `attempt` go: within the budget, the circuit
   * breaker closed (or this is its probe), the rate limits kept. False: dispatching stopped
   * meanwhile (or the budget ran out), and it is not sent.
   */
  async #gate(attempt: Attempt, input: ProviderRequestInput): Promise<boolean> {
    const guards = this.#guards!;
    const budget = this.run.guards?.budget;
    const inputTokens =
      budget !== undefined || guards.limiter?.tokens !== undefined
        ? estimateInputTokens(input.prompt)
        : 0;
    if (budget !== undefined) {
      const price = this.run.target.price;
      const worstUsd =
        price === undefined ? 0 : worstCaseCostUsd(price, inputTokens, input.maxTokens ?? 0);
      if (!budget.tryReserve(worstUsd)) {
        this.run.onBudgetStop?.();
        return false;
      }
      attempt.reservedUsd = worstUsd;
    }
    const breaker = guards.breaker;
    if (breaker !== undefined) {
      for (;;) {
        const nowNs = now();
        const verdict = breaker.canSend(nowNs);
        if (verdict === true) {
          attempt.breakerSentNs = nowNs;
          break;
        }
        await this.sleepUntil(nowNs + verdict.waitNs);
        if (this.isStopped) return this.#cancelGate(attempt);
      }
    }
    const limiter = guards.limiter;
    if (limiter !== undefined) {
      attempt.reservedTokens = estimateRequestTokens(inputTokens, input.maxTokens);
      const nowNs = now();
      const waitNs = limiter.reserve(nowNs, attempt.reservedTokens);
      if (waitNs > 0n) {
        await this.sleepUntil(nowNs + waitNs);
        if (this.isStopped) return this.#cancelGate(attempt);
      }
    }
    return true;
  }

  /** An attempt that cleared part of the gate and will not go: what it took is given back. */
  #cancelGate(attempt: Attempt): false {
    const nowNs = now();
    if (attempt.breakerSentNs !== undefined) {
      this.#guards!.breaker?.onResult(nowNs, false, 'cancelled', attempt.breakerSentNs);
    }
    if (attempt.reservedUsd > 0) this.run.guards?.budget?.settle(attempt.reservedUsd, 0);
    return false;
  }

  /** Sends one attempt (`attempt` undefined: a run without policies) and handles its end. */
  #start(send: Send, readyNs: bigint, attempt: Attempt | undefined): void {
    // A request a pattern sends before its due time is due now: queue time is never negative.
    const sentNs = now();
    const dueNs: bigint = send.dueNs;
    const scheduledNs = dueNs > sentNs ? sentNs : dueNs;
    if (attempt === undefined || attempt.number === 1) this.sent++;
    const { run } = this;
    startRequest(
      {
        provider: run.target.provider,
        transport: run.target.transport,
        input: send.input,
        requestId: attempt?.requestId ?? randomUUID(),
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
        ...(send.request === undefined ? {} : { request: send.request }),
      },
      (finished) => {
        if (attempt === undefined) this.#complete(send, finished, undefined, undefined);
        else this.#onAttemptEnd(send, finished, attempt);
      },
    );
  }

  /**
   * A request's last attempt ended. A single request frees its slot; its record is built and
   * accounted after dispatches and parsing, in slices, off the path that stamps chunks. A
   * session's turn that succeeded and has a next one keeps the slot: the user reads, thinks,
   * and sends the next turn.
   */
  #complete(
    send: Send,
    finished: FinishedRequest,
    attempt: Attempt | undefined,
    mark: AttemptMark | undefined,
  ): void {
    const session = send.session;
    const tag = session === undefined ? undefined : { id: session.id, turn: session.turn + 1 };
    if (
      session !== undefined &&
      finished.errorClass === undefined &&
      session.turn + 1 < session.conversation.turns.length &&
      !this.isStopped
    ) {
      session.replies[session.turn] = finished.replyText;
      // The next turn is pending before this one is accounted, so the phase never looks idle
      // while the user thinks.
      this.#pending++;
      this.#account(finished, attempt, mark, tag);
      this.#nextTurn(session, send.resolve);
      return;
    }
    send.resolve();
    this.#releaseSlot();
    this.#account(finished, attempt, mark, tag);
  }

  /** After the think time, the session's next turn; if dispatching stops meanwhile, the session ends. */
  async #nextTurn(session: Session, resolve: () => void): Promise<void> {
    session.turn++;
    const dueNs =
      now() + BigInt(Math.round((session.conversation.thinkTimeMs[session.turn] ?? 0) * 1e6));
    await this.sleepUntil(dueNs);
    if (this.isStopped || this.#failure !== undefined) {
      this.#notSent(resolve);
      return;
    }
    try {
      this.#send(this.#turnSend(session, dueNs, resolve), now());
    } catch (error) {
      this.#failure ??= error;
      this.#notSent(resolve);
    }
  }

  /** An attempt ended: tell the policies, then retry it (holding its slot) or finish the request. */
  #onAttemptEnd(send: Send, finished: FinishedRequest, attempt: Attempt): void {
    const guards = this.#guards!;
    const nowNs = now();
    const { errorClass, retryAfterMs } = finished;
    if (attempt.breakerSentNs !== undefined) {
      guards.breaker?.onResult(nowNs, errorClass === undefined, errorClass, attempt.breakerSentNs);
    }
    // A 429's wait is the account's, not this request's: nothing of the provider goes before it.
    if (errorClass === 'rate_limited' && retryAfterMs !== undefined) {
      guards.limiter?.holdUntil(nowNs + BigInt(Math.round(retryAfterMs * 1e6)));
    }
    let gaveUp: RetryGaveUp | undefined;
    if (errorClass !== undefined && guards.retry.isEnabled) {
      const decision = guards.retry.decide(
        attempt.number,
        errorClass,
        retryAfterMs,
        guards.random,
        finished.isPersistent,
      );
      if (decision.retry && !this.isStopped) {
        this.#retryLater(send, finished, attempt, decision.delayMs);
        return;
      }
      if (
        !decision.retry &&
        (decision.reason === 'attempts_exhausted' || decision.reason === 'retry_after_too_long')
      ) {
        gaveUp = decision.reason;
      }
    }
    this.#complete(send, finished, attempt, { isRetried: false, gaveUp });
  }

  /**
   * Sends the next attempt of a request after `delayMs`, through the gate again, keeping the
   * slot. The failed attempt is accounted as retried once the next one goes; if dispatching
   * stops first, it is the request's last.
   */
  async #retryLater(
    send: Send,
    finished: FinishedRequest,
    attempt: Attempt,
    delayMs: number,
  ): Promise<void> {
    const next: Attempt = {
      number: attempt.number + 1,
      requestId: randomUUID(),
      firstRequestId: attempt.firstRequestId ?? attempt.requestId,
      reservedTokens: 0,
      reservedUsd: 0,
      breakerSentNs: undefined,
    };
    let isCleared = false;
    try {
      await this.sleepUntil(now() + BigInt(Math.round(delayMs * 1e6)));
      isCleared = !this.isStopped && (await this.#gate(next, send.input));
    } catch (error) {
      this.#failure ??= error;
    }
    if (!isCleared) {
      this.#complete(send, finished, attempt, { isRetried: false, gaveUp: undefined });
      return;
    }
    this.#pending++;
    const session = send.session;
    this.#account(
      finished,
      attempt,
      { isRetried: true, delayMs },
      session === undefined ? undefined : { id: session.id, turn: session.turn + 1 },
    );
    this.#start(send, now(), next);
  }

  /**
   * Builds and accounts a finished attempt's record in slices: it is marked (attempt,
   * session), the policies' reservations are settled with what it really used, then the
   * statistics and the record callback.
   */
  #account(
    finished: FinishedRequest,
    attempt: Attempt | undefined,
    mark: AttemptMark | undefined,
    session: { id: string; turn: number } | undefined,
  ): void {
    const { run } = this;
    let record: RequestRecord | undefined;
    let addition: RecordAddition | undefined;
    enqueueTask({
      step: (deadlineNs) => {
        try {
          if (record === undefined) {
            record = finished.finalize(deadlineNs);
            if (record === undefined) return false;
            if (session !== undefined) {
              record.sessionId = session.id;
              record.turn = session.turn;
            }
            if (attempt !== undefined) this.#settle(record, attempt, mark!);
          }
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
  }

  /** Marks a record with its attempt and settles what the attempt reserved. */
  #settle(record: RequestRecord, attempt: Attempt, mark: AttemptMark): void {
    const guards = this.#guards!;
    if (guards.retry.isEnabled) {
      record.attempt = attempt.number;
      if (attempt.firstRequestId !== undefined) record.firstRequestId = attempt.firstRequestId;
      if (mark.isRetried) {
        record.isRetried = true;
        record.retryDelayMs = Math.round(mark.delayMs * 1000) / 1000;
      } else if (mark.gaveUp !== undefined) {
        record.retryGaveUp = mark.gaveUp;
      }
    }
    if (attempt.reservedTokens > 0) {
      const used =
        record.inputTokens === undefined && record.outputTokens === undefined
          ? undefined
          : (record.inputTokens ?? 0) + (record.outputTokens ?? 0);
      guards.limiter?.settle(now(), attempt.reservedTokens, used);
    }
    const budget = this.run.guards?.budget;
    if (budget !== undefined) budget.settle(attempt.reservedUsd, billedCostUsd(record));
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
