import { describe, expect, it } from 'vitest';
import { samplesOf, simulatedRecords } from '../test/simulated-run.js';
import type { ComparisonRow, RunComparison } from './compare-runs.js';
import { compareRuns, DEFAULT_COMPARISON_SEED } from './compare-runs.js';
import { evaluateRegression, evaluateRegressions, parseRegressionSpec } from './regression-spec.js';

describe('parseRegressionSpec', () => {
  it('reads relative and absolute tolerances, in ms or s for latencies', () => {
    expect(parseRegressionSpec('ttft.p95:+10%')).toEqual({
      text: 'ttft.p95:+10%',
      metric: 'ttft',
      statistic: 'p95',
      tolerance: { kind: 'relative', fraction: 0.1 },
    });
    expect(parseRegressionSpec('e2e.p50:+50ms').tolerance).toEqual({ kind: 'absolute', value: 50 });
    expect(parseRegressionSpec('itl.p99:0.5s').tolerance).toEqual({ kind: 'absolute', value: 500 });
    expect(parseRegressionSpec('output_tokens_per_s.p50:-5%').tolerance).toEqual({
      kind: 'relative',
      fraction: 0.05,
    });
    expect(parseRegressionSpec('error_rate:+0.01')).toMatchObject({
      metric: 'error_rate',
      statistic: 'value',
      tolerance: { kind: 'absolute', value: 0.01 },
    });
    expect(parseRegressionSpec('cost_per_request_usd:+20%').statistic).toBe('mean');
    expect(parseRegressionSpec('throughput.requests_per_s:10%').statistic).toBe('requests_per_s');
  });

  it('rejects mistakes with LENS_COMPARISON_REGRESSION_SPEC_INVALID, naming the flag and what is valid', () => {
    const message = (text: string, origin?: string) => {
      try {
        parseRegressionSpec(text, origin);
      } catch (error) {
        expect((error as { code: string }).code).toBe('LENS_COMPARISON_REGRESSION_SPEC_INVALID');
        return (error as Error).message;
      }
      throw new Error(`${text} was accepted`);
    };
    expect(message('ttf.p95:+10%')).toMatch(
      /^--regression "ttf\.p95:\+10%": unknown metric "ttf"; valid: ttft, itl, tpot, e2e and output_tokens_per_s with \.p50/,
    );
    expect(message('ttft.p75:+10%')).toContain(
      'ttft has no statistic "p75"; valid: ttft.p50, ttft.p90, ttft.p95, ttft.p99, ttft.mean',
    );
    expect(message('ttft:+10%')).toContain('ttft needs a statistic');
    expect(message('ttft.p95:-10%')).toContain(
      'ttft gets worse when it rises: write the tolerance with +',
    );
    expect(message('output_tokens_per_s.p50:+5%')).toContain('falls: write the tolerance with -');
    expect(message('output_tokens_per_s.p50:-5ms')).toContain('ms applies to latencies');
    expect(message('ttft.p95', 'regressions[1]')).toMatch(
      /^regressions\[1\] "ttft\.p95": expected METRIC/,
    );
    expect(message('ttft.p95:ten%')).toContain('expected METRIC[.STATISTIC]:TOLERANCE');
  });
});

/** A comparison of one group holding the given rows, for the rule alone. */
function comparisonWith(rows: Array<Partial<ComparisonRow>>): RunComparison {
  const full = rows.map(
    (row): ComparisonRow => ({
      metric: 'ttft',
      statistic: 'p95',
      unit: 'ms',
      base: 100,
      new: 100,
      delta: 0,
      delta_pct: 0,
      ci_low: -1,
      ci_high: 1,
      p_value: 0.5,
      p_adjusted: 0.5,
      verdict: 'no_change',
      method: 'bootstrap+mann-whitney',
      base_count: 500,
      new_count: 500,
      note: null,
      ...row,
    }),
  );
  return {
    base_run_id: 'a',
    new_run_id: 'b',
    options: {
      alpha: 0.05,
      confidence: 0.95,
      resamples: 2000,
      seed: DEFAULT_COMPARISON_SEED,
      adjustment: 'holm',
      summaryMargin: 0.25,
    },
    groups: full.map((row, index) => ({
      provider: 'p',
      model: 'm',
      scenario: `s${index}`,
      method: row.method === 'summary-rule' ? 'summary-rule' : 'bootstrap+mann-whitney',
      rows: [row],
      tests: [],
    })),
    unmatched: { base_only: [], new_only: [] },
  };
}

