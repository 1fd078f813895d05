import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity } from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import { collectRunSamples } from './run-samples.js';

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: 'r',
    provider: 'p',
    model: 'm',
    scenario: 's',
    isWarmup: false,
    startedAtMs: 1_000,
    dispatchNs: 0n,
    status: 'ok',
    queueNs: 0n,
    ttftNs: 100_000_000n,
    tpotNs: 10_000_000n,
    e2eNs: 200_000_000n,
    outputTokens: 4,
    // Events at 100, 110, 130 ms; the last carries 2 tokens: ITL 10, then 2 × 10.
    tokenEventOffsetsNs: Float64Array.of(100e6, 110e6, 130e6),
    tokenEventTokens: Uint32Array.of(1, 1, 2),
    ...overrides,
  };
}

describe('collectRunSamples', () => {
  it('counts records by the Aggregator rules: warm-up, cool-down and retried attempts left out', () => {
    const collector = collectRunSamples({ runId: 'run-a' });
    const records = [
      record(),
      record({ isWarmup: true }),
      record({ isCooldown: true }),
      record({ attempt: 1, isRetried: true, status: 'error', errorClass: 'rate_limited' }),
      record({ attempt: 2, startedAtMs: 1_500 }),
      record({ status: 'error', errorClass: 'server_error', e2eNs: 5_000_000n }),
    ];
    const aggregator = new Aggregator();
    for (const r of records) {
      collector.add(r);
      aggregator.add(r);
    }
    const samples = collector.finish();
    const [summary] = aggregator.summarize({ complete: true, fidelity: buildFidelity([]) });
    expect(samples.run_id).toBe('run-a');
    expect(collector.counted).toBe(3);
    const group = samples.groups[0]!;
    expect(group.requests).toEqual({ total: 3, succeeded: 2, failed: 1 });
    expect(group.requests.total).toBe(summary!.requests.total);
    expect(group.requests.failed).toBe(summary!.requests.failed);
    expect([...group.ttft_ms]).toEqual([100, 100]);
    expect([...group.e2e_ms]).toEqual([200, 200]);
    expect([...group.tpot_ms]).toEqual([10, 10]);
    expect([...group.output_tokens_per_s]).toEqual([20, 20]);
    // The run summary's throughput, by the same arithmetic.
    expect(group.throughput).toEqual({
      window_s: summary!.throughput.window_s,
      requests_per_s: summary!.throughput.requests_per_s,
      output_tokens_per_s: summary!.throughput.output_tokens_per_s,
    });
    expect(group.throughput.window_s).toBe(0.7);
  });

  it('splits the gap before a k-token event into k samples of gap / k, grouped by request', () => {
    const collector = collectRunSamples();
    collector.add(record());
    collector.add(
      record({ tokenEventOffsetsNs: Float64Array.of(50e6), tokenEventTokens: Uint32Array.of(1) }),
    );
    collector.add(
      record({
        tokenEventOffsetsNs: Float64Array.of(0, 3e6),
        tokenEventTokens: Uint32Array.of(1, 0),
      }),
    );
    const { itl } = collector.finish().groups[0]!;
    expect([...itl.values_ms]).toEqual([10, 10, 3]);
    expect([...itl.counts]).toEqual([1, 2, 1]);
    // Request 2 had one event: an empty range, so indices stay aligned with the other metrics.
    expect([...itl.request_offsets]).toEqual([0, 2, 2, 3]);
  });

  it('marks absent and unusable values NaN so every per-request array stays aligned', () => {
    const collector = collectRunSamples();
    collector.add(record({ costUsd: 0.002 }));
    const { tpotNs: _tpot, ttftNs: _ttft, ...withoutTimes } = record();
    collector.add({ ...withoutTimes, ttftNs: -5n });
    const group = collector.finish().groups[0]!;
    expect([...group.ttft_ms]).toEqual([100, Number.NaN]);
    expect([...group.tpot_ms]).toEqual([10, Number.NaN]);
    expect([...group.cost_usd]).toEqual([0.002, Number.NaN]);
    expect(group.e2e_ms).toHaveLength(2);
  });

  it('keeps groups apart by provider, model and scenario, in first-seen order', () => {
    const collector = collectRunSamples();
    collector.add(record({ scenario: 'b' }));
    collector.add(record({ scenario: 'a' }));
    collector.add(record({ scenario: 'b' }));
    const groups = collector.finish().groups;
    expect(groups.map((g) => [g.scenario, g.requests.total])).toEqual([
      ['b', 2],
      ['a', 1],
    ]);
  });
});
