// What the HTML report keeps of the records: per target, log-binned distributions and
// per-time-window counts. Memory depends on the number of targets and on the run's length
// (bounded by coarsening the windows), never on the number of records.
import type { RequestRecord } from '@llm-lens/core-timing';
import { LogHistogram } from './log-histogram.js';

/** Bins per decade of the TTFT, E2E and ITL distributions (5.9 % wide bins). */
export const DISTRIBUTION_BINS_PER_DECADE = 40;
/** Bins per decade of each window's TTFT histogram, which gives its p50 (12 % wide bins). */
export const WINDOW_BINS_PER_DECADE = 20;
/**
 * Time windows kept at most: past this many, the window width doubles and neighbours
 * merge, so a week-long soak costs what a ten-minute run does.
 */
export const MAX_WINDOWS = 600;
/** Width of a time window until the run outgrows {@link MAX_WINDOWS}, ms. */
export const INITIAL_WINDOW_MS = 1000;

/** A provider/model/scenario, as the summary groups records. */
export interface TargetKey {
  provider: string;
  model: string;
  scenario: string;
}

/** One time window of one target. */
export interface WindowCounts {
  /** Measured requests that succeeded and ended in the window. */
  completed: number;
  /** Measured requests that failed and ended in the window. */
  failed: number;
  /** Output tokens that arrived in the window (token events, scaled to the record's count). */
  outputTokens: number;
  /** TTFTs of the requests whose first token arrived in the window; undefined when none did. */
  ttft: LogHistogram | undefined;
}

/** Everything kept of one target's records. */
export interface TargetDistributions extends TargetKey {
  ttft: LogHistogram;
  e2e: LogHistogram;
  /** Per-token gaps: a gap g before an event of k tokens is k samples of g / k (like the summary's itl). */
  itl: LogHistogram;
  /** Windows by index: window i spans [i × windowMs, (i + 1) × windowMs) in epoch ms. */
  windows: Map<number, WindowCounts>;
}

function emptyWindow(): WindowCounts {
  return { completed: 0, failed: 0, outputTokens: 0, ttft: undefined };
}

/**
 * Takes measured records one at a time and keeps what the report's charts need (see
 * {@link TargetDistributions}). Warm-up and cool-down records, and failed attempts that
 * another attempt followed, are left out, as the summary's statistics leave them out.
 */
export class RunDistributions {
  readonly targets = new Map<string, TargetDistributions>();
  /** Width of every target's time windows, ms (grows past {@link MAX_WINDOWS} windows). */
  windowMs = INITIAL_WINDOW_MS;
  /** Measured records taken. */
  records = 0;
  private lowestWindow = Number.POSITIVE_INFINITY;
  private highestWindow = Number.NEGATIVE_INFINITY;

  /** Adds one record; never throws for any values. */
  add(record: RequestRecord): void {
    if (record.isWarmup || record.isCooldown === true || record.isRetried === true) return;
    this.records += 1;
    const target = this.target(record);
    const e2eMs = record.e2eNs === undefined ? 0 : Number(record.e2eNs) / 1e6;
    const endWindow = this.windowAt(target, record.startedAtMs + e2eMs);
    if (record.status !== 'ok') {
      endWindow.failed += 1;
      return;
    }
    endWindow.completed += 1;
    if (record.e2eNs !== undefined) target.e2e.add(e2eMs);
    if (record.ttftNs !== undefined) {
      const ttftMs = Number(record.ttftNs) / 1e6;
      target.ttft.add(ttftMs);
      const firstTokenWindow = this.windowAt(target, record.startedAtMs + ttftMs);
      firstTokenWindow.ttft ??= new LogHistogram(WINDOW_BINS_PER_DECADE);
      firstTokenWindow.ttft.add(ttftMs);
    }
    this.addTokenEvents(target, record);
  }

