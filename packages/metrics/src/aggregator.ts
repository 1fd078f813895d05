import {
  ERROR_CLASSES,
  now,
  type RequestRecord,
  type TokenCountSource,
} from '@llm-lens/core-timing';
import { type DistributionSummary, LatencyHistogram, round3 } from './histogram.js';
import {
  type AddSample,
  LATENCY_COLLECTORS,
  LATENCY_METRICS,
  type LatencyMetric,
  type MetricName,
  PER_EVENT_METRICS,
  RATE_COLLECTORS,
  RATE_METRICS,
  type RateMetric,
} from './metric-definitions.js';
import { MetricsError } from './metrics-error.js';
import { RateHistogram } from './rate-histogram.js';
import { RetryCounts, type RetrySummary } from './retry-counts.js';
import { type EncodedSessions, SessionCounts, type SessionSummary } from './session-counts.js';
import { hasSlo, meetsSlo, type SloTargets } from './slo.js';

/** Error-class key for a failed record that carries no class (should not happen). */
export const UNCLASSIFIED_ERROR = 'unclassified';

/**
 * Token events whose samples are added in one go. A record with more (a 100,000-event
 * response) is added in slices of this many by {@link Aggregator.beginAdd}, so one huge
 * response does not block the thread that stamps the others for tens of milliseconds
 * (hdr records a sample in about 0.5–1 µs here; 512 events are two samples each).
 */
export const EVENTS_PER_SLICE = 512;

const NO_DEADLINE = 2n ** 63n;

/** A record being added to an aggregator; see {@link Aggregator.beginAdd}. */
export interface RecordAddition {
  /** Adds samples until `deadlineNs` passes (at least one slice); true once the record is in. */
  step(deadlineNs: bigint): boolean;
}

const ADDED: RecordAddition = { step: () => true };

/** Characters of an error message kept as the example of its class. */
const EXAMPLE_CHARS = 200;

/** How far the run's numbers can be trusted; the same for every group of a run. */
export interface GroupFidelity {
  event_loop_delay_p99_ms: number;
  event_loop_delay_max_ms: number;
  /** True: the client was the bottleneck; null: the run was too short to tell. */
  client_bound: boolean | null;
}

/** What the caller knows about the run as a whole when it asks for summaries. */
export interface SummarizeOptions {
  /** False when the run was interrupted and not every planned request ran. */
  complete: boolean;
  fidelity: GroupFidelity;
}

/** Request counts of a group. */
export interface RequestCounts {
  /** Measured requests the plan asked for; null when the aggregator was not told. */
  planned: number | null;
  /** Measured requests that were sent and finished (succeeded + failed). */
  total: number;
  succeeded: number;
  failed: number;
  /** Warm-up requests (sent, finished, excluded from every statistic). */
  warmup: number;
  /** Planned requests never sent (an interrupt, an early stop); null when `planned` is. */
  not_sent: number | null;
}

/** Request, token and throughput statistics of one provider/model/scenario. */
export type GroupSummary = {
  provider: string;
  model: string;
  scenario: string;
  complete: boolean;
  requests: RequestCounts;
  /** Why dispatching stopped before every planned request was sent, when it did (not an interrupt). */
  stopped_early: string | null;
  success_rate: number;
} & { [M in MetricName]: DistributionSummary | null } & {
  tokens: TokenTotals;
  token_count_sources: Record<TokenCountSource, number>;
  token_count_mismatches: number;
  /**
   * Connections the measured requests opened (a request that reused one opened none), by the
   * protocol each negotiated (`http/1.1`, `h2`; `unknown` when not reported).
   */
  connections: { opened: number; protocols: Record<string, number> };
  /**
   * Values no distribution or total could hold as sent (a server reporting 10^20 tokens
   * gives an absurd rate): non-finite or negative ones are left out, larger ones are
   * recorded at the ceiling. 0 in a sane run.
   */
  out_of_range_samples: number;
  throughput: {
    window_s: number;
    requests_per_s: number;
    output_tokens_per_s: number;
    /**
     * Measured requests sent per second, first dispatch → last dispatch (failed ones too):
     * the load the schedule achieved, to compare with the rate it asked for. Null with
     * fewer than two requests.
     */
    dispatch_rate_per_s: number | null;
  };
  /**
   * What the succeeded measured requests cost, from their token counts and the model's
   * price; null when none had a price (cost unknown, never 0).
   */
  cost: CostSummary | null;
  /** Requests that met every SLO (`--slo`); null when the run set none. */
  goodput: GoodputSummary | null;
  /**
   * When each phase ran: first dispatch → last end of its requests (ISO 8601), and how many
   * it sent. Warm-up and cool-down only when they sent any; the measured phase always.
   */
  phases: PhaseSummary[];
  /**
   * Attempts and retries, when the provider retries failed requests (`retries:`); null
   * otherwise. The rest of the group counts each request once, by its last attempt.
   */
  retries: RetrySummary | null;
  /** Multi-turn sessions: conversations, turns, and TTFT and context by turn; null otherwise. */
  sessions: SessionSummary | null;
  errors: Record<string, number>;
  /** The first message of each error class (measured requests), at most 200 characters. */
  error_examples: Record<string, string>;
  fidelity: GroupFidelity;
};

