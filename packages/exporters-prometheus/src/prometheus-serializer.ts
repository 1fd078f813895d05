// A run as Prometheus metrics, in the text exposition format (version 0.0.4). Pure: records
// and summaries in, text out, no I/O; the file and Pushgateway transports and a monitoring
// daemon's `/metrics` endpoint all use this one serializer.
import type { RequestRecord } from '@llm-lens/core-timing';
import {
  type DistributionSummary,
  type GroupSummary,
  LATENCY_METRICS,
  type LatencyMetric,
  type MetricName,
  RATE_METRICS,
  type RateMetric,
  type RunSummary,
  UNCLASSIFIED_ERROR,
} from '@llm-lens/metrics';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  GEN_AI_ATTRIBUTES,
  GEN_AI_METRICS,
  GEN_AI_OPERATION_CHAT,
  prometheusName,
  SEMCONV_BUCKETS,
} from './semconv.js';

/** The MIME type of the text the serializer produces (Prometheus text format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const OPERATION_LABEL = prometheusName(GEN_AI_ATTRIBUTES.operationName);
const PROVIDER_LABEL = prometheusName(GEN_AI_ATTRIBUTES.providerName);
const MODEL_LABEL = prometheusName(GEN_AI_ATTRIBUTES.requestModel);
const TOKEN_TYPE_LABEL = prometheusName(GEN_AI_ATTRIBUTES.tokenType);
const ERROR_TYPE_LABEL = prometheusName(GEN_AI_ATTRIBUTES.errorType);

/** The labels of every per-group series: which provider, model and scenario it describes. */
export type PrometheusLabels = {
  gen_ai_operation_name: string;
  gen_ai_provider_name: string;
  gen_ai_request_model: string;
  scenario: string;
};

const GROUP_LABELS = [OPERATION_LABEL, PROVIDER_LABEL, MODEL_LABEL, 'scenario'] as const;

/** Every metric family the serializer emits, by what it holds. */
export const METRIC_NAMES = {
  /** e2e of succeeded requests (histogram, seconds). */
  e2e: prometheusName(GEN_AI_METRICS.clientOperationDuration, 'seconds'),
  /** ttft of succeeded requests (histogram, seconds). */
  ttft: prometheusName(GEN_AI_METRICS.clientTimeToFirstChunk, 'seconds'),
  /** chunk_gap: one sample per gap between token-bearing events (histogram, seconds). */
  chunkGap: prometheusName(GEN_AI_METRICS.clientTimePerOutputChunk, 'seconds'),
  /** Input and output tokens per succeeded request (histogram, tokens). */
  tokenUsage: prometheusName(GEN_AI_METRICS.clientTokenUsage),
  /** Per-token inter-token latency (histogram, seconds). */
  itl: 'llm_lens_itl_seconds',
  /** Time per output token after the first, one sample per request (histogram, seconds). */
  tpot: 'llm_lens_tpot_seconds',
  /** Measured requests by `status` and, on failures, `error_type` (counter). */
  requests: 'llm_lens_requests_total',
  /** Tokens of succeeded requests by `gen_ai_token_type` (counter). */
  tokens: 'llm_lens_tokens_total',
  /** What the succeeded requests cost (counter, USD). */
  cost: 'llm_lens_cost_usd_total',
  /** Succeeded requests per second over the measured window (gauge). */
  runRequestsPerSecond: 'llm_lens_run_requests_per_second',
  /** Output tokens per second over the measured window (gauge). */
  runOutputTokensPerSecond: 'llm_lens_run_output_tokens_per_second',
  /** Measured requests sent per second, first → last dispatch (gauge). */
  runDispatchRate: 'llm_lens_run_dispatched_requests_per_second',
  /** Succeeded / measured requests (gauge, 0–1). */
  successRatio: 'llm_lens_success_ratio',
  /** Requests within every SLO / measured requests, with `--slo` (gauge, 0–1). */
  goodputRatio: 'llm_lens_goodput_ratio',
  /** 1, labelled with the run id, tool version and whether the run completed (gauge). */
  runInfo: 'llm_lens_run_info',
  /** Run start and end, Unix time (gauges, seconds). */
  runStart: 'llm_lens_run_start_timestamp_seconds',
  runEnd: 'llm_lens_run_end_timestamp_seconds',
} as const;

