import { encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import {
  assertCount,
  assertRecordable,
  buildHdr,
  type DistributionSummary,
  decodeHdr,
  summarizeHdr,
} from './histogram.js';

// HDR records integers; rates are kept in thousandths so 12.3456 tokens/s is not
// truncated to 12, with the same 3-significant-digit precision as latencies.
const RECORDED_UNITS_PER_RATE_UNIT = 1_000;

/**
 * An HDR histogram of per-request rates (tokens per second), recorded as integer
 * milli-tokens/s and reported in tokens/s. Encodes and merges exactly like
 * `LatencyHistogram`.
 */
export class RateHistogram {
  private readonly hdr: Histogram;

  constructor(hdr: Histogram = buildHdr()) {
    this.hdr = hdr;
  }

  /**
   * Records a rate.
   * @param perSecond the rate in units (tokens) per second
   * @param count how many samples of this rate (default 1)
   */
  record(perSecond: number, count = 1): void {
    const scaled = Math.round(perSecond * RECORDED_UNITS_PER_RATE_UNIT);
    assertRecordable(scaled, 'rate (milli-units/s)');
    assertCount(count);
    if (count === 1) this.hdr.recordValue(scaled);
    else if (count > 0) this.hdr.recordValueWithCount(scaled, count);
  }

  /** Number of samples recorded. */
  get count(): number {
    return this.hdr.totalCount;
  }

  /** Statistics in units (tokens) per second, or null when nothing was recorded. */
  summary(): DistributionSummary | null {
    return summarizeHdr(this.hdr, RECORDED_UNITS_PER_RATE_UNIT);
  }

  /** hdr's compressed base64 encoding. */
  encode(): string {
    return encodeIntoCompressedBase64(this.hdr);
  }

  /** A histogram from `encode()` output. */
  static decode(encoded: string): RateHistogram {
    return new RateHistogram(decodeHdr(encoded, 'a rate histogram'));
  }

  /** Adds every sample of `other` to this histogram; exact, bucket by bucket. */
  merge(other: RateHistogram): void {
    this.hdr.add(other.hdr);
  }
}
