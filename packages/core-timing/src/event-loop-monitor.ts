import {
  createHistogram,
  type EventLoopUtilization,
  performance,
  type RecordableHistogram,
} from 'node:perf_hooks';

/**
 * Default sampling interval, in milliseconds. A stall of length b is seen as a delay
 * between b − resolution and b, so Node's default of 10 ms would hide stalls shorter than
 * the very threshold we flag (5 ms); 1 ms costs about a thousand cheap timer wake-ups per
 * second, which does not show up in the measurements.
 */
export const DEFAULT_EVENT_LOOP_RESOLUTION_MS = 1;

export interface EventLoopMonitorOptions {
  /** Sampling interval in milliseconds (integer ≥ 1). Default 1. */
  resolutionMs?: number;
}

/** Event-loop delay and utilization over the monitored window. */
export interface EventLoopSnapshot {
  /** Median delay beyond the sampling interval, milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Share of the window the loop spent busy (not idle in the poll phase), 0..1. */
  utilization: number;
  /** Delay samples taken (about one per resolution interval while the loop turns). */
  samples: number;
}

/**
 * Measures how late the event loop runs while a benchmark is in flight, so a run can say
 * when its own process, not the API, was the bottleneck. It may be started and stopped
 * several times (a run's measured phases, warm-ups left out): the snapshot covers every
 * window since construction or the last reset.
 */
export class EventLoopMonitor {
  readonly resolutionMs: number;
  /** The windows already closed. */
  private readonly closed: RecordableHistogram = createHistogram();
  /** The open window's samples: time between timer turns, as `monitorEventLoopDelay` takes. */
  private window: RecordableHistogram | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private eluStart: EventLoopUtilization | undefined;
  /** Busy and idle time of the windows already closed, milliseconds. */
  private closedActiveMs = 0;
  private closedIdleMs = 0;
  private isRunning = false;

  constructor(options: EventLoopMonitorOptions = {}) {
    this.resolutionMs = options.resolutionMs ?? DEFAULT_EVENT_LOOP_RESOLUTION_MS;
  }

  /** Starts (or resumes) sampling; a no-op when already running. */
  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.eluStart = performance.eventLoopUtilization();
    // A fresh window per start: Node's own monitorEventLoopDelay, re-enabled after a
    // pause, records the whole pause as one delay. recordDelta() is native and allocates
    // nothing; its first call only sets the reference time.
    const window = createHistogram();
    window.recordDelta();
    this.window = window;
    this.sampler = setInterval(() => window.recordDelta(), this.resolutionMs);
    this.sampler.unref();
  }

  /** Stops sampling; the snapshot keeps describing the windows up to now. */
  stop(): void {
    if (!this.isRunning) return;
    this.isRunning = false;
    clearInterval(this.sampler);
    this.sampler = undefined;
    if (this.window !== undefined) this.closed.add(this.window);
    this.window = undefined;
    this.closeWindow();
  }

  /** Drops the samples so far; a running monitor keeps sampling from now on. */
  reset(): void {
    this.closed.reset();
    this.window?.reset();
    this.closedActiveMs = 0;
    this.closedIdleMs = 0;
    this.eluStart = this.isRunning ? performance.eventLoopUtilization() : undefined;
  }

  /** Delay percentiles and utilization of every window since construction (or the last reset). */
  snapshot(): EventLoopSnapshot {
    let h = this.closed;
    if (this.window !== undefined) {
      h = createHistogram();
      h.add(this.closed);
      h.add(this.window);
    }
    const utilization = this.utilization();
    if (h.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0, utilization, samples: 0 };
    // Node's samples include the sampling interval itself; subtracting it leaves the delay
    // the loop added, so an idle loop reads ~0 whatever the resolution.
    const delayMs = (ns: number): number => Math.max(0, ns / 1e6 - this.resolutionMs);
    return {
      p50Ms: delayMs(h.percentile(50)),
      p99Ms: delayMs(h.percentile(99)),
      maxMs: delayMs(h.max),
      meanMs: delayMs(h.mean),
      utilization,
      samples: h.count,
    };
  }

  private closeWindow(): void {
    if (this.eluStart === undefined) return;
    const window = performance.eventLoopUtilization(this.eluStart);
    this.closedActiveMs += window.active;
    this.closedIdleMs += window.idle;
    this.eluStart = undefined;
  }

  private utilization(): number {
    let active = this.closedActiveMs;
    let idle = this.closedIdleMs;
    if (this.isRunning && this.eluStart !== undefined) {
      const open = performance.eventLoopUtilization(this.eluStart);
      active += open.active;
      idle += open.idle;
    }
    return active + idle > 0 ? active / (active + idle) : 0;
  }
}