/** One phase of a group: warm-up, measured, cool-down. */
export interface PhaseSummary {
  phase: 'warmup' | 'measure' | 'cooldown';
  started_at: string | null;
  ended_at: string | null;
  requests: number;
}

/** Measured requests that succeeded within every SLO. */
export interface GoodputSummary {
  /** The bounds, ms. */
  slo: SloTargets;
  /** Requests that met them all. */
  requests: number;
  /** requests / measured requests. */
  fraction: number;
  /** requests / the measured window (as run throughput). */
  requests_per_s: number;
}

/** Cost of a group's succeeded measured requests, USD. */
export interface CostSummary {
  total_usd: number;
  /** total_usd / priced_requests. */
  per_request_usd: number;
  /** Requests with a cost (a price and both token counts). */
  priced_requests: number;
  /** Succeeded requests without one. */
  unpriced_requests: number;
}

export interface TokenTotals {
  input: number;
  output: number;
  reasoning: number;
  cached_input: number;
}

/** One group in transferable form: counts as numbers, distributions as hdr encodings. */
export interface EncodedGroup {
  provider: string;
  model: string;
  scenario: string;
  requests: { total: number; succeeded: number; failed: number; warmup: number };
  errors: Record<string, number>;
  error_examples: Record<string, string>;
  tokens: TokenTotals;
  token_count_sources: Record<TokenCountSource, number>;
  token_count_mismatches: number;
  /** See GroupSummary; absent from encodings of older workers. */
  connections?: { opened: number; protocols: Record<string, number> };
  /** See GroupSummary; absent from encodings of older workers. */
  out_of_range_samples?: number;
  /** Summed cost and how many requests had one; absent from encodings of older workers. */
  cost?: { total_usd: number; priced_requests: number };
  /** Requests that met every SLO; absent without SLOs. */
  slo_met?: number;
  /** Attempt counts, when the provider retries; absent otherwise. */
  retries?: RetrySummary;
  /** Turn counts of a multi-turn scenario; absent otherwise. */
  sessions?: EncodedSessions;
  /** Warm-up and cool-down windows (epoch ms) and request counts; absent from older workers. */
  phase_windows?: Partial<Record<'warmup' | 'cooldown', PhaseWindow>>;
  /** Earliest dispatch and latest end of the measured requests, epoch ms; null if none. */
  window: { start_ms: number; end_ms: number; last_start_ms?: number } | null;
  /** Only the distributions that hold samples. */
  histograms: Partial<Record<MetricName, string>>;
}

/** An aggregator's whole state, JSON-serializable, for worker → coordinator transfer. */
export interface EncodedAggregator {
  format: 'llm-lens-aggregator';
  version: 2;
  groups: EncodedGroup[];
}

/** First dispatch, last end (epoch ms) and requests of an unmeasured phase. */
interface PhaseWindow {
  start_ms: number;
  end_ms: number;
  requests: number;
}

