import {
  type EventLoopUtilization,
  type IntervalHistogram,
  monitorEventLoopDelay,
  performance,
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
 * when its own process, not the API, was the bottleneck.
 */
export class EventLoopMonitor {
  readonly resolutionMs: number;
  private readonly histogram: IntervalHistogram;
  private eluStart: EventLoopUtilization | undefined;
  private eluEnd: EventLoopUtilization | undefined;
  private isRunning = false;

  constructor(options: EventLoopMonitorOptions = {}) {
    this.resolutionMs = options.resolutionMs ?? DEFAULT_EVENT_LOOP_RESOLUTION_MS;
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
  }

  /** Starts sampling; a no-op when already running. */
  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.eluStart = performance.eventLoopUtilization();
    this.eluEnd = undefined;
    this.histogram.enable();
  }

  /** Stops sampling; the snapshot keeps describing the window up to now. */
  stop(): void {
    if (!this.isRunning) return;
    this.isRunning = false;
    this.histogram.disable();
    this.eluEnd = performance.eventLoopUtilization();
  }

  /** Drops the samples so far; a running monitor keeps sampling from now on. */
  reset(): void {
    this.histogram.reset();
    this.eluStart = performance.eventLoopUtilization();
    this.eluEnd = this.isRunning ? undefined : this.eluStart;
  }

  /** Delay percentiles and utilization of the window since start (or the last reset). */
  snapshot(): EventLoopSnapshot {
    const h = this.histogram;
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

  private utilization(): number {
    if (this.eluStart === undefined) return 0;
    const end = this.eluEnd ?? performance.eventLoopUtilization();
    return performance.eventLoopUtilization(end, this.eluStart).utilization;
  }
}
