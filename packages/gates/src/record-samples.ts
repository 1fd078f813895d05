// How one finished record contributes to each group distribution: the collectors of
// @llm-lens/metrics (the ones the Aggregator uses), fed into the monitor's own histograms.
import type { RequestRecord } from '@llm-lens/core-timing';
import {
  LATENCY_COLLECTORS,
  type LatencyHistogram,
  type LatencyMetric,
  PER_EVENT_METRICS,
  RATE_COLLECTORS,
  type RateHistogram,
  type RateMetric,
} from '@llm-lens/metrics';

/** Per-event metrics: a request adds one sample per token event, not at most one. */
export const PER_EVENT_DISTRIBUTIONS: ReadonlySet<string> = PER_EVENT_METRICS;

/**
 * Adds the samples a succeeded measured record gives one latency distribution. schedule_lag
 * is added for every measured record, failed ones too, by the caller.
 */
export function addLatencySamples(
  metric: LatencyMetric,
  record: RequestRecord,
  histogram: LatencyHistogram,
): void {
  LATENCY_COLLECTORS[metric](record, (ns, count) => histogram.recordNs(ns, count));
}

/** Adds the sample a succeeded measured record gives one rate distribution, if any. */
export function addRateSample(
  metric: RateMetric,
  record: RequestRecord,
  histogram: RateHistogram,
): void {
  const rate = RATE_COLLECTORS[metric](record);
  if (rate !== undefined) histogram.record(rate);
}
