import type { RequestRecord } from '@llm-lens/core-timing';

/** The part of a record that per-token metrics are derived from. */
export type TokenEventSeries = Pick<
  RequestRecord,
  'tokenEventOffsetsNs' | 'tokenEventTokens' | 'outputTokens'
>;

/** `k` inter-token latency samples of `valueNs` each, from one gap before a k-token event. */
export interface ItlSample {
  valueNs: number;
  count: number;
}

/** Gaps between consecutive token-bearing events in nanoseconds, one per gap (vLLM's "ITL"). */
export function chunkGapsNs(record: TokenEventSeries): number[] {
  const offsets = record.tokenEventOffsetsNs;
  const gaps: number[] = [];
  for (let i = 1; i < offsets.length; i += 1) gaps.push(offsets[i]! - offsets[i - 1]!);
  return gaps;
}

/**
 * Per-token inter-token latency: the gap before an event carrying k tokens is shared by
 * its k tokens, so batched chunks and speculative decoding do not inflate the numbers.
 * The first event is excluded (its wait is ttft).
 */
export function itlSamples(record: TokenEventSeries): ItlSample[] {
  const offsets = record.tokenEventOffsetsNs;
  const tokens = record.tokenEventTokens;
  const samples: ItlSample[] = [];
  for (let i = 1; i < offsets.length; i += 1) {
    // A token-bearing event carries at least one token; treat a 0 as 1 rather than divide by 0.
    const count = Math.max(1, tokens[i] ?? 1);
    samples.push({ valueNs: (offsets[i]! - offsets[i - 1]!) / count, count });
  }
  return samples;
}
