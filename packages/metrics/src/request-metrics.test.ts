import { tpotNs as tpotOfOffsets } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { decodeTokensPerS, outputTokensPerS } from './metric-definitions.js';
import { chunkGapsNs, itlSamples, type TokenEventSeries } from './request-metrics.js';

// tpot has one definition, in core-timing; these cases pin what it means.
const tpotNs = (s: TokenEventSeries) =>
  tpotOfOffsets(s.tokenEventOffsetsNs, s.tokenEventOffsetsNs.length, s.outputTokens);

const MS = 1e6;

function series(offsetsMs: number[], tokens: number[], outputTokens?: number): TokenEventSeries {
  const result: TokenEventSeries = {
    tokenEventOffsetsNs: Float64Array.from(offsetsMs, (ms) => ms * MS),
    tokenEventTokens: Uint32Array.from(tokens),
  };
  if (outputTokens !== undefined) result.outputTokens = outputTokens;
  return result;
}

// Events at 100, 120 and 160 ms after dispatch carrying 1, 1 and 2 tokens.
const threeEvents = series([100, 120, 160], [1, 1, 2], 4);

describe('chunkGapsNs', () => {
  it('gives one gap per pair of consecutive token events', () => {
    expect(chunkGapsNs(threeEvents)).toEqual([20 * MS, 40 * MS]);
  });

  it('gives no gaps for zero or one token event', () => {
    expect(chunkGapsNs(series([], []))).toEqual([]);
    expect(chunkGapsNs(series([80], [3]))).toEqual([]);
  });
});

describe('itlSamples', () => {
  it('splits the gap before a k-token event into k samples of gap / k', () => {
    const samples = itlSamples(threeEvents);
    expect(samples).toEqual([
      { valueNs: 20 * MS, count: 1 },
      { valueNs: 20 * MS, count: 2 },
    ]);
    const expanded = samples.flatMap((s) => Array.from({ length: s.count }, () => s.valueNs / MS));
    expect(expanded).toEqual([20, 20, 20]);
  });

  it('excludes the wait for the first event, which is ttft', () => {
    expect(itlSamples(series([500], [4]))).toEqual([]);
  });

  it('counts an event reporting zero tokens as one token', () => {
    expect(itlSamples(series([10, 30], [1, 0]))).toEqual([{ valueNs: 20 * MS, count: 1 }]);
  });
});

describe('tpotNs', () => {
  it('divides first-to-last token time by output_tokens − 1', () => {
    // (160 − 100) / (4 − 1) = 20 ms
    expect(tpotNs(threeEvents)).toBe(20 * MS);
  });

  it('uses the reported output token count, not the number of events', () => {
    expect(tpotNs(series([100, 120, 160], [1, 1, 2], 7))).toBe(10 * MS);
  });

  it('is undefined with one event, one output token or no output count', () => {
    expect(tpotNs(series([100], [5], 5))).toBeUndefined();
    expect(tpotNs(series([100, 150], [1, 1], 1))).toBeUndefined();
    expect(tpotNs(series([100, 150], [1, 1]))).toBeUndefined();
  });
});

describe('decodeTokensPerS', () => {
  it('is (output_tokens − 1) / (t_last − t_first) in tokens per second, the inverse of tpot', () => {
    // 3 tokens over 60 ms = 50 tokens/s
    expect(decodeTokensPerS({ tpotNs: BigInt(tpotNs(threeEvents)!) })).toBeCloseTo(50, 9);
  });

  it('is undefined when the first and last events arrived together, or without tpot', () => {
    expect(decodeTokensPerS({ tpotNs: 0n })).toBeUndefined();
    expect(decodeTokensPerS({})).toBeUndefined();
  });
});

describe('outputTokensPerS', () => {
  it('is output_tokens / e2e in tokens per second', () => {
    // 4 tokens in 200 ms = 20 tokens/s
    expect(outputTokensPerS({ outputTokens: 4, e2eNs: 200_000_000n })).toBeCloseTo(20, 9);
  });

  it('is undefined without an e2e or output count', () => {
    expect(outputTokensPerS({ outputTokens: 4 })).toBeUndefined();
    expect(outputTokensPerS({ e2eNs: 5n })).toBeUndefined();
    expect(outputTokensPerS({ outputTokens: 4, e2eNs: 0n })).toBeUndefined();
  });
});
