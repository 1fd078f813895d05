import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity, buildRunSummary, type RunSummary } from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import { parseThreshold } from './threshold.js';
import { evaluateThresholds, thresholdsPassed } from './threshold-evaluation.js';

const START_MS = Date.parse('2026-01-01T00:00:00Z');

function record(i: number, fields: Partial<RequestRecord>): RequestRecord {
  return {
    requestId: `r-${i}`,
    provider: 'openai',
    model: 'gpt-4o-mini',
    scenario: 'chat',
    isWarmup: false,
    startedAtMs: START_MS + i * 100,
    dispatchNs: BigInt(i) * 100_000_000n,
    status: 'ok',
    queueNs: 0n,
    tokenEventOffsetsNs: new Float64Array(0),
    tokenEventTokens: new Uint32Array(0),
    ...fields,
  };
}

function summaryOf(records: RequestRecord[], slo?: { ttft_ms: number }): RunSummary {
  const aggregator = new Aggregator({ slo });
  for (const r of records) aggregator.add(r);
  const fidelity = buildFidelity([]);
  return buildRunSummary({
    runId: 'run-1',
    toolVersion: '0.1.0',
    configHash: 'test',
    startedAt: START_MS,
    endedAt: START_MS + 10_000,
    complete: true,
    fidelity,
    groups: aggregator.summarize({ complete: true, fidelity }),
  });
}

// 10 requests per group: ttft 100..1000 ms, e2e 2 s, 50 output tokens; the last of
// anthropic's fails.
const records = [
  ...Array.from({ length: 10 }, (_, i) =>
    record(i, {
      ttftNs: BigInt((i + 1) * 100) * 1_000_000n,
      e2eNs: 2_000_000_000n,
      outputTokens: 50,
      costUsd: 0.001,
    }),
  ),
  ...Array.from({ length: 10 }, (_, i) =>
    record(i, {
      provider: 'anthropic',
      model: 'claude-haiku',
      ...(i === 9
        ? { status: 'error', errorClass: 'server_error', errorMessage: 'HTTP 500' }
        : { ttftNs: 200_000_000n, e2eNs: 1_000_000_000n, outputTokens: 40 }),
    }),
  ),
];
const summary = summaryOf(records);
const evaluate = (...texts: string[]) =>
  evaluateThresholds(
    summary,
    texts.map((text, i) => parseThreshold(text, `thresholds[${i}]`)),
  );

describe('evaluateThresholds', () => {
  it('judges every matching group with its value', () => {
    const [result] = evaluate('ttft.p90<950');
    expect(result?.passed).toBe(true);
    expect(result?.message).toBe('passed in 2 groups');
    expect(result?.groups).toEqual([
      {
        provider: 'openai',
        model: 'gpt-4o-mini',
        scenario: 'chat',
        value: 900.095,
        passed: true,
        message: 'ttft.p90 = 900.095 ms, limit < 950 ms',
      },
      {
        provider: 'anthropic',
        model: 'claude-haiku',
        scenario: 'chat',
        value: 200.063,
        passed: true,
        message: 'ttft.p90 = 200.063 ms, limit < 950 ms',
      },
    ]);
  });

  it('fails a group over the limit and passes with a scope that leaves it out', () => {
    const [all, scoped] = evaluate('ttft.p95<900', 'anthropic/ttft.p95<900');
    expect(all?.groups.map((g) => g.passed)).toEqual([false, true]);
    expect(all?.groups[0]?.message).toBe('ttft.p95 = 1000.447 ms, limit < 900 ms');
    expect(scoped?.passed).toBe(true);
    expect(scoped?.groups).toHaveLength(1);
  });

  it('reads the scalars: rates, counts, tokens, cost, throughput', () => {
    const results = evaluate(
      'anthropic/success_rate>=99%',
      'anthropic/error_rate<=0.1',
      'requests.total>=10',
      'openai/tokens.output>=500',
      'openai/cost_total_usd<=0.01',
      'openai/cost_per_request_usd<0.002',
      'openai/throughput.output_tokens_per_s>40',
    );
    expect(results.map((r) => r.groups.map((g) => g.value))).toEqual([
      [0.9],
      [0.1],
      [10, 10],
      [500],
      [0.01],
      [0.001],
      [172.414],
    ]);
    expect(results.map((r) => r.passed)).toEqual([false, true, true, true, true, true, true]);
  });

  it('fails a threshold that matches no group, saying so', () => {
    const [result] = evaluate('mistral:large@chat/ttft.p95<800');
    expect(result).toMatchObject({
      passed: false,
      groups: [],
      message:
        'mistral:large@chat/ttft.p95<800 matches no group of the run (provider mistral, model large, scenario chat)',
    });
  });

  it('fails with "no value" where cost is unknown or a metric has no samples', () => {
    const [cost, tpot, count] = evaluate(
      'anthropic/cost_per_request_usd<1',
      'tpot.p50<100',
      'tpot.count<1',
    );
    expect(cost?.groups[0]).toMatchObject({
      value: null,
      passed: false,
      message:
        'no value: cost unknown: no request of this group had a price (see --pricing) (anthropic / claude-haiku / chat)',
    });
    expect(tpot?.groups.map((g) => [g.value, g.passed])).toEqual([
      [null, false],
      [null, false],
    ]);
    expect(tpot?.groups[0]?.message).toBe(
      'no value: tpot has no samples in this group (openai / gpt-4o-mini / chat)',
    );
    // A count of no samples is 0, a value like any other.
    expect(count?.groups.map((g) => [g.value, g.passed])).toEqual([
      [0, true],
      [0, true],
    ]);
  });

  it('judges goodput only when the run set SLOs', () => {
    const [without] = evaluate('goodput_fraction>=0.5');
    expect(without?.groups[0]?.message).toContain('no value: goodput needs SLOs');
    const withSlo = summaryOf(records, { ttft_ms: 550 });
    const [result] = evaluateThresholds(withSlo, [parseThreshold('goodput_fraction>=0.5', 'x')]);
    expect(result?.groups.map((g) => [g.value, g.passed])).toEqual([
      [0.5, true],
      [0.9, true],
    ]);
  });

  it('returns plain JSON', () => {
    const results = evaluate('ttft.p95<900', 'x/ttft.p95<1', 'tpot.p50<1');
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
    expect(thresholdsPassed(results)).toBe(false);
    expect(thresholdsPassed(evaluate('requests.total>=10'))).toBe(true);
    expect(thresholdsPassed([])).toBe(true);
  });
});
