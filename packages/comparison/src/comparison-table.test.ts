import { describe, expect, it } from 'vitest';
import type { ComparisonRow, RunComparison } from './compare-runs.js';
import { renderComparisonMarkdown, renderComparisonText } from './comparison-table.js';

function row(overrides: Partial<ComparisonRow>): ComparisonRow {
  return {
    metric: 'ttft',
    statistic: 'p50',
    unit: 'ms',
    base: 200,
    new: 220,
    delta: 20,
    delta_pct: 10,
    ci_low: 12.5,
    ci_high: 27.25,
    p_value: 0.00001,
    p_adjusted: 0.00006,
    verdict: 'worse',
    method: 'bootstrap+mann-whitney',
    base_count: 500,
    new_count: 500,
    note: null,
    ...overrides,
  };
}

const comparison: RunComparison = {
  base_run_id: 'run-a',
  new_run_id: 'run-b',
  options: {
    alpha: 0.05,
    confidence: 0.95,
    resamples: 2000,
    seed: 24301,
    adjustment: 'holm',
    summaryMargin: 0.25,
  },
  groups: [
    {
      provider: 'openai',
      model: 'gpt|4o',
      scenario: 'chat',
      method: 'bootstrap+mann-whitney',
      rows: [
        row({}),
        row({
          metric: 'itl',
          base: 20.04,
          new: 19.98,
          delta: -0.06,
          delta_pct: -0.3,
          ci_low: -0.14,
          ci_high: 0.05,
          p_adjusted: 1,
          verdict: 'no_change',
        }),
        row({
          metric: 'error_rate',
          statistic: 'value',
          unit: 'fraction',
          base: 0.002,
          new: 0.01,
          delta: 0.008,
          delta_pct: 400,
          ci_low: 0.0012,
          ci_high: 0.017,
          p_adjusted: 0.03,
          method: 'fisher+newcombe',
        }),
        row({
          metric: 'throughput',
          statistic: 'requests_per_s',
          unit: 'requests/s',
          base: 9.4,
          new: 9.3,
          delta: -0.1,
          delta_pct: -1.06,
          ci_low: null,
          ci_high: null,
          p_value: null,
          p_adjusted: null,
          verdict: 'no_change',
          method: 'summary-rule',
        }),
      ],
      tests: [],
    },
  ],
  unmatched: { base_only: [{ provider: 'openai', model: 'old', scenario: 'chat' }], new_only: [] },
};

describe('renderComparisonText', () => {
  it('prints a side-by-side table per group, then the unmatched groups', () => {
    expect(renderComparisonText(comparison)).toBe(
      [
        'BASE run-a → NEW run-b',
        '',
        'openai / gpt|4o / chat',
        'method: bootstrap (B=2000, seed 24301, 95% CI) + Mann–Whitney, Holm-adjusted, α=0.05',
        'metric                                   base    new         Δ       Δ%               CI of Δ  p (adj.)  verdict',
        'ttft.p50 (ms)                           200.0  220.0    +20.00   +10.0%      [+12.50, +27.25]    <0.001  worse',
        'itl.p50 (ms)                            20.04  19.98     -0.06    -0.3%        [-0.14, +0.05]     1.000  no significant change',
        'error_rate                              0.20%  1.00%  +0.80 pp  +400.0%  [+0.12 pp, +1.70 pp]     0.030  worse',
        'throughput.requests_per_s (requests/s)   9.40   9.30      -0.1    -1.1%                     —         —  no significant change *',
        '',
        '* judged by the summary rule (a run-level number or summaries only)',
        '',
        'only in BASE (not compared): openai / old / chat',
        '',
      ].join('\n'),
    );
  });

  it('lets the caller style the padded verdict cell (the CLI colours it)', () => {
    const text = renderComparisonText(comparison, {
      styleVerdict: (verdict, cell) => (verdict === 'worse' ? `<${cell}>` : cell),
    });
    expect(text).toContain('<0.001  <worse                  >');
  });
});

describe('renderComparisonMarkdown', () => {
  it('prints one table per group with escaped pipes and bold changed verdicts', () => {
    const markdown = renderComparisonMarkdown(comparison);
    expect(markdown).toContain('#### openai / gpt\\|4o / chat');
    expect(markdown).toContain('| metric | base | new | Δ | Δ% | CI of Δ | p (adj.) | verdict |');
    expect(markdown).toContain('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    expect(markdown).toContain(
      '| ttft.p50 (ms) | 200.0 | 220.0 | +20.00 | +10.0% | [+12.50, +27.25] | <0.001 | **worse** |',
    );
    expect(markdown).toContain('| no significant change * |');
    expect(markdown).toContain('- only in BASE (not compared): openai / old / chat');
  });
});