class GroupState {
  readonly latency = new Map<LatencyMetric, LatencyHistogram>();
  readonly rates = new Map<RateMetric, RateHistogram>();
  /** One sample-adding function per latency metric, made once: `add` runs per record. */
  readonly adders: ReadonlyArray<readonly [LatencyMetric, AddSample]>;
  readonly requests = { total: 0, succeeded: 0, failed: 0, warmup: 0 };
  readonly errors = new Map<string, number>();
  readonly examples = new Map<string, string>();
  readonly tokens: TokenTotals = { input: 0, output: 0, reasoning: 0, cached_input: 0 };
  readonly sources: Record<TokenCountSource, number> = {
    server_usage: 0,
    tokenizer: 0,
    event_count: 0,
  };
  mismatches = 0;
  /** Connections opened by measured requests, by protocol. */
  readonly protocols = new Map<string, number>();
  costUsd = 0;
  pricedRequests = 0;
  sloMet = 0;
  readonly retries = new RetryCounts();
  readonly sessions = new SessionCounts();
  /** Warm-up and cool-down: when they ran and how many they sent. */
  readonly phaseWindows: Partial<Record<'warmup' | 'cooldown', PhaseWindow>> = {};
  /** Token totals that were not finite, non-negative numbers (left out). */
  outOfRangeTotals = 0;
  planned: number | null = null;
  stoppedEarly: string | null = null;
  windowStartMs = Number.POSITIVE_INFINITY;
  windowEndMs = Number.NEGATIVE_INFINITY;
  /** The latest dispatch of a measured request, epoch ms. */
  lastStartMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly provider: string,
    readonly model: string,
    readonly scenario: string,
  ) {
    for (const metric of LATENCY_METRICS) this.latency.set(metric, new LatencyHistogram());
    for (const metric of RATE_METRICS) this.rates.set(metric, new RateHistogram());
    this.adders = LATENCY_METRICS.map((metric) => {
      const histogram = this.histogram(metric);
      const add: AddSample = (ns, count = 1) => histogram.recordNs(ns, count);
      return [metric, add] as const;
    });
  }

  countConnection(protocol: string | undefined, n: number): void {
    const key = protocol ?? 'unknown';
    this.protocols.set(key, (this.protocols.get(key) ?? 0) + n);
  }

  connectionSummary(): { opened: number; protocols: Record<string, number> } {
    let opened = 0;
    for (const n of this.protocols.values()) opened += n;
    return { opened, protocols: Object.fromEntries(this.protocols) };
  }

  histogram(metric: LatencyMetric): LatencyHistogram {
    return this.latency.get(metric)!;
  }

  rate(metric: RateMetric): RateHistogram {
    return this.rates.get(metric)!;
  }

  /** Samples out of range in every distribution, plus token totals left out. */
  outOfRange(): number {
    let n = this.outOfRangeTotals;
    for (const h of this.latency.values()) n += h.outOfRange;
    for (const h of this.rates.values()) n += h.outOfRange;
    return n;
  }

  addTokens(field: keyof TokenTotals, value: number | undefined): void {
    if (value === undefined) return;
    const total = this.tokens[field] + value;
    // A library caller may pass any number; the totals stay finite whatever it is.
    if (value >= 0 && Number.isFinite(total)) this.tokens[field] = total;
    else this.outOfRangeTotals += 1;
  }

  extendWindow(startMs: number, endMs: number, lastStartMs = startMs): void {
    if (startMs < this.windowStartMs) this.windowStartMs = startMs;
    if (endMs > this.windowEndMs) this.windowEndMs = endMs;
    if (lastStartMs > this.lastStartMs) this.lastStartMs = lastStartMs;
  }

  extendPhase(
    phase: 'warmup' | 'cooldown',
    startMs: number,
    endMs: number,
    requests: number,
  ): void {
    const window = this.phaseWindows[phase];
    if (window === undefined) {
      this.phaseWindows[phase] = { start_ms: startMs, end_ms: endMs, requests };
      return;
    }
    if (startMs < window.start_ms) window.start_ms = startMs;
    if (endMs > window.end_ms) window.end_ms = endMs;
    window.requests += requests;
  }

  countError(errorClass: string, count: number, example: string | undefined): void {
    this.errors.set(errorClass, (this.errors.get(errorClass) ?? 0) + count);
    if (example !== undefined && example.length > 0 && !this.examples.has(errorClass)) {
      this.examples.set(
        errorClass,
        example.length > EXAMPLE_CHARS ? `${example.slice(0, EXAMPLE_CHARS)}…` : example,
      );
    }
  }
}