describe('evaluateRegression', () => {
  it('needs both the tolerance exceeded and the interval wholly on the worse side', () => {
    const comparison = comparisonWith([
      { new: 120, delta: 20, delta_pct: 20, ci_low: 5, ci_high: 35 }, // exceeded, significant
      { new: 120, delta: 20, delta_pct: 20, ci_low: -3, ci_high: 40 }, // exceeded, not significant
      { new: 105, delta: 5, delta_pct: 5, ci_low: 2, ci_high: 8 }, // significant, within 10 %
      {
        new: 140,
        delta: 40,
        delta_pct: 40,
        ci_low: null,
        ci_high: null,
        method: 'summary-rule',
        verdict: 'worse',
      },
      { new: 140, delta: 40, delta_pct: 40, ci_low: null, ci_high: null, method: 'summary-rule' },
    ]);
    const results = evaluateRegression(comparison, parseRegressionSpec('ttft.p95:+10%'));
    expect(results.map((r) => [r.exceeded, r.significant, r.regressed])).toEqual([
      [true, true, true],
      [true, false, false],
      [false, true, false],
      [true, true, true],
      [true, false, false],
    ]);
    expect(results[0]!.allowed).toBeCloseTo(10, 12);
    expect(results[0]!.group).toEqual({ provider: 'p', model: 'm', scenario: 's0' });
    expect(results[0]!.message).toBe(
      'ttft.p95 100.0 → 120.0 ms, Δ +20.000 (+20.0%): beyond the tolerance 10%; the 95% interval of Δ [+5.000, +35.000] lies wholly on the worse side of 0 — regression',
    );
    expect(results[1]!.message).toContain('does not lie wholly on the worse side of 0');
  });

  it('reads the worse side of a higher-is-better metric as a fall', () => {
    const comparison = comparisonWith([
      {
        metric: 'output_tokens_per_s',
        statistic: 'p50',
        unit: 'tokens/s',
        base: 50,
        new: 40,
        delta: -10,
        delta_pct: -20,
        ci_low: -14,
        ci_high: -6,
      },
      {
        metric: 'output_tokens_per_s',
        statistic: 'p50',
        unit: 'tokens/s',
        base: 50,
        new: 60,
        delta: 10,
        delta_pct: 20,
        ci_low: 6,
        ci_high: 14,
      },
    ]);
    const results = evaluateRegression(
      comparison,
      parseRegressionSpec('output_tokens_per_s.p50:-5%'),
    );
    expect(results.map((r) => r.regressed)).toEqual([true, false]);
    expect(results[1]!.exceeded).toBe(false);
  });

  it('checks absolute tolerances in the metric unit and reports missing values as not checked', () => {
    const comparison = comparisonWith([
      { new: 160, delta: 60, delta_pct: 60, ci_low: 40, ci_high: 80 },
      { base: null, new: 160, delta: null, delta_pct: null },
    ]);
    const results = evaluateRegression(comparison, parseRegressionSpec('ttft.p95:+50ms'));
    expect(results.map((r) => r.regressed)).toEqual([true, false]);
    expect(results[1]!.message).toBe('ttft.p95: no value in BASE; not checked');
    expect(evaluateRegression(comparison, parseRegressionSpec('cost_per_request_usd:+1%'))).toEqual(
      [],
    );
  });

  it('flags a real 50 % TTFT slowdown against +10 %, not against +80 %', () => {
    const config = {
      requests: 300,
      ttft: 'lognormal:200,0.3',
      itl: 'normal:20,4',
      outputTokens: 6,
    };
    const comparison = compareRuns(
      samplesOf(simulatedRecords({ ...config, seed: 1 }), 'a'),
      samplesOf(simulatedRecords({ ...config, seed: 2, ttftScale: 1.5 }), 'b'),
      { resamples: 500 },
    );
    const results = evaluateRegressions(comparison, [
      parseRegressionSpec('ttft.p50:+10%'),
      parseRegressionSpec('ttft.p50:+80%'),
      parseRegressionSpec('itl.p50:+1%'),
    ]);
    expect(results.map((r) => [r.spec, r.regressed])).toEqual([
      ['ttft.p50:+10%', true],
      ['ttft.p50:+80%', false],
      ['itl.p50:+1%', false],
    ]);
  });
});
