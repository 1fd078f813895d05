import type { RequestRecord } from '@llm-lens/core-timing';
import { outputTokensPerS } from '@llm-lens/metrics';
import { SampleSeries } from './sample-series.js';

/**
 * Per-token inter-token latencies of a group, grouped by request: the events of succeeded
 * request i are `[request_offsets[i], request_offsets[i + 1])` (empty for a request with
 * fewer than two token events), each `counts[e]` samples of `values_ms[e]` (a gap g before
 * an event carrying k tokens is k samples of g / k, as the aggregator counts `itl`).
 */
export interface ItlSamples {
  values_ms: Float64Array;
  counts: Float64Array;
  request_offsets: Float64Array;
}

/** The per-request values of one provider/model/scenario, as the statistics count them. */
export interface GroupSamples {
  provider: string;
  model: string;
  scenario: string;
  /** Measured requests (warm-up, cool-down and retried attempts left out, as the Aggregator does). */
  requests: { total: number; succeeded: number; failed: number };
  /**
   * One value per succeeded request, in the order they were added, NaN where the request has
   * none (no token, one token for tpot, no price for cost): every array below is indexed
   * alike, so one resample of requests serves every metric.
   */
  ttft_ms: Float64Array;
  tpot_ms: Float64Array;
  e2e_ms: Float64Array;
  /** output tokens / e2e of each succeeded request, tokens per second. */
  output_tokens_per_s: Float64Array;
  /** Cost of each succeeded request, USD (NaN: unpriced). */
  cost_usd: Float64Array;
  itl: ItlSamples;
  /** Run-level rates over the measured window, computed as the Aggregator computes them. */
  throughput: { window_s: number; requests_per_s: number; output_tokens_per_s: number };
}

/** Every group of one run, ready for {@link compareRuns}. */
export interface RunSamples {
  kind: 'llm-lens-run-samples';
  /** The run's id when the caller knows it (the summary's `run.run_id`), else null. */
  run_id: string | null;
  groups: GroupSamples[];
}

/** Folds records, one at a time, into {@link RunSamples}; see {@link collectRunSamples}. */
export interface RunSamplesCollector {
  /** Adds one record (any record of a run: the ones the statistics skip are skipped here). */
  add(record: RequestRecord): void;
  /** Records added so far that the statistics count. */
  readonly counted: number;
  /**
   * The samples so far; the collector can keep taking records afterwards. `runId` names
   * the run when it was not known at the start (the summary's `run.run_id` arrives last).
   */
  finish(options?: { runId?: string | null }): RunSamples;
}

class GroupCollector {
  readonly requests = { total: 0, succeeded: 0, failed: 0 };
  readonly ttft = new SampleSeries();
  readonly tpot = new SampleSeries();
  readonly e2e = new SampleSeries();
  readonly outputRate = new SampleSeries();
  readonly cost = new SampleSeries();
  readonly itlValues = new SampleSeries();
  readonly itlCounts = new SampleSeries();
  readonly itlOffsets = new SampleSeries();
  outputTokens = 0;
  costUsd = 0;
  windowStartMs = Number.POSITIVE_INFINITY;
  windowEndMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly provider: string,
    readonly model: string,
    readonly scenario: string,
  ) {
    this.itlOffsets.push(0);
  }

  addItl(record: RequestRecord): void {
    const offsets = record.tokenEventOffsetsNs;
    const tokens = record.tokenEventTokens;
    for (let i = 1; i < offsets.length; i++) {
      // As the aggregator: an event with 0 tokens counts as 1 rather than divide by 0.
      const k = Math.max(1, tokens[i] ?? 1);
      const valueMs = (offsets[i]! - offsets[i - 1]!) / k / 1e6;
      if (!isSample(valueMs)) continue;
      this.itlValues.push(valueMs);
      this.itlCounts.push(k);
    }
    this.itlOffsets.push(this.itlValues.length);
  }

  samples(): GroupSamples {
    const { total, succeeded } = this.requests;
    // The same arithmetic as the Aggregator's summary, so a comparison's throughput is the
    // number the run's summary shows.
    const windowS =
      this.windowStartMs < this.windowEndMs
        ? round3((this.windowEndMs - this.windowStartMs) / 1000)
        : 0;
    const perSecond = (n: number): number => (windowS > 0 ? round3(n / windowS) : 0);
    const offsets = this.itlOffsets.toArray();
    return {
      provider: this.provider,
      model: this.model,
      scenario: this.scenario,
      requests: { total, succeeded, failed: this.requests.failed },
      ttft_ms: this.ttft.toArray(),
      tpot_ms: this.tpot.toArray(),
      e2e_ms: this.e2e.toArray(),
      output_tokens_per_s: this.outputRate.toArray(),
      cost_usd: this.cost.toArray(),
      itl: {
        values_ms: this.itlValues.toArray(),
        counts: this.itlCounts.toArray(),
        request_offsets: offsets,
      },
      throughput: {
        window_s: windowS,
        requests_per_s: perSecond(succeeded),
        output_tokens_per_s: perSecond(this.outputTokens),
      },
    };
  }
}

