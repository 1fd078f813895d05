// The distributions kept per provider/model/scenario, each with how a record contributes to
// it. Everything else (the group state, the summary, the encoded form, the summary JSON)
// is derived from these two lists: a new metric is one name and one collector here.
import type { RequestRecord } from '@llm-lens/core-timing';

/** Latency distributions kept per group, in the order they are reported. */
export const LATENCY_METRICS = [
  'ttft',
  'ttfo',
  'itl',
  'chunk_gap',
  'tpot',
  'e2e',
  'e2e_from_schedule',
  'ttft_from_schedule',
  'ttfb',
  'queue',
  'schedule_lag',
  'send_delay',
  'dns',
  'connect',
  'tls',
] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** Rate distributions kept per group (tokens per second). */
export const RATE_METRICS = ['output_tokens_per_s', 'decode_tokens_per_s'] as const;
export type RateMetric = (typeof RATE_METRICS)[number];

/** Every distribution of a group. */
export type MetricName = LatencyMetric | RateMetric;

/** Adds `count` samples of a duration in ns (latencies) or of a rate per second (rates). */
export type AddSample = (value: number | bigint, count?: number) => void;

/**
 * How a record contributes to one distribution. A per-event metric (see
 * {@link PER_EVENT_METRICS}) takes the token events `from` (inclusive) `to` (exclusive), so a
 * record with 100,000 events can be added in slices; the others ignore the range.
 */
export type Collector = (r: RequestRecord, add: AddSample, from?: number, to?: number) => void;

/** The latency metrics with one sample per token event: their cost grows with the response. */
export const PER_EVENT_METRICS: ReadonlySet<LatencyMetric> = new Set(['itl', 'chunk_gap']);

/**
 * How a successful record contributes to each latency distribution. Written as loops over
 * the record's arrays, with no intermediate arrays: this runs once per finished request on
 * the thread that measures.
 */
export const LATENCY_COLLECTORS: Readonly<Record<LatencyMetric, Collector>> = {
  ttft: (r, add) => r.ttftNs !== undefined && add(r.ttftNs),
  ttfo: (r, add) => r.ttfoNs !== undefined && add(r.ttfoNs),
  // Per token: the gap before an event carrying k tokens is k samples of gap / k, so batched
  // chunks and speculative decoding do not inflate it. The first event's wait is ttft.
  itl: (r, add, from = 1, to = r.tokenEventOffsetsNs.length) => {
    const offsets = r.tokenEventOffsetsNs;
    const tokens = r.tokenEventTokens;
    for (let i = Math.max(1, from); i < to; i++) {
      // A token-bearing event carries at least one token; treat a 0 as 1 rather than divide by 0.
      const k = Math.max(1, tokens[i] ?? 1);
      add((offsets[i]! - offsets[i - 1]!) / k, k);
    }
  },
  chunk_gap: (r, add, from = 1, to = r.tokenEventOffsetsNs.length) => {
    const offsets = r.tokenEventOffsetsNs;
    for (let i = Math.max(1, from); i < to; i++) add(offsets[i]! - offsets[i - 1]!);
  },
  tpot: (r, add) => r.tpotNs !== undefined && add(r.tpotNs),
  e2e: (r, add) => r.e2eNs !== undefined && add(r.e2eNs),
  e2e_from_schedule: (r, add) => r.e2eFromScheduleNs !== undefined && add(r.e2eFromScheduleNs),
  ttft_from_schedule: (r, add) => r.ttftFromScheduleNs !== undefined && add(r.ttftFromScheduleNs),
  ttfb: (r, add) => r.ttfbNs !== undefined && add(r.ttfbNs),
  queue: (r, add) => add(r.queueNs),
  // The client's lateness does not depend on how the request ended: the aggregator adds it
  // for every measured record, failed ones too (see Aggregator.beginAdd), not here.
  schedule_lag: () => {},
  send_delay: (r, add) => r.sendDelayNs !== undefined && add(r.sendDelayNs),
  dns: (r, add) => r.connection?.dnsNs !== undefined && add(r.connection.dnsNs),
  connect: (r, add) => r.connection !== undefined && add(r.connection.connectNs),
  tls: (r, add) => r.connection?.tlsNs !== undefined && add(r.connection.tlsNs),
};

const NS_PER_S = 1e9;

/** How a successful record contributes to each rate distribution (one sample or none). */
export const RATE_COLLECTORS: Readonly<
  Record<RateMetric, (r: RequestRecord) => number | undefined>
> = {
  output_tokens_per_s: (r) => outputTokensPerS(r),
  decode_tokens_per_s: (r) => decodeTokensPerS(r),
};

/** output_tokens / e2e in tokens per second; undefined without both or with e2e of 0. */
export function outputTokensPerS(
  record: Pick<RequestRecord, 'outputTokens' | 'e2eNs'>,
): number | undefined {
  const { outputTokens, e2eNs } = record;
  if (outputTokens === undefined || e2eNs === undefined || e2eNs <= 0n) return undefined;
  return (outputTokens * NS_PER_S) / Number(e2eNs);
}

/**
 * The decode rate, (output_tokens − 1) / (t_last − t_first) in tokens per second: the
 * inverse of tpot (one formula for both, in core-timing); undefined without a positive tpot.
 */
export function decodeTokensPerS(record: Pick<RequestRecord, 'tpotNs'>): number | undefined {
  const tpot = record.tpotNs;
  if (tpot === undefined || tpot <= 0n) return undefined;
  return NS_PER_S / Number(tpot);
}
