/** Monotonic time in nanoseconds. Every duration in llm-latency-lens comes from this clock. */
export const now: () => bigint = process.hrtime.bigint;

/** Nanoseconds to milliseconds, for the edges (summaries, exporters, console). */
export function nsToMs(ns: bigint | number): number {
  return Number(ns) / 1e6;
}

/** Milliseconds to nanoseconds, rounded to the nearest nanosecond. */
export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

/**
 * Maps monotonic stamps to wall-clock labels. Taken once per run, so a wall-clock step
 * (NTP, DST) during the run cannot distort any duration: wall time only labels records.
 */
export interface WallClockAnchor {
  readonly wallMs: number;
  readonly monoNs: bigint;
}

export function createWallClockAnchor(): WallClockAnchor {
  return { monoNs: now(), wallMs: Date.now() };
}

/** The wall-clock time, in epoch milliseconds, of a monotonic stamp. */
export function wallMsAt(anchor: WallClockAnchor, monoNs: bigint): number {
  return anchor.wallMs + Number(monoNs - anchor.monoNs) / 1e6;
}
