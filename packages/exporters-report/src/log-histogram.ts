// A fixed-size histogram with log-spaced bins: what the HTML report keeps per target instead
// of the records, so its memory does not grow with the number of requests.

/** Lower edge of the first regular bin, ms (1 µs); anything below lands in the underflow bin. */
export const LOWEST_BIN_MS = 1e-3;
/** Decades covered: 1 µs to 10^7 ms (2.8 h); anything above lands in the overflow bin. */
export const DECADES = 10;

/**
 * Counts of durations in bins whose edges grow by a constant factor (10^(1/binsPerDecade)):
 * relative resolution is the same at 2 ms and at 20 s. Bin 0 holds values below
 * {@link LOWEST_BIN_MS} (zeros included), the last bin values above the top edge.
 */
export class LogHistogram {
  readonly counts: Float64Array;
  total = 0;
  minMs = Number.POSITIVE_INFINITY;
  maxMs = Number.NEGATIVE_INFINITY;

  constructor(readonly binsPerDecade: number) {
    this.counts = new Float64Array(DECADES * binsPerDecade + 2);
  }

  /** Adds `weight` samples of `ms`; values that are not finite non-negative numbers are ignored. */
  add(ms: number, weight = 1): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    this.counts[this.binOf(ms)]! += weight;
    this.total += weight;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The bin a value falls in. */
  binOf(ms: number): number {
    if (ms < LOWEST_BIN_MS) return 0;
    const regular = Math.floor(Math.log10(ms / LOWEST_BIN_MS) * this.binsPerDecade);
    return Math.min(this.counts.length - 1, 1 + regular);
  }

  /** Lower edge of bin `index`, ms (0 for the underflow bin). */
  lowerEdgeMs(index: number): number {
    if (index <= 0) return 0;
    return LOWEST_BIN_MS * 10 ** ((index - 1) / this.binsPerDecade);
  }

  /** Upper edge of bin `index`, ms. */
  upperEdgeMs(index: number): number {
    return LOWEST_BIN_MS * 10 ** (index / this.binsPerDecade);
  }

  /** Adds another histogram's counts (same bins). */
  merge(other: LogHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    this.minMs = Math.min(this.minMs, other.minMs);
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  /**
   * The value below which `fraction` of the samples lie, interpolated geometrically inside
   * its bin and clamped to the extremes seen; null when empty.
   */
  quantile(fraction: number): number | null {
    if (this.total === 0) return null;
    const wanted = fraction * this.total;
    let below = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const count = this.counts[i]!;
      if (count === 0) continue;
      if (below + count >= wanted) {
        const low = Math.max(this.lowerEdgeMs(i), this.minMs);
        const high = Math.min(this.upperEdgeMs(i), this.maxMs);
        if (low <= 0 || high <= low) return Math.max(low, Math.min(high, this.maxMs));
        const within = Math.min(1, Math.max(0, (wanted - below) / count));
        return low * (high / low) ** within;
      }
      below += count;
    }
    return this.maxMs;
  }
}