/**
 * A collector of the per-request values a comparison needs. Records are counted by the
 * Aggregator's rules: warm-up and cool-down records and retried attempts are skipped, a
 * failed request counts in `requests` only, negative or non-finite values are left out.
 * Memory: 8 bytes per succeeded request per metric, 16 bytes per token event for ITL.
 */
export function collectRunSamples(options: { runId?: string | null } = {}): RunSamplesCollector {
  const groups = new Map<string, GroupCollector>();
  let counted = 0;
  return {
    get counted() {
      return counted;
    },
    add(record: RequestRecord): void {
      if (record.isWarmup || record.isCooldown === true) return;
      if (record.attempt !== undefined && record.isRetried === true) return;
      const key = JSON.stringify([record.provider, record.model, record.scenario]);
      let group = groups.get(key);
      if (group === undefined) {
        group = new GroupCollector(record.provider, record.model, record.scenario);
        groups.set(key, group);
      }
      counted += 1;
      group.requests.total += 1;
      const e2eMs = record.e2eNs === undefined ? 0 : Number(record.e2eNs) / 1e6;
      if (record.startedAtMs < group.windowStartMs) group.windowStartMs = record.startedAtMs;
      if (record.startedAtMs + e2eMs > group.windowEndMs) {
        group.windowEndMs = record.startedAtMs + e2eMs;
      }
      if (record.status !== 'ok') {
        group.requests.failed += 1;
        return;
      }
      group.requests.succeeded += 1;
      pushNs(group.ttft, record.ttftNs);
      pushNs(group.tpot, record.tpotNs);
      pushNs(group.e2e, record.e2eNs);
      const rate = outputTokensPerS(record);
      group.outputRate.push(rate !== undefined && isSample(rate) ? rate : Number.NaN);
      group.addItl(record);
      const output = record.outputTokens;
      if (output !== undefined && output >= 0 && Number.isFinite(group.outputTokens + output)) {
        group.outputTokens += output;
      }
      const cost = record.costUsd;
      if (cost !== undefined && cost >= 0 && Number.isFinite(group.costUsd + cost)) {
        group.costUsd += cost;
        group.cost.push(cost);
      } else {
        group.cost.push(Number.NaN);
      }
    },
    finish(finishOptions = {}): RunSamples {
      return {
        kind: 'llm-lens-run-samples',
        run_id: finishOptions.runId ?? options.runId ?? null,
        groups: [...groups.values()].map((group) => group.samples()),
      };
    },
  };
}

function pushNs(series: SampleSeries, ns: bigint | undefined): void {
  const ms = ns === undefined ? Number.NaN : Number(ns) / 1e6;
  series.push(isSample(ms) ? ms : Number.NaN);
}

function isSample(value: number): boolean {
  return value >= 0 && Number.isFinite(value);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
