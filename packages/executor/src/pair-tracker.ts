import { now, type RequestRecord } from '@llm-lens/core-timing';
import { LatencyHistogram } from '@llm-lens/metrics';
import { SaturationGuard, type SaturationGuardOptions } from './saturation-guard.js';

/** A snapshot of a run in progress, for live displays. */
export interface ProgressEvent {
  provider: string;
  model: string;
  scenario: string;
  phase: 'warmup' | 'measure';
  /** Position of this provider/model/scenario pair among all pairs, 1-based. */
  pairIndex: number;
  pairCount: number;
  /** With `repeat` > 1: which run of the benchmark this is (1-based), and how many. */
  repeat?: { index: number; count: number };
  /** Requests of this phase finished so far, and planned (`Infinity`: the phase ends by time). */
  done: number;
  total: number;
  /** Length of the measured phase when it ends by time, s; null when it ends by count. */
  durationS: number | null;
  failed: number;
  elapsedS: number;
  requestsPerS: number;
  /** Median TTFT of the measured requests so far, milliseconds; null before the first. */
  p50TtftMs: number | null;
  /** Whether dispatching has been stopped (an interrupt or an early stop). */
  stopping: boolean;
}

/** Finished requests of a pair that fail alike before any succeeds, after which it stops. */
export const EARLY_STOP_AFTER = 3;

/**
 * The first finished requests of a pair decide whether sending the rest measures anything:
 * when the first {@link EARLY_STOP_AFTER} (or all, if fewer are planned) failed the same
 * persistent way (refused, unknown host, 401/403/404, ...) and none succeeded, the reason
 * is returned once.
 */
export class EarlyStopRule {
  #seen = 0;
  #signature: string | undefined;
  #isDecided = false;

  constructor(private readonly planned: number) {}

