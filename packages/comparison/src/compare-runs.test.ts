import { describe, expect, it } from 'vitest';
import { samplesOf, simulatedRecords, summaryOf } from '../test/simulated-run.js';
import { compareRuns } from './compare-runs.js';
import { ComparisonError } from './comparison-error.js';

const config = { requests: 300, ttft: 'lognormal:200,0.3', itl: 'normal:20,4', outputTokens: 6 };
const records = (seed: number, extra: Partial<Parameters<typeof simulatedRecords>[0]> = {}) =>
  simulatedRecords({ ...config, seed, ...extra });
const fast = { resamples: 500 };

describe('compareRuns', () => {
  it('matches groups by provider/model/scenario and lists the others as unmatched', () => {
    const base = samplesOf([...records(1), ...records(2, { scenario: 'old' })], 'base-run');
    const next = samplesOf([...records(3), ...records(4, { model: 'other' })], 'new-run');
    const comparison = compareRuns(base, next, fast);
    expect(comparison.base_run_id).toBe('base-run');
    expect(comparison.new_run_id).toBe('new-run');
    expect(comparison.groups.map((g) => [g.provider, g.model, g.scenario])).toEqual([
      ['sim', 'mock-model', 'chat'],
    ]);
    expect(comparison.unmatched).toEqual({
      base_only: [{ provider: 'sim', model: 'mock-model', scenario: 'old' }],
      new_only: [{ provider: 'sim', model: 'other', scenario: 'chat' }],
    });
  });

  it('tests every distribution statistic with an interval, and throughput by the summary rule', () => {
    const comparison = compareRuns(samplesOf(records(1), 'a'), samplesOf(records(2), 'b'), fast);
    const group = comparison.groups[0]!;
    expect(group.method).toBe('bootstrap+mann-whitney');
    expect(group.rows.map((r) => `${r.metric}.${r.statistic}`)).toEqual([
      ...['ttft', 'itl', 'tpot', 'e2e', 'output_tokens_per_s'].flatMap((m) =>
        ['p50', 'p90', 'p95', 'p99', 'mean'].map((s) => `${m}.${s}`),
      ),
      'error_rate.value',
      'throughput.requests_per_s',
      'throughput.output_tokens_per_s',
    ]);
    for (const row of group.rows.filter((r) => r.metric !== 'throughput')) {
      expect(row.ci_low).not.toBeNull();
      expect(row.ci_low!).toBeLessThanOrEqual(row.ci_high!);
      expect(row.p_adjusted!).toBeGreaterThanOrEqual(row.p_value!);
    }
    for (const row of group.rows.filter((r) => r.metric === 'throughput')) {
      expect(row.method).toBe('summary-rule');
      expect(row.ci_low).toBeNull();
      expect(row.p_value).toBeNull();
    }
    expect(group.tests.map((t) => t.test)).toEqual([
      'mann-whitney',
      'mann-whitney',
      'mann-whitney',
      'mann-whitney',
      'mann-whitney',
      'fisher-exact',
    ]);
    const itl = group.rows.find((r) => r.metric === 'itl' && r.statistic === 'p50')!;
    expect(itl.base_count).toBe(300 * 5); // token samples: 5 gaps per 6-token request
  });

  it('is deterministic for a seed; another seed moves the intervals, not the tests', () => {
    const base = samplesOf(records(1), 'a');
    const next = samplesOf(records(2), 'b');
    const once = compareRuns(base, next, { ...fast, seed: 42 });
    expect(compareRuns(base, next, { ...fast, seed: 42 })).toEqual(once);
    const other = compareRuns(base, next, { ...fast, seed: 43 });
    const ttft = (c: typeof once) => c.groups[0]!.rows[0]!;
    expect(ttft(other).ci_low).not.toBe(ttft(once).ci_low);
    expect(ttft(other).p_value).toBe(ttft(once).p_value);
  });

  it('judges a slower TTFT worse, and the tokens/s that fall with it worse too', () => {
    const comparison = compareRuns(
      samplesOf(records(1), 'a'),
      samplesOf(records(2, { ttftScale: 1.5 }), 'b'),
      fast,
    );
    const row = (metric: string, statistic: string) =>
      comparison.groups[0]!.rows.find((r) => r.metric === metric && r.statistic === statistic)!;
    expect(row('ttft', 'p50').verdict).toBe('worse');
    expect(row('ttft', 'p50').ci_low!).toBeGreaterThan(0);
    expect(row('output_tokens_per_s', 'mean').verdict).toBe('worse');
    expect(row('output_tokens_per_s', 'mean').delta!).toBeLessThan(0);
    expect(row('itl', 'p50').verdict).toBe('no_change');
    // And the other way round it is better.
    const reverse = compareRuns(
      samplesOf(records(2, { ttftScale: 1.5 }), 'b'),
      samplesOf(records(1), 'a'),
      fast,
    );
    expect(reverse.groups[0]!.rows[0]!.verdict).toBe('better');
  });

  it('tests the error rate with Fisher and Newcombe', () => {
    const comparison = compareRuns(
      samplesOf(records(1, { errorRate: 0.01 }), 'a'),
      samplesOf(records(2, { errorRate: 0.1 }), 'b'),
      fast,
    );
    const row = comparison.groups[0]!.rows.find((r) => r.metric === 'error_rate')!;
    expect(row.method).toBe('fisher+newcombe');
    expect(row.new!).toBeGreaterThan(row.base!);
    expect(row.ci_low!).toBeGreaterThan(0);
    expect(row.p_value!).toBeLessThan(0.001);
    expect(row.verdict).toBe('worse');
  });

  it('compares the cost per request when requests are priced', () => {
    const comparison = compareRuns(
      samplesOf(records(1, { costUsd: 0.001 }), 'a'),
      samplesOf(records(2, { costUsd: 0.002 }), 'b'),
      fast,
    );
    const row = comparison.groups[0]!.rows.find((r) => r.metric === 'cost_per_request_usd')!;
    expect(row).toMatchObject({ statistic: 'mean', verdict: 'worse', unit: 'USD' });
    expect(row.base).toBeCloseTo(0.001, 12);
    expect(row.new).toBeCloseTo(0.002, 12);
    expect(row.ci_low).toBeCloseTo(0.001, 12);
  });

  it('labels every distribution row summary-rule when a run has only its summary', () => {
    const base = summaryOf(records(1), 'a');
    for (const next of [
      summaryOf(records(2, { ttftScale: 1.6 }), 'b'),
      samplesOf(records(2, { ttftScale: 1.6 }), 'b'),
    ]) {
      const comparison = compareRuns(base, next);
      const group = comparison.groups[0]!;
      expect(group.method).toBe('summary-rule');
      expect(comparison.base_run_id).toBe('a');
      for (const row of group.rows) {
        expect(row.method).toBe(row.metric === 'error_rate' ? 'fisher+newcombe' : 'summary-rule');
        if (row.method === 'summary-rule') expect(row.p_value).toBeNull();
      }
      const p50 = group.rows.find((r) => r.metric === 'ttft' && r.statistic === 'p50')!;
      expect(p50.verdict).toBe('worse');
      const itl = group.rows.find((r) => r.metric === 'itl' && r.statistic === 'p50')!;
      expect(itl.verdict).toBe('no_change');
    }
  });

  it('finds no change between summaries of two runs of one configuration', () => {
    const comparison = compareRuns(summaryOf(records(1), 'a'), summaryOf(records(2), 'b'));
    expect(comparison.groups[0]!.rows.filter((r) => r.verdict !== 'no_change')).toEqual([]);
  });

  it('rejects invalid options with LENS_COMPARISON_OPTION_INVALID and inputs with LENS_COMPARISON_INPUT_INVALID', () => {
    const run = samplesOf(records(1), 'a');
    for (const options of [{ alpha: 0 }, { confidence: 1 }, { resamples: 10 }, { seed: 1.5 }]) {
      expect(() => compareRuns(run, run, options)).toThrowError(
        expect.objectContaining({ code: 'LENS_COMPARISON_OPTION_INVALID' }),
      );
    }
    expect(() => compareRuns(run, {} as never)).toThrowError(ComparisonError);
    expect(() => compareRuns(run, {} as never)).toThrowError(/NEW run is neither/);
    const misaligned = {
      ...run,
      groups: [{ ...run.groups[0]!, ttft_ms: run.groups[0]!.ttft_ms.slice(1) }],
    };
    expect(() => compareRuns(misaligned, run)).toThrowError(
      expect.objectContaining({ code: 'LENS_COMPARISON_INPUT_INVALID' }),
    );
  });
});
