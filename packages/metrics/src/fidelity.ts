// Whether a run measured the API or the client itself: the one place the verdict is made.
import type { EventLoopSnapshot } from '@llm-lens/core-timing';
import type { GroupFidelity } from './aggregator.js';
import { round3 } from './histogram.js';

/**
 * Event-loop delay p99 above which a run's numbers describe the client rather than the
 * API, in milliseconds: a stall this long delays every chunk stamp taken behind it.
 */
export const DEFAULT_CLIENT_BOUND_P99_MS = 5;

/**
 * Event-loop delay samples (about one per millisecond of run) below which no verdict is
 * given: a run that ended within a few milliseconds (every request refused, say) has a p99
 * made of start-up noise.
 */
export const MIN_FIDELITY_SAMPLES = 200;

/** The event loop of one thread that stamped responses (or coordinated them). */
export interface ThreadFidelity {
  /** `main`, or `worker-1`, `worker-2`, ... */
  thread: string;
  event_loop_delay_p99_ms: number;
  event_loop_delay_max_ms: number;
  /** Delay samples behind these numbers. */
  samples: number;
}

/** This machine's measured client error at the run's load (see `llm-lens calibrate`). */
export interface FidelityCalibration {
  /** The load it was measured at. */
  concurrency: number;
  stream_tokens: number;
  itl_ms: number;
  ttft_ms: number;
  workers: number;
  /** Client stamp − the simulator's own write stamp, ms. */
  ttft_error_ms: { p50: number; p99: number; max: number };
  chunk_gap_error_ms: { p50: number; p99: number; max: number };
  /** Requests and gaps joined with the simulator's log. */
  requests: number;
  gaps: number;
}

/** Whether the run measured the API or its own process, with the reasons in words. */
export interface RunFidelity extends GroupFidelity {
  /** Threads that generated load (1: the main thread did). */
  workers: number;
  /** Each thread's event loop; the worst one is what `event_loop_delay_*` and the verdict use. */
  threads: ThreadFidelity[];
  /** This machine's measured bound on the client's own error, when the run asked for one. */
  calibration: FidelityCalibration | null;
  warnings: string[];
}

export interface FidelityOptions {
  /** Event-loop delay p99 above which the run is client-bound, ms. Default 5. */
  thresholdP99Ms?: number;
  /** Threads that generated load. Default 1. */
  workers?: number;
  /**
   * True when the schedule fell behind (arrivals dispatched late because the client could
   * not keep up); marks the run client-bound as well. Default false.
   */
  isBehindSchedule?: boolean;
  /** The worst group's schedule-lag p99, ms, quoted in the warning when behind schedule. */
  scheduleLagP99Ms?: number | null;
  calibration?: FidelityCalibration | null;
  /**
   * The run's shortest TTFT p50 over its groups, ms (null or undefined: none measured). One
   * stall longer than this delays a typical first token by more than the whole of it, so an
   * event-loop delay max above it marks the run client-bound whatever the p99 says.
   */
  ttftP50Ms?: number | null;
  /** The shortest per-request total timeout of the run, ms; a stall longer than it can time out healthy requests. */
  requestTimeoutMs?: number;
  /** Further warnings to carry into the summary, in order. Default none. */
  warnings?: string[];
}

/**
 * The run's fidelity block from the event-loop snapshot of each thread that stamped
 * responses: the worst thread decides. With fewer than {@link MIN_FIDELITY_SAMPLES} samples
 * on every thread the verdict is `null` (too short to judge), never a guess.
 */
export function buildFidelity(
  threads: ReadonlyArray<{ thread: string; snapshot: EventLoopSnapshot }>,
  options: FidelityOptions = {},
): RunFidelity {
  const threshold = options.thresholdP99Ms ?? DEFAULT_CLIENT_BOUND_P99_MS;
  const perThread: ThreadFidelity[] = threads.map(({ thread, snapshot }) => ({
    thread,
    event_loop_delay_p99_ms: round3(snapshot.p99Ms),
    event_loop_delay_max_ms: round3(snapshot.maxMs),
    samples: snapshot.samples,
  }));
  const judged = perThread.filter((t) => t.samples >= MIN_FIDELITY_SAMPLES);
  const worstP99 = Math.max(0, ...perThread.map((t) => t.event_loop_delay_p99_ms));
  const worstMax = Math.max(0, ...perThread.map((t) => t.event_loop_delay_max_ms));
  const boundThreads = judged.filter((t) => t.event_loop_delay_p99_ms > threshold);
  const isBehind = options.isBehindSchedule === true;
  const warnings: string[] = [];
  for (const t of boundThreads) {
    warnings.push(
      `event-loop delay p99 of the ${t.thread} thread was ${t.event_loop_delay_p99_ms} ms (threshold ${threshold} ms): latencies include time this process was busy; lower the concurrency or use more worker threads (--workers)`,
    );
  }
  // One long stall is judged however few samples the run has: a single blocked second in a
  // short run falsifies the requests it overlapped, and a p99 cannot see it.
  const stallLimits: Array<{ ms: number; what: string }> = [];
  if (options.requestTimeoutMs !== undefined) {
    stallLimits.push({ ms: options.requestTimeoutMs, what: 'the per-request timeout' });
  }
  if (options.ttftP50Ms !== undefined && options.ttftP50Ms !== null && options.ttftP50Ms > 0) {
    stallLimits.push({ ms: options.ttftP50Ms, what: 'the TTFT p50' });
  }
  let isStalled = false;
  for (const t of perThread) {
    const exceeded = stallLimits.filter((limit) => t.event_loop_delay_max_ms > limit.ms);
    if (exceeded.length === 0) continue;
    isStalled = true;
    const limit = exceeded.reduce((a, b) => (a.ms <= b.ms ? a : b));
    warnings.push(
      `the ${t.thread} thread's event loop stalled for ${t.event_loop_delay_max_ms} ms at once, longer than ${limit.what} (${round3(limit.ms)} ms): requests in flight then were stamped late or timed out; the cause can be a garbage-collection pause, one huge response (a long unbroken word, an enormous event) or a blocking plugin`,
    );
  }
  if (isBehind) {
    const lag =
      options.scheduleLagP99Ms === undefined || options.scheduleLagP99Ms === null
        ? ''
        : ` (schedule lag p99 ${round3(options.scheduleLagP99Ms)} ms)`;
    warnings.push(
      `the client fell behind its send schedule${lag}: requests went out later than due for reasons of its own; latencies from the schedule (ttft_from_schedule, e2e_from_schedule) still count from the due time, but lower the rate or add worker threads (--workers)`,
    );
  }
  warnings.push(...(options.warnings ?? []));
  let clientBound: boolean | null;
  if (boundThreads.length > 0 || isBehind || isStalled) clientBound = true;
  else clientBound = judged.length === 0 ? null : false;
  return {
    event_loop_delay_p99_ms: worstP99,
    event_loop_delay_max_ms: worstMax,
    client_bound: clientBound,
    workers: options.workers ?? 1,
    threads: perThread,
    calibration: options.calibration ?? null,
    warnings,
  };
}
