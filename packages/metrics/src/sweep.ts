// Where a deployment saturates: one scenario run at rising load levels, read as a curve.
import type { GroupSummary } from './aggregator.js';
import { round3 } from './histogram.js';

/** The load a sweep varies. */
export type SweepParameter = 'concurrency' | 'rate';

/** When a level counts as past the knee. */
export interface KneeThresholds {
  /**
   * Throughput must rise by at least this fraction of the previous level's for the curve to
   * count as still rising. Default 0.1 (10 %).
   */
  minGain?: number;
  /** TTFT p95 above this, ms, is past the knee. Default: 3 × the first level's TTFT p95. */
  ttftP95Ms?: number;
  /** Failed share of measured requests above this is past the knee. Default 0.05. */
  maxErrorRate?: number;
}

/** One level of a sweep, as the summary reports it. */
export interface SweepLevel {
  value: number;
  /** The summary group of this level (its scenario name carries the level). */
  scenario: string;
  requests: number;
  requests_per_s: number;
  output_tokens_per_s: number;
  /** Requests sent per second: what the level asked of the server. */
  dispatch_rate_per_s: number | null;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
  e2e_p95_ms: number | null;
  error_rate: number;
  /** Requests per second that met every SLO, and their share; null without SLOs. */
  goodput_per_s: number | null;
  goodput_fraction: number | null;
}

/** A sweep's curve and where it bends. */
export interface SweepReport {
  provider: string;
  model: string;
  /** The scenario the levels were made from. */
  scenario: string;
  parameter: SweepParameter;
  levels: SweepLevel[];
  /**
   * The first level past which more load stops paying: throughput rose less than
   * `min_gain`, or TTFT p95 or the error rate crossed its threshold. Null when every
   * level was still healthy (the deployment did not saturate in the range swept).
   */
  knee: { value: number; reasons: string[] } | null;
  /** The level with the highest throughput among those before the knee (the knee excluded). */
  best: { value: number; output_tokens_per_s: number; requests_per_s: number } | null;
  thresholds: { min_gain: number; ttft_p95_ms: number | null; max_error_rate: number };
}

const DEFAULT_MIN_GAIN = 0.1;
const DEFAULT_MAX_ERROR_RATE = 0.05;
const DEFAULT_TTFT_FACTOR = 3;

/** Tokens per second where the levels produced tokens, else requests per second. */
function throughputOf(level: SweepLevel, useTokens: boolean): number {
  return useTokens ? level.output_tokens_per_s : level.requests_per_s;
}

/**
 * Reads a sweep: the groups of its levels in the order they were run (ascending load), and
 * the thresholds that define the knee.
 */
export function analyzeSweep(
  identity: { provider: string; model: string; scenario: string; parameter: SweepParameter },
  levels: ReadonlyArray<{ value: number; group: GroupSummary }>,
  thresholds: KneeThresholds = {},
): SweepReport {
  const rows: SweepLevel[] = levels.map(({ value, group }) => ({
    value,
    scenario: group.scenario,
    requests: group.requests.total,
    requests_per_s: group.throughput.requests_per_s,
    output_tokens_per_s: group.throughput.output_tokens_per_s,
    dispatch_rate_per_s: group.throughput.dispatch_rate_per_s,
    ttft_p50_ms: group.ttft?.p50 ?? null,
    ttft_p95_ms: group.ttft?.p95 ?? null,
    e2e_p95_ms: group.e2e?.p95 ?? null,
    error_rate: group.requests.total > 0 ? round3(group.requests.failed / group.requests.total) : 0,
    goodput_per_s: group.goodput?.requests_per_s ?? null,
    goodput_fraction: group.goodput?.fraction ?? null,
  }));
  const minGain = thresholds.minGain ?? DEFAULT_MIN_GAIN;
  const maxErrorRate = thresholds.maxErrorRate ?? DEFAULT_MAX_ERROR_RATE;
  const firstTtft = rows.find((row) => row.ttft_p95_ms !== null)?.ttft_p95_ms ?? null;
  const ttftLimit =
    thresholds.ttftP95Ms ?? (firstTtft === null ? null : round3(firstTtft * DEFAULT_TTFT_FACTOR));
  const useTokens = rows.some((row) => row.output_tokens_per_s > 0);

  let knee: SweepReport['knee'] = null;
  let best: SweepLevel | undefined;
  for (const [i, row] of rows.entries()) {
    const reasons: string[] = [];
    if (row.error_rate > maxErrorRate) {
      reasons.push(`error rate ${row.error_rate} > ${maxErrorRate}`);
    }
    if (ttftLimit !== null && row.ttft_p95_ms !== null && row.ttft_p95_ms > ttftLimit) {
      reasons.push(`TTFT p95 ${row.ttft_p95_ms} ms > ${ttftLimit} ms`);
    }
    const previous = rows[i - 1];
    if (previous !== undefined) {
      const before = throughputOf(previous, useTokens);
      const now = throughputOf(row, useTokens);
      if (now < before * (1 + minGain)) {
        const gain = before > 0 ? round3((now - before) / before) : 0;
        reasons.push(
          `throughput ${now} ${useTokens ? 'tokens' : 'requests'}/s rose ${round3(gain * 100)} % over the previous level (< ${round3(minGain * 100)} %)`,
        );
      }
    }
    if (reasons.length > 0) {
      knee = { value: row.value, reasons };
      break;
    }
    if (best === undefined || throughputOf(row, useTokens) > throughputOf(best, useTokens)) {
      best = row;
    }
  }
  return {
    ...identity,
    levels: rows,
    knee,
    best:
      best === undefined
        ? null
        : {
            value: best.value,
            output_tokens_per_s: best.output_tokens_per_s,
            requests_per_s: best.requests_per_s,
          },
    thresholds: { min_gain: minGain, ttft_p95_ms: ttftLimit, max_error_rate: maxErrorRate },
  };
}
