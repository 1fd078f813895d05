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

const NS_PER_S = 1e9;

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

/**
 * (t_last − t_first) / (output_tokens − 1) in nanoseconds; undefined with fewer than two
 * token events or fewer than two output tokens.
 */
export function tpotNs(record: TokenEventSeries): number | undefined {
  const span = firstToLastNs(record);
  const outputTokens = record.outputTokens;
  if (span === undefined || outputTokens === undefined || outputTokens < 2) return undefined;
  return span / (outputTokens - 1);
}

/**
 * Decode rate, (output_tokens − 1) / (t_last − t_first), in tokens per second; undefined
 * when tpot is undefined or the first and last events arrived together.
 */
export function decodeTokensPerS(record: TokenEventSeries): number | undefined {
  const span = firstToLastNs(record);
  const outputTokens = record.outputTokens;
  if (span === undefined || span <= 0 || outputTokens === undefined || outputTokens < 2) {
    return undefined;
  }
  return ((outputTokens - 1) * NS_PER_S) / span;
}

/** output_tokens / e2e in tokens per second; undefined without both or with e2e of 0. */
export function outputTokensPerS(
  record: Pick<RequestRecord, 'outputTokens' | 'e2eNs'>,
): number | undefined {
  const { outputTokens, e2eNs } = record;
  if (outputTokens === undefined || e2eNs === undefined || e2eNs <= 0n) return undefined;
  return (outputTokens * NS_PER_S) / Number(e2eNs);
}

function firstToLastNs(record: TokenEventSeries): number | undefined {
  const offsets = record.tokenEventOffsetsNs;
  if (offsets.length < 2) return undefined;
  return offsets[offsets.length - 1]! - offsets[0]!;
}
