import type { GroupSummary } from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import { GROUP_STATISTIC_COLUMNS, groupRow, TREND_METRICS, trendColumn } from './group-columns.js';
import { HistoryError } from './history-error.js';

describe('group columns', () => {
  it('names every trend metric after its path in a GroupSummary', () => {
    expect(TREND_METRICS).toEqual([
      'ttft.p50',
      'ttft.p95',
      'ttft.p99',
      'itl.p50',
      'itl.p95',
      'itl.p99',
      'tpot.p50',
      'tpot.p95',
      'tpot.p99',
      'e2e.p50',
      'e2e.p95',
      'e2e.p99',
      'success_rate',
      'throughput.requests_per_s',
      'throughput.output_tokens_per_s',
      'cost.per_request_usd',
    ]);
    expect(trendColumn('e2e.p99')).toBe('e2e_p99_ms');
    expect(trendColumn('cost.per_request_usd')).toBe('cost_per_request_usd');
    expect(() => trendColumn('ttft.mean')).toThrow(HistoryError);
  });

  it('copies the statistics of a group in column order, null where absent', () => {
    const distribution = (p50: number) => ({ p50, p95: p50 * 2, p99: p50 * 3 });
    const group = {
      provider: 'openai',
      model: 'gpt',
      scenario: 'chat',
      requests: { total: 10, succeeded: 9 },
      success_rate: 0.9,
      ttft: distribution(100),
      itl: null,
      tpot: distribution(20),
      e2e: distribution(1000),
      throughput: { requests_per_s: 4.5, output_tokens_per_s: 300 },
      cost: { per_request_usd: 0.0012 },
    } as unknown as GroupSummary;
    const row = groupRow(group);
    expect(row.length).toBe(3 + GROUP_STATISTIC_COLUMNS.length);
    expect(Object.fromEntries(GROUP_STATISTIC_COLUMNS.map((c, i) => [c, row[i + 3]]))).toEqual({
      requests_total: 10,
      requests_succeeded: 9,
      ttft_p50_ms: 100,
      ttft_p95_ms: 200,
      ttft_p99_ms: 300,
      itl_p50_ms: null,
      itl_p95_ms: null,
      itl_p99_ms: null,
      tpot_p50_ms: 20,
      tpot_p95_ms: 40,
      tpot_p99_ms: 60,
      e2e_p50_ms: 1000,
      e2e_p95_ms: 2000,
      e2e_p99_ms: 3000,
      success_rate: 0.9,
      requests_per_s: 4.5,
      output_tokens_per_s: 300,
      cost_per_request_usd: 0.0012,
    });
    expect(groupRow({ ...group, cost: null }).at(-1)).toBeNull();
  });
});