/**
 * Folds request records into per provider/model/scenario HDR histograms and counters.
 * Memory is constant per group however many records arrive; aggregators of separate
 * workers merge exactly through `encodeGroups()` / `mergeEncoded()`.
 */
export class Aggregator {
  private readonly groups = new Map<string, GroupState>();
  /** The SLOs goodput is counted against; undefined: no goodput. */
  readonly slo: SloTargets | undefined;

  constructor(options: { slo?: SloTargets | undefined } = {}) {
    this.slo = hasSlo(options.slo) ? { ...options.slo } : undefined;
  }

  /** Adds one record; warm-up records are only counted. Never throws for any values. */
  add(record: RequestRecord): void {
    const addition = this.beginAdd(record);
    while (!addition.step(NO_DEADLINE)) {}
  }

  /**
   * Adds one record in slices: everything but its per-event samples now, those (itl,
   * chunk_gap) by `step`, {@link EVENTS_PER_SLICE} events at a time, until a deadline. A
   * summary taken before the last step lacks the rest of those samples.
   */
  beginAdd(record: RequestRecord): RecordAddition {
    const group = this.group(record.provider, record.model, record.scenario);
    const e2eMs = record.e2eNs === undefined ? 0 : Number(record.e2eNs) / 1e6;
    if (record.isWarmup || record.isCooldown === true) {
      if (record.isWarmup) group.requests.warmup += 1;
      group.extendPhase(
        record.isWarmup ? 'warmup' : 'cooldown',
        record.startedAtMs,
        record.startedAtMs + e2eMs,
        1,
      );
      return ADDED;
    }
    if (record.attempt !== undefined) {
      group.retries.add(record);
      // An attempt another followed: not an outcome; the request counts by its last attempt.
      if (record.isRetried === true) return ADDED;
    }
    if (record.turn !== undefined) group.sessions.add(record);
    group.requests.total += 1;
    group.extendWindow(record.startedAtMs, record.startedAtMs + e2eMs);
    if (record.tokenCountMismatch === true) group.mismatches += 1;
    if (record.connection !== undefined) group.countConnection(record.connection.protocol, 1);
    if (record.scheduleLagNs !== undefined)
      group.histogram('schedule_lag').recordNs(record.scheduleLagNs);

    if (record.status !== 'ok') {
      group.requests.failed += 1;
      group.countError(record.errorClass ?? UNCLASSIFIED_ERROR, 1, record.errorMessage);
      return ADDED;
    }
    group.requests.succeeded += 1;
    if (this.slo !== undefined && meetsSlo(record, this.slo)) group.sloMet += 1;
    const events = record.tokenEventOffsetsNs.length;
    const isSliced = events > EVENTS_PER_SLICE;
    for (const [metric, add] of group.adders) {
      if (!isSliced || !PER_EVENT_METRICS.has(metric)) LATENCY_COLLECTORS[metric](record, add);
    }
    for (const metric of RATE_METRICS) {
      const rate = RATE_COLLECTORS[metric](record);
      if (rate !== undefined) group.rate(metric).record(rate);
    }
    group.addTokens('input', record.inputTokens);
    group.addTokens('output', record.outputTokens);
    group.addTokens('reasoning', record.reasoningTokens);
    group.addTokens('cached_input', record.cachedInputTokens);
    const cost = record.costUsd;
    if (cost !== undefined && cost >= 0 && Number.isFinite(group.costUsd + cost)) {
      group.costUsd += cost;
      group.pricedRequests += 1;
    }
    if (record.tokenCountSource !== undefined) group.sources[record.tokenCountSource] += 1;
    if (!isSliced) return ADDED;
    const perEvent = group.adders.filter(([metric]) => PER_EVENT_METRICS.has(metric));
    let from = 1;
    return {
      step(deadlineNs: bigint): boolean {
        while (from < events) {
          const to = Math.min(events, from + EVENTS_PER_SLICE);
          for (const [metric, add] of perEvent) LATENCY_COLLECTORS[metric](record, add, from, to);
          from = to;
          if (from < events && now() >= deadlineNs) return false;
        }
        return true;
      },
    };
  }