/** The summary distributions exported as exact quantile gauges. */
export const QUANTILE_GAUGE_METRICS: readonly MetricName[] = [...LATENCY_METRICS, ...RATE_METRICS];

const RATE_GAUGE_NAMES: Readonly<Record<RateMetric, string>> = {
  output_tokens_per_s: 'llm_lens_request_output_tokens_per_second_quantile',
  decode_tokens_per_s: 'llm_lens_request_decode_tokens_per_second_quantile',
};

/** The gauge holding a distribution's exact HDR quantiles (`llm_lens_ttft_quantile_seconds`). */
export function quantileGaugeName(metric: MetricName): string {
  return isRateMetric(metric) ? RATE_GAUGE_NAMES[metric] : `llm_lens_${metric}_quantile_seconds`;
}

function isRateMetric(metric: MetricName): metric is RateMetric {
  return (RATE_METRICS as readonly string[]).includes(metric);
}

/** Summary statistic → `quantile` label; 0 and 1 are the bucket-derived min and max. */
const QUANTILES: ReadonlyArray<readonly [keyof DistributionSummary, string]> = [
  ['min', '0'],
  ['p50', '0.5'],
  ['p75', '0.75'],
  ['p90', '0.9'],
  ['p95', '0.95'],
  ['p99', '0.99'],
  ['p999', '0.999'],
  ['max', '1'],
];

const LATENCY_HELP: Readonly<Record<LatencyMetric, string>> = {
  ttft: 'dispatch to first token-bearing event',
  ttfo: 'dispatch to first answer (non-reasoning) token',
  itl: 'per-token inter-token latency',
  chunk_gap: 'gap between consecutive token-bearing events',
  tpot: 'time per output token after the first',
  e2e: 'dispatch to end of response',
  e2e_from_schedule: 'scheduled send time to end of response',
  ttft_from_schedule: 'scheduled send time to first token',
  ttfb: 'dispatch to response headers',
  queue: 'scheduled send time to hand-off to the HTTP client',
  schedule_lag: "the client's own lateness in sending",
  send_delay: 'hand-off to the HTTP client to headers written',
  dns: 'name lookup on a new connection',
  connect: 'TCP connect on a new connection',
  tls: 'TLS handshake on a new connection',
};

/**
 * Our per-token latencies (itl, tpot): the semconv boundaries of
 * gen_ai.server.time_per_output_token, plus 1, 2.5 and 5 ms below them, because fast
 * decoders run under 10 ms per token and would otherwise all fall in the first bucket.
 * Every semconv boundary is kept, so sums over `le` stay comparable with servers' series.
 */
const PER_TOKEN_BUCKETS = [0.001, 0.0025, 0.005, ...SEMCONV_BUCKETS.serverTimePerOutputToken];

const NS_PER_S = 1e9;

type GroupLabelName = (typeof GROUP_LABELS)[number];

/**
 * Folds request records and a run summary into a prom-client registry of its own.
 * `observe` counts exactly what the statistics count (measured, last attempts; latencies of
 * succeeded requests), so the histograms agree with the summary's HDR distributions up to
 * bucket resolution; `setSummary` adds the exact quantiles, rates and run info as gauges.
 */
export class PrometheusRunSerializer {
  /** The registry holding every metric; a daemon may serve it as it is. */
  readonly registry = new Registry();
  readonly #e2e: Histogram<GroupLabelName>;
  readonly #ttft: Histogram<GroupLabelName>;
  readonly #chunkGap: Histogram<GroupLabelName>;
  readonly #itl: Histogram<GroupLabelName>;
  readonly #tpot: Histogram<GroupLabelName>;
  readonly #tokenUsage: Histogram<GroupLabelName | typeof TOKEN_TYPE_LABEL>;
  readonly #requests: Counter<GroupLabelName | 'status' | typeof ERROR_TYPE_LABEL>;
  readonly #tokens: Counter<GroupLabelName | typeof TOKEN_TYPE_LABEL>;
  readonly #cost: Counter<GroupLabelName>;
  readonly #summaryGauges: Array<{ reset(): void }> = [];
  readonly #groupGauges: Record<
    'requestsPerSecond' | 'outputTokensPerSecond' | 'dispatchRate' | 'success' | 'goodput',
    Gauge<GroupLabelName>
  >;
  readonly #quantiles = new Map<MetricName, Gauge<GroupLabelName | 'quantile'>>();
  readonly #runInfo: Gauge<'run_id' | 'tool_version' | 'complete'>;
  readonly #runStart: Gauge<'run_id'>;
  readonly #runEnd: Gauge<'run_id'>;
  /** Groups with at least one observed record: their counters come from the records. */
  readonly #observedGroups = new Set<string>();
  /** Counter series filled from a summary, by group, removed if records of that group arrive. */
  readonly #summaryCounted = new Map<string, Array<() => void>>();