  /** The reason to stop, the first time the rule fires; undefined otherwise. */
  observe(record: RequestRecord): string | undefined {
    if (this.#isDecided) return undefined;
    if (record.status === 'ok' || record.errorIsPersistent !== true) {
      this.#isDecided = true;
      return undefined;
    }
    const signature = `${record.errorClass}\u0000${record.httpStatus ?? ''}\u0000${record.errorMessage ?? ''}`;
    if (this.#signature !== undefined && signature !== this.#signature) {
      this.#isDecided = true;
      return undefined;
    }
    this.#signature = signature;
    this.#seen++;
    if (this.#seen < Math.min(EARLY_STOP_AFTER, this.planned)) return undefined;
    this.#isDecided = true;
    if (this.#seen >= this.planned) return undefined; // nothing left to spare
    return `the first ${this.#seen} requests all failed the same way (${record.errorClass}: ${record.errorMessage ?? ''}), so the rest were not sent`;
  }
}

/** Options of {@link PairTracker}. */
export interface PairTrackerOptions {
  provider: string;
  model: string;
  scenario: string;
  pairIndex: number;
  pairCount: number;
  repeat?: { index: number; count: number } | undefined;
  warmupPlanned: number;
  measurePlanned: number;
  /** Length of the measured phase when it ends by time, s. */
  measureDurationS?: number | undefined;
  /** Progress callback and its throttle, ms. */
  onProgress: ((event: ProgressEvent) => void) | undefined;
  progressIntervalMs: number;
  /** Every record, in completion order. */
  onRecord: (record: RequestRecord) => void;
  /** Called once when the early-stop rule fires. */
  onEarlyStop: (reason: string) => void;
  /** Whether the run is stopping (an interrupt). */
  isStopping: () => boolean;
  /** Stop the measured phase when it is past saturation (see {@link SaturationGuard}). */
  saturationGuard?: SaturationGuardOptions | undefined;
}

/**
 * The main thread's view of one pair: counts, live progress and the early-stop rule, fed
 * with every finished record whichever thread measured it.
 */
export class PairTracker {
  readonly #options: PairTrackerOptions;
  readonly #ttft = new LatencyHistogram();
  readonly #earlyStop: EarlyStopRule;
  readonly #saturation: SaturationGuard | undefined;
  readonly #startNs = now();
  readonly #intervalNs: bigint;
  #lastProgressNs = 0n;
  #warmupDone = 0;
  #measureDone = 0;
  #failed = 0;
  #stoppedEarly: string | undefined;
  #ticker: NodeJS.Timeout | undefined;

  constructor(options: PairTrackerOptions) {
    this.#options = options;
    this.#earlyStop = new EarlyStopRule(options.warmupPlanned + options.measurePlanned);
    this.#saturation =
      options.saturationGuard === undefined
        ? undefined
        : new SaturationGuard(options.saturationGuard);
    this.#intervalNs = BigInt(Math.round(options.progressIntervalMs * 1e6));
    // Long requests finish rarely: keep elapsed time and rates moving between completions.
    if (options.onProgress !== undefined) {
      this.#ticker = setInterval(() => this.#emit(false), 500);
    }
  }

  /** Why the pair stopped early, if it did. */
  get stoppedEarly(): string | undefined {
    return this.#stoppedEarly;
  }

  accept(record: RequestRecord): void {
    // An attempt another followed is not an outcome: it is passed on, and counts nowhere here.
    if (record.isRetried === true) {
      this.#options.onRecord(record);
      return;
    }
    if (record.isWarmup) this.#warmupDone++;
    else if (record.isCooldown === true) {
      // Unmeasured, like warm-up; after the measured phase, so no progress of its own.
    } else {
      this.#measureDone++;
      if (record.status === 'ok' && record.ttftNs !== undefined) this.#ttft.recordNs(record.ttftNs);
    }
    if (record.status !== 'ok') this.#failed++;
    let reason = this.#earlyStop.observe(record);
    if (
      reason === undefined &&
      this.#saturation !== undefined &&
      this.#stoppedEarly === undefined &&
      !record.isWarmup &&
      record.isCooldown !== true
    ) {
      reason = this.#saturation.observe(record, now());
    }
    if (reason !== undefined) {
      this.#stoppedEarly = reason;
      this.#options.onEarlyStop(reason);
    }
    this.#options.onRecord(record);
    this.#emit(false);
  }

  /** Emits a last progress event and stops the ticker. */
  finish(): void {
    if (this.#ticker !== undefined) clearInterval(this.#ticker);
    this.#emit(true);
  }

  #emit(force: boolean): void {
    const onProgress = this.#options.onProgress;
    if (onProgress === undefined) return;
    const t = now();
    if (!force && t - this.#lastProgressNs < this.#intervalNs) return;
    this.#lastProgressNs = t;
    const o = this.#options;
    const isWarmup = this.#measureDone === 0 && this.#warmupDone < o.warmupPlanned;
    const done = isWarmup ? this.#warmupDone : this.#measureDone;
    const elapsedS = Number(t - this.#startNs) / 1e9;
    onProgress({
      provider: o.provider,
      model: o.model,
      scenario: o.scenario,
      phase: isWarmup ? 'warmup' : 'measure',
      pairIndex: o.pairIndex,
      pairCount: o.pairCount,
      ...(o.repeat === undefined ? {} : { repeat: o.repeat }),
      done,
      total: isWarmup ? o.warmupPlanned : o.measurePlanned,
      durationS: isWarmup ? null : (o.measureDurationS ?? null),
      failed: this.#failed,
      elapsedS,
      requestsPerS: elapsedS > 0 ? (this.#warmupDone + this.#measureDone) / elapsedS : 0,
      // One percentile, not a summary: this runs while requests are being measured, and a
      // full summary walks the histogram a dozen times (35 ms on a cold start, measured).
      p50TtftMs: isWarmup ? null : this.#ttft.percentile(50),
      stopping: o.isStopping() || this.#stoppedEarly !== undefined,
    });
  }
}