  /** How many measured requests the plan asks of a group (for `requests.planned` and `not_sent`). */
  notePlanned(provider: string, model: string, scenario: string, planned: number | null): void {
    this.group(provider, model, scenario).planned = planned;
  }

  /** Why a group stopped sending before its plan was done (an early stop, not an interrupt). */
  noteStoppedEarly(provider: string, model: string, scenario: string, reason: string): void {
    this.group(provider, model, scenario).stoppedEarly = reason;
  }

  /**
   * The lowest value of one latency percentile over the groups that have samples, ms; null
   * when none has. What the fidelity verdict compares a stall with.
   */
  lowestGroupPercentile(metric: LatencyMetric, percentile: number): number | null {
    let lowest: number | null = null;
    for (const group of this.groups.values()) {
      const value = group.histogram(metric).percentile(percentile);
      if (value !== null && (lowest === null || value < lowest)) lowest = value;
    }
    return lowest;
  }

  /**
   * The highest value of one latency percentile over the groups that have samples, ms; null
   * when none has. What the fidelity verdict compares the schedule lag with.
   */
  highestGroupPercentile(
    metric: LatencyMetric,
    percentile: number,
    options: {
      /** Only groups this accepts. */
      include?: (provider: string, model: string, scenario: string) => boolean;
      /** Only groups with at least this many samples of the metric. Default 1. */
      minSamples?: number;
    } = {},
  ): number | null {
    let highest: number | null = null;
    for (const group of this.groups.values()) {
      if (options.include?.(group.provider, group.model, group.scenario) === false) continue;
      const histogram = group.histogram(metric);
      if (histogram.count < (options.minSamples ?? 1)) continue;
      const value = histogram.percentile(percentile);
      if (value !== null && (highest === null || value > highest)) highest = value;
    }
    return highest;
  }

  /** One summary per group, in the order the groups were first seen. */
  summarize(options: SummarizeOptions): GroupSummary[] {
    const fidelity: GroupFidelity = {
      event_loop_delay_p99_ms: options.fidelity.event_loop_delay_p99_ms,
      event_loop_delay_max_ms: options.fidelity.event_loop_delay_max_ms,
      client_bound: options.fidelity.client_bound,
    };
    return [...this.groups.values()].map((group) =>
      summarizeGroup(group, options.complete, fidelity, this.slo),
    );
  }

  /** The whole state in transferable form (histograms as hdr compressed base64). */
  encodeGroups(): EncodedAggregator {
    const groups = [...this.groups.values()].map((group): EncodedGroup => {
      const retries = group.retries.summary();
      const sessions = group.sessions.encode();
      const histograms: EncodedGroup['histograms'] = {};
      for (const metric of LATENCY_METRICS) {
        const h = group.histogram(metric);
        if (h.count > 0) histograms[metric] = h.encode();
      }
      for (const metric of RATE_METRICS) {
        const h = group.rate(metric);
        if (h.count > 0) histograms[metric] = h.encode();
      }
      return {
        provider: group.provider,
        model: group.model,
        scenario: group.scenario,
        requests: { ...group.requests },
        errors: orderedErrors(group.errors),
        error_examples: Object.fromEntries(group.examples),
        tokens: { ...group.tokens },
        token_count_sources: { ...group.sources },
        token_count_mismatches: group.mismatches,
        connections: group.connectionSummary(),
        out_of_range_samples: group.outOfRange(),
        cost: { total_usd: group.costUsd, priced_requests: group.pricedRequests },
        ...(this.slo === undefined ? {} : { slo_met: group.sloMet }),
        ...(retries === null ? {} : { retries }),
        ...(sessions === undefined ? {} : { sessions }),
        phase_windows: structuredClone(group.phaseWindows),
        window:
          group.windowStartMs <= group.windowEndMs
            ? {
                start_ms: group.windowStartMs,
                end_ms: group.windowEndMs,
                last_start_ms: group.lastStartMs,
              }
            : null,
        histograms,
      };
    });
    return { format: 'llm-lens-aggregator', version: 2, groups };
  }