  constructor() {
    const registers = [this.registry];
    const histogram = <L extends string>(
      name: string,
      help: string,
      buckets: readonly number[],
      labelNames: readonly L[],
    ) => new Histogram<L>({ name, help, buckets: [...buckets], labelNames, registers });
    this.#e2e = histogram(
      METRIC_NAMES.e2e,
      `GenAI operation duration: ${LATENCY_HELP.e2e} (llm-lens e2e), succeeded measured requests.`,
      SEMCONV_BUCKETS.clientDuration,
      GROUP_LABELS,
    );
    this.#ttft = histogram(
      METRIC_NAMES.ttft,
      `Time to the first chunk that carries a generated token (llm-lens ttft), succeeded measured requests.`,
      SEMCONV_BUCKETS.clientDuration,
      GROUP_LABELS,
    );
    this.#chunkGap = histogram(
      METRIC_NAMES.chunkGap,
      `Time per output chunk: ${LATENCY_HELP.chunk_gap} (llm-lens chunk_gap).`,
      SEMCONV_BUCKETS.clientDuration,
      GROUP_LABELS,
    );
    this.#tokenUsage = histogram(
      METRIC_NAMES.tokenUsage,
      'Input and output tokens per succeeded measured request.',
      SEMCONV_BUCKETS.tokenUsage,
      [...GROUP_LABELS, TOKEN_TYPE_LABEL],
    );
    this.#itl = histogram(
      METRIC_NAMES.itl,
      'Per-token inter-token latency: a gap before an event of k tokens is k samples of gap/k.',
      PER_TOKEN_BUCKETS,
      GROUP_LABELS,
    );
    this.#tpot = histogram(
      METRIC_NAMES.tpot,
      '(last token - first token) / (output tokens - 1), one sample per request with 2 or more tokens.',
      PER_TOKEN_BUCKETS,
      GROUP_LABELS,
    );
    this.#requests = new Counter({
      name: METRIC_NAMES.requests,
      help: 'Measured requests (last attempts) by status, and error class on failures.',
      labelNames: [...GROUP_LABELS, 'status', ERROR_TYPE_LABEL],
      registers,
    });
    this.#tokens = new Counter({
      name: METRIC_NAMES.tokens,
      help: 'Tokens of succeeded measured requests by type.',
      labelNames: [...GROUP_LABELS, TOKEN_TYPE_LABEL],
      registers,
    });
    this.#cost = new Counter({
      name: METRIC_NAMES.cost,
      help: 'Cost of the succeeded measured requests that had a price, US dollars.',
      labelNames: GROUP_LABELS,
      registers,
    });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) => {
      const created = new Gauge<L>({ name, help, labelNames, registers });
      this.#summaryGauges.push(created);
      return created;
    };
    this.#groupGauges = {
      requestsPerSecond: gauge(
        METRIC_NAMES.runRequestsPerSecond,
        'Succeeded requests per second over the measured window.',
        GROUP_LABELS,
      ),
      outputTokensPerSecond: gauge(
        METRIC_NAMES.runOutputTokensPerSecond,
        'Output tokens per second over the measured window.',
        GROUP_LABELS,
      ),
      dispatchRate: gauge(
        METRIC_NAMES.runDispatchRate,
        'Measured requests sent per second, first to last dispatch.',
        GROUP_LABELS,
      ),
      success: gauge(METRIC_NAMES.successRatio, 'Succeeded / measured requests.', GROUP_LABELS),
      goodput: gauge(
        METRIC_NAMES.goodputRatio,
        'Measured requests that met every SLO / measured requests.',
        GROUP_LABELS,
      ),
    };
    for (const metric of QUANTILE_GAUGE_METRICS) {
      const help = isRateMetric(metric)
        ? `Exact HDR quantiles of ${metric === 'output_tokens_per_s' ? 'output tokens / e2e' : 'the decode rate'} per request, tokens per second (0 = min, 1 = max).`
        : `Exact HDR quantiles of ${metric}: ${LATENCY_HELP[metric]}, seconds (0 = min, 1 = max).`;
      this.#quantiles.set(
        metric,
        gauge(quantileGaugeName(metric), help, [...GROUP_LABELS, 'quantile']),
      );
    }
    this.#runInfo = gauge(
      METRIC_NAMES.runInfo,
      'Always 1; the labels say which run the other series describe.',
      ['run_id', 'tool_version', 'complete'],
    );
    // Labelled with the run id, so that before a summary there is no sample (an unlabelled
    // gauge would print a default 0: a run that started in 1970).
    this.#runStart = gauge(METRIC_NAMES.runStart, 'Run start, Unix time in seconds.', ['run_id']);
    this.#runEnd = gauge(METRIC_NAMES.runEnd, 'Run end, Unix time in seconds.', ['run_id']);
  }

  /**
   * Adds one finished record. Warm-up, cool-down and attempts another attempt followed are
   * left out, exactly as the Aggregator leaves them out of the statistics.
   */
  observe(record: RequestRecord): void {
    if (record.isWarmup || record.isCooldown === true) return;
    if (record.attempt !== undefined && record.isRetried === true) return;
    const labels = groupLabels(record.provider, record.model, record.scenario);
    this.#noteObserved(groupKey(record.provider, record.model, record.scenario));
    if (record.status !== 'ok') {
      this.#requests.inc({
        ...labels,
        status: 'error',
        [ERROR_TYPE_LABEL]: record.errorClass ?? UNCLASSIFIED_ERROR,
      });
      return;
    }
    this.#requests.inc({ ...labels, status: 'ok' });
    observeNs(this.#ttft, labels, record.ttftNs);
    observeNs(this.#e2e, labels, record.e2eNs);
    observeNs(this.#tpot, labels, record.tpotNs);
    const offsets = record.tokenEventOffsetsNs;
    if (offsets.length > 1) {
      const itl = this.#itl.labels(labels);
      const chunkGap = this.#chunkGap.labels(labels);
      const tokens = record.tokenEventTokens;
      for (let i = 1; i < offsets.length; i++) {
        const gapS = (offsets[i]! - offsets[i - 1]!) / NS_PER_S;
        if (!(gapS >= 0)) continue;
        chunkGap.observe(gapS);
        // As the aggregator: an event of k tokens is k samples of gap / k (a 0 counts as 1).
        const k = Math.max(1, tokens[i] ?? 1);
        for (let j = 0; j < k; j++) itl.observe(gapS / k);
      }
    }
    this.#observeTokens(labels, 'input', record.inputTokens);
    this.#observeTokens(labels, 'output', record.outputTokens);
    const cost = record.costUsd;
    if (cost !== undefined && cost >= 0 && Number.isFinite(cost)) this.#cost.inc(labels, cost);
  }

  /**
   * Sets the summary's gauges (replacing those of an earlier summary). A group none of whose
   * records were observed (an export from a summary alone) gets its counters from the summary.
   */
  setSummary(summary: RunSummary): void {
    for (const gauge of this.#summaryGauges) gauge.reset();
    this.#runInfo.set(
      {
        run_id: summary.run.run_id,
        tool_version: summary.run.tool_version,
        complete: String(summary.complete),
      },
      1,
    );
    setTime(this.#runStart, summary.run.run_id, summary.run.started_at);
    setTime(this.#runEnd, summary.run.run_id, summary.run.ended_at);
    for (const group of summary.groups) {
      const labels = groupLabels(group.provider, group.model, group.scenario);
      const gauges = this.#groupGauges;
      gauges.requestsPerSecond.set(labels, group.throughput.requests_per_s);
      gauges.outputTokensPerSecond.set(labels, group.throughput.output_tokens_per_s);
      if (group.throughput.dispatch_rate_per_s !== null) {
        gauges.dispatchRate.set(labels, group.throughput.dispatch_rate_per_s);
      }
      if (group.requests.total > 0) gauges.success.set(labels, group.success_rate);
      if (group.goodput !== null) gauges.goodput.set(labels, group.goodput.fraction);
      for (const [metric, gauge] of this.#quantiles) {
        const distribution = group[metric];
        if (distribution === null) continue;
        const inSeconds = !isRateMetric(metric);
        for (const [statistic, quantile] of QUANTILES) {
          const value = distribution[statistic];
          // Latencies are summarized in ms to 3 decimals (µs); Prometheus wants seconds, and
          // dividing by 1000 as integers of µs keeps 0.333311 from printing as 0.33331099999999997.
          gauge.set({ ...labels, quantile }, inSeconds ? Math.round(value * 1000) / 1e6 : value);
        }
      }
      const key = groupKey(group.provider, group.model, group.scenario);
      if (!this.#observedGroups.has(key)) this.#countFromSummary(key, labels, group);
    }
  }

  /** The metrics in the Prometheus text exposition format. */
  serialize(): Promise<string> {
    return this.registry.metrics();
  }

  #observeTokens(labels: PrometheusLabels, type: 'input' | 'output', n: number | undefined): void {
    if (n === undefined || !(n >= 0) || !Number.isFinite(n)) return;
    const typed = { ...labels, [TOKEN_TYPE_LABEL]: type };
    this.#tokenUsage.observe(typed, n);
    this.#tokens.inc(typed, n);
  }

  #noteObserved(key: string): void {
    if (this.#observedGroups.has(key)) return;
    this.#observedGroups.add(key);
    // Records now say what the summary said; keeping both would count the group twice.
    for (const remove of this.#summaryCounted.get(key) ?? []) remove();
    this.#summaryCounted.delete(key);
  }

  #countFromSummary(key: string, labels: PrometheusLabels, group: GroupSummary): void {
    for (const remove of this.#summaryCounted.get(key) ?? []) remove();
    const removers: Array<() => void> = [];
    const ok = { ...labels, status: 'ok' };
    this.#requests.inc(ok, group.requests.succeeded);
    removers.push(() => this.#requests.remove(ok));
    for (const [errorClass, count] of Object.entries(group.errors)) {
      const failed = { ...labels, status: 'error', [ERROR_TYPE_LABEL]: errorClass };
      this.#requests.inc(failed, count);
      removers.push(() => this.#requests.remove(failed));
    }
    for (const type of ['input', 'output'] as const) {
      const typed = { ...labels, [TOKEN_TYPE_LABEL]: type };
      this.#tokens.inc(typed, group.tokens[type]);
      removers.push(() => this.#tokens.remove(typed));
    }
    if (group.cost !== null) {
      this.#cost.inc(labels, group.cost.total_usd);
      removers.push(() => this.#cost.remove(labels));
    }
    this.#summaryCounted.set(key, removers);
  }
}

function groupKey(provider: string, model: string, scenario: string): string {
  // JSON of the tuple cannot collide the way "a/b" + "c" and "a" + "b/c" would.
  return JSON.stringify([provider, model, scenario]);
}

function groupLabels(provider: string, model: string, scenario: string): PrometheusLabels {
  return {
    gen_ai_operation_name: GEN_AI_OPERATION_CHAT,
    gen_ai_provider_name: provider,
    gen_ai_request_model: model,
    scenario,
  };
}

function observeNs(
  histogram: Histogram<GroupLabelName>,
  labels: PrometheusLabels,
  ns: bigint | undefined,
): void {
  if (ns === undefined || ns < 0n) return;
  histogram.observe(labels, Number(ns) / NS_PER_S);
}

function setTime(gauge: Gauge<'run_id'>, runId: string, iso: string): void {
  const ms = Date.parse(iso);
  if (Number.isFinite(ms)) gauge.set({ run_id: runId }, ms / 1000);
}
