import type { Histogram } from 'hdr-histogram-js';
import { buildHdr, decodeHdr, ScaledHistogram } from './histogram.js';

// HDR records integers; rates are kept in thousandths so 12.3456 tokens/s is not
// truncated to 12, with the same 3-significant-digit precision as latencies.
const RECORDED_UNITS_PER_RATE_UNIT = 1_000;

/**
 * An HDR histogram of per-request rates (tokens per second), recorded as integer
 * milli-tokens/s and reported in tokens/s. Encodes and merges exactly like
 * `LatencyHistogram`.
 */
export class RateHistogram extends ScaledHistogram {
  constructor(hdr: Histogram = buildHdr()) {
    super(hdr, RECORDED_UNITS_PER_RATE_UNIT);
  }

  /**
   * Records a rate.
   * @param perSecond the rate in units (tokens) per second
   * @param count how many samples of this rate (default 1)
   */
  record(perSecond: number, count = 1): void {
    this.recordScaled(perSecond * RECORDED_UNITS_PER_RATE_UNIT, count);
  }

  /** A histogram from `encode()` output. */
  static decode(encoded: string): RateHistogram {
    return new RateHistogram(decodeHdr(encoded, 'a rate histogram'));
  }
}