  /** Adds another aggregator's encoded state to this one; exact for every statistic. */
  mergeEncoded(encoded: EncodedAggregator): void {
    if (encoded?.format !== 'llm-lens-aggregator' || encoded.version !== 2) {
      throw new MetricsError(
        'LENS_METRICS_ENCODING_UNSUPPORTED',
        `cannot merge aggregator state with format ${JSON.stringify(encoded?.format)} version ${JSON.stringify(encoded?.version)}: expected format "llm-lens-aggregator" version 2 from encodeGroups() of the same @llm-lens/metrics major version`,
      );
    }
    for (const incoming of encoded.groups) {
      const group = this.group(incoming.provider, incoming.model, incoming.scenario);
      group.requests.total += incoming.requests.total;
      group.requests.succeeded += incoming.requests.succeeded;
      group.requests.failed += incoming.requests.failed;
      group.requests.warmup += incoming.requests.warmup;
      for (const [errorClass, count] of Object.entries(incoming.errors)) {
        group.countError(errorClass, count, incoming.error_examples[errorClass]);
      }
      group.tokens.input += incoming.tokens.input;
      group.tokens.output += incoming.tokens.output;
      group.tokens.reasoning += incoming.tokens.reasoning;
      group.tokens.cached_input += incoming.tokens.cached_input;
      group.sources.server_usage += incoming.token_count_sources.server_usage;
      group.sources.tokenizer += incoming.token_count_sources.tokenizer;
      group.sources.event_count += incoming.token_count_sources.event_count;
      group.mismatches += incoming.token_count_mismatches;
      for (const [protocol, n] of Object.entries(incoming.connections?.protocols ?? {})) {
        group.countConnection(protocol, n);
      }
      group.outOfRangeTotals += incoming.out_of_range_samples ?? 0;
      group.costUsd += incoming.cost?.total_usd ?? 0;
      group.pricedRequests += incoming.cost?.priced_requests ?? 0;
      group.sloMet += incoming.slo_met ?? 0;
      if (incoming.retries !== undefined) group.retries.merge(incoming.retries);
      if (incoming.sessions !== undefined) group.sessions.merge(incoming.sessions);
      for (const phase of ['warmup', 'cooldown'] as const) {
        const window = incoming.phase_windows?.[phase];
        if (window !== undefined) {
          group.extendPhase(phase, window.start_ms, window.end_ms, window.requests);
        }
      }
      if (incoming.window) {
        const { start_ms, end_ms, last_start_ms } = incoming.window;
        group.extendWindow(start_ms, end_ms, last_start_ms ?? start_ms);
      }
      for (const metric of LATENCY_METRICS) {
        const encodedHistogram = incoming.histograms[metric];
        if (encodedHistogram !== undefined) {
          group.histogram(metric).merge(LatencyHistogram.decode(encodedHistogram));
        }
      }
      for (const metric of RATE_METRICS) {
        const encodedHistogram = incoming.histograms[metric];
        if (encodedHistogram !== undefined) {
          group.rate(metric).merge(RateHistogram.decode(encodedHistogram));
        }
      }
    }
  }

  private group(provider: string, model: string, scenario: string): GroupState {
    // JSON of the tuple cannot collide the way "a/b" + "c" and "a" + "b/c" would.
    const key = JSON.stringify([provider, model, scenario]);
    let group = this.groups.get(key);
    if (group === undefined) {
      group = new GroupState(provider, model, scenario);
      this.groups.set(key, group);
    }
    return group;
  }
}

