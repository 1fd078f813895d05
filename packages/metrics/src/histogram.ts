import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';
import { MetricsError } from './metrics-error.js';

/**
 * A distribution as reported: count, then statistics in the histogram's reporting unit
 * (milliseconds for latencies, tokens/s for rates), rounded to 3 decimals. Every value is
 * computed from the histogram buckets, so a merged histogram reports exactly what one
 * histogram of all the samples would.
 */
/** The statistics of every distribution, in the order outputs write them. */
export const DISTRIBUTION_STATISTICS = [
  'count',
  'min',
  'mean',
  'stdev',
  'p50',
  'p75',
  'p90',
  'p95',
  'p99',
  'p999',
  'max',
] as const satisfies ReadonlyArray<keyof DistributionSummary>;

export interface DistributionSummary {
  count: number;
  /** Lowest value equivalent to the smallest sample's bucket. */
  min: number;
  mean: number;
  stdev: number;
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  /** Highest value equivalent to the largest sample's bucket (as HdrHistogram reports it). */
  max: number;
}

// 1 h in the recorded unit; autoResize lets larger values in rather than throw, at the
// cost of a bigger counts array for that histogram only.
const HIGHEST_TRACKABLE_VALUE = 3_600_000_000;

/** An empty HDR histogram with the settings every distribution in llm-latency-lens uses. */
export function buildHdr(): Histogram {
  return build({
    numberOfSignificantValueDigits: 3,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_VALUE,
    autoResize: true,
    useWebAssembly: false,
  });
}

/** Decodes hdr's compressed base64 form into a histogram that can keep growing. */
export function decodeHdr(encoded: string, what: string): Histogram {
  let hdr: Histogram;
  try {
    hdr = decodeFromCompressedBase64(encoded, 32, false);
  } catch (cause) {
    throw new MetricsError(
      'LENS_METRICS_DECODE_FAILED',
      `could not decode ${what}: expected HdrHistogram compressed base64 as produced by encode(), got ${JSON.stringify(encoded.slice(0, 32))}${encoded.length > 32 ? '…' : ''}`,
      { cause },
    );
  }
  hdr.autoResize = true;
  return hdr;
}

/** The summary of an HDR histogram whose integer values are `unitsPerReported` per reported unit. */
export function summarizeHdr(hdr: Histogram, unitsPerReported: number): DistributionSummary | null {
  const count = hdr.totalCount;
  if (count === 0) return null;
  const at = (percentile: number): number =>
    round3(hdr.getValueAtPercentile(percentile) / unitsPerReported);
  return {
    count,
    // percentile 0 and 100 are bucket-derived, unlike hdr's minNonZeroValue/maxValue which
    // keep the exact extremes in the original but not after an encode/decode round trip.
    min: at(0),
    mean: round3(hdr.mean / unitsPerReported),
    stdev: round3(hdr.stdDeviation / unitsPerReported),
    p50: at(50),
    p75: at(75),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: at(100),
  };
}

/**
 * Largest value recorded as itself, in the recorded unit: 2^40 µs is 12.7 days, 2^40
 * milli-tokens/s is 1.1 billion tokens/s. A larger value (a server that reports 10^20
 * tokens) is recorded at this ceiling rather than growing the histogram toward hdr's limits,
 * where it throws.
 */
export const MAX_RECORDED_VALUE = 2 ** 40;

/** Most samples one call records; a larger count (a server-reported token burst) is capped. */
export const MAX_RECORDED_COUNT = 2 ** 20;

/** Rounds to 3 decimals, the precision every reported number carries. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * What LatencyHistogram and RateHistogram share: an HDR histogram of integers in a recorded
 * unit, reported divided by `unitsPerReported`. Subclasses only convert their input.
 */
export abstract class ScaledHistogram {
  protected readonly hdr: Histogram;

  protected constructor(
    hdr: Histogram,
    private readonly unitsPerReported: number,
  ) {
    this.hdr = hdr;
  }

  /**
   * Samples that were outside what a distribution can hold: non-finite or negative values
   * (left out), values above {@link MAX_RECORDED_VALUE} or counts above
   * {@link MAX_RECORDED_COUNT} (recorded at the ceiling). Recording never throws for them:
   * whatever a server sends, the run goes on and the summary says how many there were.
   */
  outOfRange = 0;

  /** Records `count` samples of a value in the recorded unit (rounded to an integer). */
  protected recordScaled(value: number, count: number): void {
    if (
      !(value >= 0 && value <= MAX_RECORDED_VALUE) ||
      !(count >= 0 && count <= MAX_RECORDED_COUNT)
    ) {
      // NaN fails both comparisons, so it lands here too.
      this.outOfRange += 1;
      if (!(value >= 0) || !(count >= 0) || value === Number.POSITIVE_INFINITY) return;
      value = Math.min(value, MAX_RECORDED_VALUE);
      count = Math.min(count, MAX_RECORDED_COUNT);
    }
    const integer = Math.round(value);
    const times = Math.round(count);
    if (times === 1) this.hdr.recordValue(integer);
    else if (times > 0) this.hdr.recordValueWithCount(integer, times);
  }

  /** Number of samples recorded. */
  get count(): number {
    return this.hdr.totalCount;
  }

  /**
   * One percentile (0–100) in the reported unit, the same value `summary()` reports for it,
   * or null when nothing was recorded. One partial scan of the counts, where `summary()`
   * walks them a dozen times: live displays call this while requests are being measured.
   */
  percentile(percentile: number): number | null {
    if (this.hdr.totalCount === 0) return null;
    return round3(this.hdr.getValueAtPercentile(percentile) / this.unitsPerReported);
  }

  /** Statistics in the reported unit, or null when nothing was recorded. */
  summary(): DistributionSummary | null {
    return summarizeHdr(this.hdr, this.unitsPerReported);
  }

  /** hdr's compressed base64 encoding: what workers send instead of percentiles. */
  encode(): string {
    return encodeIntoCompressedBase64(this.hdr);
  }

  /** Adds every sample of `other` to this histogram; exact, bucket by bucket. */
  merge(other: this): void {
    this.hdr.add(other.hdr);
    this.outOfRange += other.outOfRange;
  }
}

const NS_PER_RECORDED_UNIT = 1_000; // samples are kept in microseconds
const RECORDED_UNITS_PER_MS = 1_000;

/**
 * An HDR histogram of durations, reported in milliseconds. Values are kept as whole
 * microseconds with 3 significant digits: exact to 1 µs up to 2.048 ms, within 0.1% above.
 */
export class LatencyHistogram extends ScaledHistogram {
  constructor(hdr: Histogram = buildHdr()) {
    super(hdr, RECORDED_UNITS_PER_MS);
  }

  /**
   * Records a duration.
   * @param ns duration in nanoseconds, rounded to the nearest microsecond
   * @param count how many samples of this duration (default 1)
   */
  recordNs(ns: bigint | number, count = 1): void {
    this.recordScaled(Number(ns) / NS_PER_RECORDED_UNIT, count);
  }

  /** A histogram from `encode()` output. */
  static decode(encoded: string): LatencyHistogram {
    return new LatencyHistogram(decodeHdr(encoded, 'a latency histogram'));
  }
}