  private addTokenEvents(target: TargetDistributions, record: RequestRecord): void {
    const offsets = record.tokenEventOffsetsNs;
    const tokens = record.tokenEventTokens;
    let eventTokens = 0;
    for (let i = 0; i < offsets.length; i++) eventTokens += Math.max(1, tokens[i] ?? 1);
    const outputTokens = record.outputTokens ?? eventTokens;
    if (offsets.length === 0 || eventTokens === 0) {
      const e2eMs = record.e2eNs === undefined ? 0 : Number(record.e2eNs) / 1e6;
      if (outputTokens > 0)
        this.windowAt(target, record.startedAtMs + e2eMs).outputTokens += outputTokens;
      return;
    }
    // The server's count wins over the events' (see token_count_source); the events say when.
    const scale = outputTokens / eventTokens;
    let window = this.windowAt(target, record.startedAtMs + offsets[0]! / 1e6);
    let windowEnd = (this.indexOf(record.startedAtMs + offsets[0]! / 1e6) + 1) * this.windowMs;
    for (let i = 0; i < offsets.length; i++) {
      const k = Math.max(1, tokens[i] ?? 1);
      const atMs = record.startedAtMs + offsets[i]! / 1e6;
      if (atMs >= windowEnd) {
        window = this.windowAt(target, atMs);
        windowEnd = (this.indexOf(atMs) + 1) * this.windowMs;
      }
      window.outputTokens += k * scale;
      if (i > 0) target.itl.add((offsets[i]! - offsets[i - 1]!) / 1e6 / k, k);
    }
  }

  private target(key: TargetKey): TargetDistributions {
    const id = targetId(key);
    let target = this.targets.get(id);
    if (target === undefined) {
      target = {
        provider: key.provider,
        model: key.model,
        scenario: key.scenario,
        ttft: new LogHistogram(DISTRIBUTION_BINS_PER_DECADE),
        e2e: new LogHistogram(DISTRIBUTION_BINS_PER_DECADE),
        itl: new LogHistogram(DISTRIBUTION_BINS_PER_DECADE),
        windows: new Map(),
      };
      this.targets.set(id, target);
    }
    return target;
  }

  private indexOf(epochMs: number): number {
    return Math.floor(epochMs / this.windowMs);
  }

  /** The window of a target that holds `epochMs`, created when missing. */
  private windowAt(target: TargetDistributions, epochMs: number): WindowCounts {
    const safeMs = Number.isFinite(epochMs) ? epochMs : 0;
    let index = this.indexOf(safeMs);
    if (index < this.lowestWindow) this.lowestWindow = index;
    if (index > this.highestWindow) this.highestWindow = index;
    while (this.highestWindow - this.lowestWindow + 1 > MAX_WINDOWS) {
      this.coarsen();
      index = this.indexOf(safeMs);
    }
    let window = target.windows.get(index);
    if (window === undefined) {
      window = emptyWindow();
      target.windows.set(index, window);
    }
    return window;
  }

  /** Doubles the window width, merging each pair of neighbouring windows. */
  private coarsen(): void {
    this.windowMs *= 2;
    this.lowestWindow = Math.floor(this.lowestWindow / 2);
    this.highestWindow = Math.floor(this.highestWindow / 2);
    for (const target of this.targets.values()) {
      const merged = new Map<number, WindowCounts>();
      for (const [index, window] of target.windows) {
        const into = merged.get(Math.floor(index / 2));
        if (into === undefined) {
          merged.set(Math.floor(index / 2), window);
          continue;
        }
        into.completed += window.completed;
        into.failed += window.failed;
        into.outputTokens += window.outputTokens;
        if (window.ttft !== undefined) {
          if (into.ttft === undefined) into.ttft = window.ttft;
          else into.ttft.merge(window.ttft);
        }
      }
      target.windows = merged;
    }
  }
}

/** The key a target is found by, in the collector and in the report. */
export function targetId(key: TargetKey): string {
  return JSON.stringify([key.provider, key.model, key.scenario]);
}