/** The group's phases in the order they ran. */
function phasesOf(group: GroupState): PhaseSummary[] {
  const iso = (ms: number) => (Number.isFinite(ms) ? new Date(Math.round(ms)).toISOString() : null);
  const phases: PhaseSummary[] = [];
  const warmup = group.phaseWindows.warmup;
  if (warmup !== undefined) {
    phases.push({
      phase: 'warmup',
      started_at: iso(warmup.start_ms),
      ended_at: iso(warmup.end_ms),
      requests: warmup.requests,
    });
  }
  const measured = group.windowStartMs <= group.windowEndMs;
  phases.push({
    phase: 'measure',
    started_at: measured ? iso(group.windowStartMs) : null,
    ended_at: measured ? iso(group.windowEndMs) : null,
    requests: group.requests.total,
  });
  const cooldown = group.phaseWindows.cooldown;
  if (cooldown !== undefined) {
    phases.push({
      phase: 'cooldown',
      started_at: iso(cooldown.start_ms),
      ended_at: iso(cooldown.end_ms),
      requests: cooldown.requests,
    });
  }
  return phases;
}

/** Dollars to 1e-9 (a millionth of a cent): exact enough for one request's cost. */
function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

function summarizeGroup(
  group: GroupState,
  complete: boolean,
  fidelity: GroupFidelity,
  slo: SloTargets | undefined,
): GroupSummary {
  const { total, succeeded } = group.requests;
  const windowS =
    group.windowStartMs < group.windowEndMs
      ? round3((group.windowEndMs - group.windowStartMs) / 1000)
      : 0;
  const perSecond = (n: number): number => (windowS > 0 ? round3(n / windowS) : 0);
  const distributions = {} as { [M in MetricName]: DistributionSummary | null };
  for (const metric of LATENCY_METRICS) distributions[metric] = group.histogram(metric).summary();
  for (const metric of RATE_METRICS) distributions[metric] = group.rate(metric).summary();
  const planned = group.planned;
  return {
    provider: group.provider,
    model: group.model,
    scenario: group.scenario,
    complete,
    requests: {
      planned,
      ...group.requests,
      not_sent: planned === null ? null : Math.max(0, planned - total),
    },
    stopped_early: group.stoppedEarly,
    success_rate: total > 0 ? round3(succeeded / total) : 0,
    ...distributions,
    tokens: { ...group.tokens },
    token_count_sources: { ...group.sources },
    token_count_mismatches: group.mismatches,
    connections: group.connectionSummary(),
    out_of_range_samples: group.outOfRange(),
    throughput: {
      window_s: windowS,
      requests_per_s: perSecond(succeeded),
      output_tokens_per_s: perSecond(group.tokens.output),
      dispatch_rate_per_s:
        total >= 2 && group.lastStartMs > group.windowStartMs
          ? round3(((total - 1) * 1000) / (group.lastStartMs - group.windowStartMs))
          : null,
    },
    cost:
      group.pricedRequests === 0
        ? null
        : {
            total_usd: roundUsd(group.costUsd),
            per_request_usd: roundUsd(group.costUsd / group.pricedRequests),
            priced_requests: group.pricedRequests,
            unpriced_requests: succeeded - group.pricedRequests,
          },
    goodput:
      slo === undefined
        ? null
        : {
            slo: { ...slo },
            requests: group.sloMet,
            fraction: total > 0 ? round3(group.sloMet / total) : 0,
            requests_per_s: perSecond(group.sloMet),
          },
    phases: phasesOf(group),
    retries: group.retries.summary(),
    sessions: group.sessions.summary(),
    errors: orderedErrors(group.errors),
    error_examples: Object.fromEntries(
      [...Object.keys(orderedErrors(group.errors))]
        .filter((key) => group.examples.has(key))
        .map((key) => [key, group.examples.get(key)!]),
    ),
    fidelity: { ...fidelity },
  };
}

/** Non-zero error counts, in ERROR_CLASSES order then any other key, for stable output. */
function orderedErrors(errors: Map<string, number>): Record<string, number> {
  const known: readonly string[] = ERROR_CLASSES;
  const keys = [...errors.keys()].sort(
    (a, b) => rank(known, a) - rank(known, b) || (a < b ? -1 : 1),
  );
  const result: Record<string, number> = {};
  for (const key of keys) {
    const count = errors.get(key) ?? 0;
    if (count > 0) result[key] = count;
  }
  return result;
}

function rank(known: readonly string[], key: string): number {
  const index = known.indexOf(key);
  return index === -1 ? known.length : index;
}
