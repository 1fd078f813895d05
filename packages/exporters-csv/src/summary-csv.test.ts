import type { RequestRecord } from '@llm-lens/core-timing';
import {
  Aggregator,
  buildFidelity,
  buildRunSummary,
  DISTRIBUTION_STATISTICS,
  LATENCY_METRICS,
  RATE_METRICS,
  type RunSummary,
} from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import { formatSummaryCsv, summaryToCsvRows } from './summary-csv.js';

const MS = 1_000_000n;

function record(i: number, overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: `r-${i}`,
    provider: 'mock',
    model: 'm',
    scenario: 'chat',
    isWarmup: false,
    startedAtMs: Date.UTC(2026, 0, 1) + i * 100,
    dispatchNs: BigInt(i) * 100n * MS,
    status: 'ok',
    httpStatus: 200,
    queueNs: 0n,
    sendDelayNs: 10_000n,
    ttfbNs: 40n * MS,
    ttftNs: BigInt(50 + i) * MS,
    ttfoNs: BigInt(50 + i) * MS,
    e2eNs: BigInt(250 + i) * MS,
    e2eFromScheduleNs: BigInt(251 + i) * MS,
    ttftFromScheduleNs: BigInt(51 + i) * MS,
    scheduleLagNs: 0n,
    tpotNs: 20n * MS,
    inputTokens: 10,
    outputTokens: 11,
    tokenCountSource: 'server_usage',
    costUsd: 0.001,
    tokenEventOffsetsNs: Float64Array.from({ length: 11 }, (_, k) => (50 + i + 20 * k) * 1e6),
    tokenEventTokens: new Uint32Array(11).fill(1),
    ...overrides,
  };
}

function summaryOf(records: RequestRecord[], slo?: { ttft_ms: number }): RunSummary {
  const aggregator = new Aggregator(slo === undefined ? {} : { slo });
  for (const r of records) aggregator.add(r);
  const fidelity = buildFidelity([]);
  return buildRunSummary({
    runId: 'run-1',
    toolVersion: '0.1.0',
    configHash: 'test',
    startedAt: Date.UTC(2026, 0, 1),
    endedAt: Date.UTC(2026, 0, 1, 0, 1),
    complete: true,
    fidelity,
    groups: aggregator.summarize({ complete: true, fidelity }),
  });
}

describe('summaryToCsvRows', () => {
  it('has 11 statistics for every distribution with samples, and the counts, rates, tokens, cost and goodput', () => {
    const records = Array.from({ length: 20 }, (_, i) => record(i));
    records.push(
      record(20, { status: 'error', errorClass: 'rate_limited', httpStatus: 429 }),
      record(21, { connection: { connectNs: 2n * MS, tlsNs: 5n * MS } }),
    );
    const summary = summaryOf(records, { ttft_ms: 60 });
    const group = summary.groups[0]!;
    const distributions = [...LATENCY_METRICS, ...RATE_METRICS].filter((m) => group[m] !== null);
    // dns: no request looked up a name; every other distribution has samples.
    expect(distributions).toHaveLength(LATENCY_METRICS.length + RATE_METRICS.length - 1);
    expect(group.requests.planned).toBeNull();
    const rows = summaryToCsvRows(summary);
    const count = (metric: string) => rows.filter((r) => r.metric === metric).length;
    expect(count('requests')).toBe(4); // planned and not_sent are null: no row
    expect(count('success_rate')).toBe(1);
    expect(count('ttft')).toBe(11);
    expect(count('dns')).toBe(0);
    expect(count('throughput')).toBe(4);
    expect(count('tokens')).toBe(4);
    expect(count('cost')).toBe(4);
    expect(count('goodput')).toBe(3);
    expect(count('errors')).toBe(1);
    expect(rows).toHaveLength(4 + 1 + 11 * distributions.length + 4 + 4 + 4 + 3 + 1);
    expect(rows.every((r) => r.run_id === 'run-1' && r.scenario === 'chat')).toBe(true);

    const ttft = rows.filter((r) => r.metric === 'ttft');
    expect(ttft.map((r) => r.statistic)).toEqual([...DISTRIBUTION_STATISTICS]);
    expect(ttft.find((r) => r.statistic === 'p50')).toMatchObject({
      value: group.ttft!.p50,
      unit: 'ms',
    });
    expect(ttft.find((r) => r.statistic === 'count')).toMatchObject({ value: 21, unit: 'samples' });
    expect(
      rows.find((r) => r.metric === 'output_tokens_per_s' && r.statistic === 'max')?.unit,
    ).toBe('tokens/s');
    expect(rows.find((r) => r.metric === 'requests' && r.statistic === 'failed')?.value).toBe(1);
    expect(rows.find((r) => r.metric === 'errors')).toMatchObject({
      statistic: 'rate_limited',
      value: 1,
      unit: 'requests',
    });
    expect(rows.find((r) => r.metric === 'goodput' && r.statistic === 'requests')?.value).toBe(
      group.goodput!.requests,
    );
  });

  it('writes one row per group and value, with a header, for several groups', () => {
    const records = [record(1), record(2, { model: 'other' }), record(3, { scenario: 'rag' })];
    const summary = summaryOf(records);
    const lines = formatSummaryCsv(summary).split('\r\n');
    expect(lines[0]).toBe('run_id,provider,model,scenario,metric,statistic,value,unit');
    expect(lines.at(-1)).toBe('');
    const perGroup = summaryToCsvRows(summary).length / 3;
    expect(Number.isInteger(perGroup)).toBe(true);
    expect(lines).toHaveLength(1 + perGroup * 3 + 1);
    expect(lines).toContain('run-1,mock,other,chat,success_rate,value,1,ratio');
  });

  it('writes a header alone for a summary with no groups', () => {
    expect(formatSummaryCsv({ ...summaryOf([]), groups: [] })).toBe(
      'run_id,provider,model,scenario,metric,statistic,value,unit\r\n',
    );
  });
});
