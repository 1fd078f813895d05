import { describe, expect, it } from 'vitest';
import {
  bootstrapLayouts,
  differenceInterval,
  layoutOfItl,
  layoutOfRequestValues,
  pointStatistics,
  statisticsUnder,
} from './bootstrap.js';
import { BootstrapRandom, streamSeed } from './bootstrap-random.js';

/** Standard normal draws from the bootstrap generator (Box–Muller), for test data. */
function normals(random: BootstrapRandom, n: number, mean: number, stdev: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u1 = 1 - random.nextUint32() / 4294967296;
    const u2 = random.nextUint32() / 4294967296;
    out[i] = mean + stdev * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return out;
}

describe('statistics of a layout', () => {
  it('takes nearest-rank percentiles and the mean, skipping absent (NaN) requests', () => {
    const values = Float64Array.of(7, 3, Number.NaN, 1, 10, 2, 6, 4, 9, 5, 8);
    expect(pointStatistics(layoutOfRequestValues(values))).toEqual({
      p50: 5, // rank ⌈0.5·10⌉ = 5
      p90: 9, // rank 9
      p95: 10, // rank ⌈9.5⌉ = 10
      p99: 10,
      mean: 5.5,
    });
  });

  it('pools ITL over tokens, each event weighted by its tokens, under request multiplicities', () => {
    // Request 0: 10 ms (1 token), 10 ms (2 tokens); request 1: 30 ms (1 token).
    const layout = layoutOfItl({
      values_ms: Float64Array.of(10, 10, 30),
      counts: Float64Array.of(1, 2, 1),
      request_offsets: Float64Array.of(0, 2, 3),
    });
    expect(layout.samples).toBe(4);
    expect(pointStatistics(layout)).toEqual({ p50: 10, p90: 30, p95: 30, p99: 30, mean: 15 });
    const out = new Float64Array(5);
    statisticsUnder(layout, Uint32Array.of(0, 2), out);
    expect([...out]).toEqual([30, 30, 30, 30, 30]);
    statisticsUnder(layout, Uint32Array.of(2, 0), out);
    expect([...out]).toEqual([10, 10, 10, 10, 10]);
  });
});

describe('bootstrapLayouts', () => {
  const data = normals(new BootstrapRandom(1), 300, 100, 15);

  it('gives the same replicates for the same seed and different ones for another', () => {
    const run = (seed: number) =>
      bootstrapLayouts([layoutOfRequestValues(data)], 300, 200, new BootstrapRandom(seed))[0]!;
    expect(run(7).replicates.p90).toEqual(run(7).replicates.p90);
    expect(run(7).replicates.mean).not.toEqual(run(8).replicates.mean);
    expect(run(7).point.mean).toBeCloseTo(pointStatistics(layoutOfRequestValues(data)).mean, 12);
  });

  it('derives independent streams from labels, order-sensitive', () => {
    expect(streamSeed(1, 'a', 'bc')).not.toBe(streamSeed(1, 'ab', 'c'));
    expect(streamSeed(1, 'g', 'base')).not.toBe(streamSeed(1, 'g', 'new'));
    expect(streamSeed(1, 'g', 'base')).toBe(streamSeed(1, 'g', 'base'));
  });

  it('spreads the resampled mean by about σ/√n', () => {
    const [result] = bootstrapLayouts(
      [layoutOfRequestValues(data)],
      300,
      2000,
      new BootstrapRandom(3),
    );
    const replicates = result!.replicates.mean;
    let mean = 0;
    for (const v of replicates) mean += v / replicates.length;
    let variance = 0;
    for (const v of replicates) variance += (v - mean) ** 2 / (replicates.length - 1);
    // 15 / √300 = 0.866; the sample's own stdev stands in for σ.
    expect(Math.sqrt(variance)).toBeGreaterThan(0.866 * 0.85);
    expect(Math.sqrt(variance)).toBeLessThan(0.866 * 1.15);
  });

  it('covers the true difference about 95 % of the time (mean and p50, 200 trials)', () => {
    const random = new BootstrapRandom(11);
    let meanCovered = 0;
    let medianCovered = 0;
    for (let trial = 0; trial < 200; trial++) {
      const base = layoutOfRequestValues(normals(random, 200, 100, 10));
      const next = layoutOfRequestValues(normals(random, 200, 103, 10));
      const [b] = bootstrapLayouts([base], 200, 500, new BootstrapRandom(trial * 2));
      const [n] = bootstrapLayouts([next], 200, 500, new BootstrapRandom(trial * 2 + 1));
      const mean = differenceInterval(b!.replicates.mean, n!.replicates.mean, 0.95);
      const median = differenceInterval(b!.replicates.p50, n!.replicates.p50, 0.95);
      if (mean.low <= 3 && 3 <= mean.high) meanCovered++;
      if (median.low <= 3 && 3 <= median.high) medianCovered++;
    }
    expect(meanCovered / 200).toBeGreaterThanOrEqual(0.9);
    expect(meanCovered / 200).toBeLessThanOrEqual(0.99);
    expect(medianCovered / 200).toBeGreaterThanOrEqual(0.9);
    expect(medianCovered / 200).toBeLessThanOrEqual(0.995);
  });

  it('keeps ITL intervals honest when tokens of a request are correlated, unlike resampling tokens', () => {
    // Each request has its own mean gap (server load, batch): N(20, 3); its 30 tokens vary
    // by N(0, 1) around it. Both runs come from the same model: the true difference is 0.
    const random = new BootstrapRandom(5);
    const runOf = () => {
      const values: number[] = [];
      const offsets = [0];
      for (let r = 0; r < 60; r++) {
        const requestMean = normals(random, 1, 20, 3)[0]!;
        for (const v of normals(random, 30, requestMean, 1)) values.push(v);
        offsets.push(values.length);
      }
      return {
        values_ms: Float64Array.from(values),
        counts: new Float64Array(values.length).fill(1),
        request_offsets: Float64Array.from(offsets),
      };
    };
    let clusterCovered = 0;
    let tokenCovered = 0;
    for (let trial = 0; trial < 100; trial++) {
      const base = runOf();
      const next = runOf();
      const interval = (layoutOf: typeof layoutOfItl, units: (r: typeof base) => number) => {
        const [b] = bootstrapLayouts(
          [layoutOf(base)],
          units(base),
          400,
          new BootstrapRandom(trial),
        );
        const [n] = bootstrapLayouts(
          [layoutOf(next)],
          units(next),
          400,
          new BootstrapRandom(~trial),
        );
        return differenceInterval(b!.replicates.mean, n!.replicates.mean, 0.95);
      };
      const cluster = interval(layoutOfItl, (r) => r.request_offsets.length - 1);
      const tokens = interval(
        (r) => layoutOfRequestValues(r.values_ms),
        (r) => r.values_ms.length,
      );
      if (cluster.low <= 0 && 0 <= cluster.high) clusterCovered++;
      if (tokens.low <= 0 && 0 <= tokens.high) tokenCovered++;
    }
    expect(clusterCovered).toBeGreaterThanOrEqual(88);
    expect(tokenCovered).toBeLessThan(60);
  });
});
