import type { RequestRecord } from '@llm-lens/core-timing';
import { ExecutorError } from './executor-error.js';

/** Settings of the over-saturation guard (`--stop-on-saturation`). */
export interface SaturationGuardOptions {
  /** Length of one observation window, ms. Default 5000. */
  windowMs?: number;
  /** Error rate of a window above which it counts as failing (0..1). Default 0.5. */
  maxErrorRate?: number;
  /** Consecutive failing windows that stop the phase. Default 2. */
  errorWindows?: number;
  /**
   * Consecutive windows over which the median latency from the schedule must rise, each above
   * the one before, to stop the phase (with the last at least twice the first). Default 3.
   */
  risingWindows?: number;
  /** Finished requests a window needs to be judged. Default 10. */
  minRequests?: number;
}

/** One closed window's figures. */
interface WindowFigures {
  errorRate: number;
  /** Median latency from the schedule (first token, else end), ms; null without samples. */
  medianMs: number | null;
}

/**
 * Watches a measured phase in windows of time and says when it is past saturation: the error
 * rate stayed above `maxErrorRate`, or the latency from the schedule (which holds every queue,
 * the client's and the server's) kept rising window after window, as it does when requests
 * arrive faster than they are served. A closed loop cannot overload a server this way; an
 * open loop or a sweep's high levels can.
 */
export class SaturationGuard {
  readonly windowNs: bigint;
  readonly maxErrorRate: number;
  readonly errorWindows: number;
  readonly risingWindows: number;
  readonly minRequests: number;
  #windowStartNs: bigint | undefined;
  #requests = 0;
  #failed = 0;
  #latenciesMs: number[] = [];
  readonly #history: WindowFigures[] = [];
  #isDecided = false;

  constructor(options: SaturationGuardOptions = {}) {
    const windowMs = options.windowMs ?? 5000;
    this.maxErrorRate = options.maxErrorRate ?? 0.5;
    this.errorWindows = options.errorWindows ?? 2;
    this.risingWindows = options.risingWindows ?? 3;
    this.minRequests = options.minRequests ?? 10;
    const problems: string[] = [];
    if (!(windowMs > 0) || !Number.isFinite(windowMs))
      problems.push(`windowMs must be > 0, got ${windowMs}`);
    if (!(this.maxErrorRate >= 0 && this.maxErrorRate < 1)) {
      problems.push(`maxErrorRate must be in [0, 1), got ${this.maxErrorRate}`);
    }
    for (const [name, value, least] of [
      ['errorWindows', this.errorWindows, 1],
      ['risingWindows', this.risingWindows, 2],
      ['minRequests', this.minRequests, 1],
    ] as const) {
      if (!Number.isInteger(value) || value < least) {
        problems.push(`${name} must be a whole number >= ${least}, got ${value}`);
      }
    }
    if (problems.length > 0) {
      throw new ExecutorError(
        'LENS_EXECUTOR_PLAN_INVALID',
        `saturation guard: ${problems.join('; ')}`,
      );
    }
    this.windowNs = BigInt(Math.round(windowMs * 1e6));
  }

  /**
   * Takes one finished measured request (its last attempt) at `nowNs`; returns why the
   * phase should stop, once, when it should.
   */
  observe(record: RequestRecord, nowNs: bigint): string | undefined {
    if (this.#isDecided) return undefined;
    this.#windowStartNs ??= nowNs;
    if (nowNs - this.#windowStartNs >= this.windowNs) {
      this.#closeWindow();
      this.#windowStartNs = nowNs;
    }
    this.#requests++;
    if (record.status !== 'ok') this.#failed++;
    const fromScheduleNs = record.ttftFromScheduleNs ?? record.e2eFromScheduleNs;
    if (record.status === 'ok' && fromScheduleNs !== undefined) {
      this.#latenciesMs.push(Number(fromScheduleNs) / 1e6);
    }
    const reason = this.#verdict();
    if (reason !== undefined) this.#isDecided = true;
    return reason;
  }

  #closeWindow(): void {
    if (this.#requests >= this.minRequests) {
      const sorted = this.#latenciesMs.sort((a, b) => a - b);
      this.#history.push({
        errorRate: this.#failed / this.#requests,
        medianMs: sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) / 2)]!,
      });
    }
    this.#requests = 0;
    this.#failed = 0;
    this.#latenciesMs = [];
  }

  #verdict(): string | undefined {
    const windowS = Number(this.windowNs) / 1e9;
    const failing = this.#history.slice(-this.errorWindows);
    if (
      failing.length === this.errorWindows &&
      failing.every((w) => w.errorRate > this.maxErrorRate)
    ) {
      const rates = failing.map((w) => `${Math.round(w.errorRate * 100)}%`).join(', ');
      return `over-saturated: the error rate was ${rates} in the last ${this.errorWindows} windows of ${windowS} s (above ${Math.round(this.maxErrorRate * 100)}%), so the rest of the phase was not sent`;
    }
    const rising = this.#history.slice(-this.risingWindows);
    if (rising.length < this.risingWindows) return undefined;
    const medians = rising.map((w) => w.medianMs);
    if (medians.some((m) => m === null)) return undefined;
    const values = medians as number[];
    const isRising = values.every((m, i) => i === 0 || m > values[i - 1]!);
    if (!isRising || values.at(-1)! < 2 * values[0]!) return undefined;
    return `over-saturated: the median latency from the schedule kept rising (${values.map((m) => `${Math.round(m)} ms`).join(' → ')}) over ${this.risingWindows} windows of ${windowS} s: requests arrive faster than they are served, so the rest of the phase was not sent`;
  }
}
