import { describe, expect, it } from 'vitest';
import { renderGatesMarkdown } from './gates-markdown.js';
import type { ComparisonTableRow, RegressionCheck } from './regression-check.js';
import type { ThresholdResult } from './threshold-evaluation.js';

function result(fields: Partial<ThresholdResult>): ThresholdResult {
  return {
    threshold: 'ttft.p95<800',
    origin: '--threshold',
    metric: 'ttft.p95',
    unit: 'ms',
    operator: '<',
    limit: 800,
    scope: { provider: null, model: null, scenario: null },
    passed: true,
    groups: [],
    message: '',
    ...fields,
  };
}

const where = { provider: 'openai', model: 'gpt-4o-mini', scenario: 'chat' };
const thresholds: ThresholdResult[] = [
  result({ groups: [{ ...where, value: 612.3, passed: true, message: '' }] }),
  result({
    threshold: 'success_rate>=99%',
    metric: 'success_rate',
    unit: 'ratio',
    operator: '>=',
    limit: 0.99,
    passed: false,
    groups: [{ ...where, value: 0.98, passed: false, message: '' }],
  }),
  result({
    threshold: 'cost_per_request_usd<0.01',
    unit: 'usd',
    limit: 0.01,
    passed: false,
    groups: [{ ...where, value: null, passed: false, message: '' }],
  }),
  result({ threshold: 'x|y/ttft.p95<800', passed: false, groups: [] }),
];
const comparison: ComparisonTableRow[] = [
  {
    group: 'openai / gpt-4o-mini / chat',
    metric: 'ttft.p95',
    base: 600.1234,
    new: 700.5,
    delta: 100.3766,
    delta_pct: 16.726,
    verdict: 'worse',
  },
  {
    group: 'openai / gpt-4o-mini / chat',
    metric: 'output_tokens_per_s.p50',
    base: 80,
    new: 90,
    delta: 10,
    delta_pct: 12.5,
    verdict: 'better',
  },
  {
    group: 'openai / gpt-4o-mini / chat',
    metric: 'e2e.p50',
    base: 1000,
    new: 990,
    delta: -10,
    delta_pct: -1,
    verdict: 'no significant change',
  },
  {
    group: 'openai / gpt-4o-mini / chat',
    metric: 'cost_per_request_usd.mean',
    base: null,
    new: 0.002,
    delta: null,
    delta_pct: null,
    verdict: 'no significant change',
  },
];
const regressions: RegressionCheck[] = [
  {
    name: 'ttft.p95:+10% [openai / gpt-4o-mini / chat]',
    passed: false,
    value: 16.7,
    limit: 10,
    message: 'ttft.p95 +16.7 % over +10 %, significant',
  },
];

describe('renderGatesMarkdown', () => {
  it('opens with a one-line verdict counting thresholds and regressions', () => {
    const markdown = renderGatesMarkdown({ thresholds, regressions, comparison });
    expect(markdown.split('\n').slice(0, 3)).toEqual([
      '### llm-lens gates',
      '',
      '**❌ 1 of 4 thresholds passed; 1 regression**',
    ]);
    expect(renderGatesMarkdown({ thresholds: thresholds.slice(0, 1), regressions: [] })).toContain(
      '**✅ 1 of 1 threshold passed; no regressions**',
    );
    expect(renderGatesMarkdown({ thresholds: [] })).toContain('**✅ no thresholds**');
  });

  it('writes a threshold row per group with ✅/❌, value and limit, and one for no matching group', () => {
    const markdown = renderGatesMarkdown({ thresholds });
    expect(markdown).toContain(
      [
        '| | threshold | group | value | limit |',
        '| --- | --- | --- | ---: | --- |',
        '| ✅ | `ttft.p95<800` | openai / gpt-4o-mini / chat | 612.3 ms | < 800 ms |',
        '| ❌ | `success_rate>=99%` | openai / gpt-4o-mini / chat | 0.98 | >= 0.99 |',
        '| ❌ | `cost_per_request_usd<0.01` | openai / gpt-4o-mini / chat | no value | < $0.01 |',
        '| ❌ | `x\\|y/ttft.p95<800` | no matching group | – | < 800 ms |',
      ].join('\n'),
    );
    expect(markdown).not.toContain('Comparison with the baseline');
    expect(markdown).not.toContain('Regression checks');
  });

  it('adds the comparison table with signed deltas and verdicts when a baseline was given', () => {
    const markdown = renderGatesMarkdown({ thresholds, regressions, comparison });
    expect(markdown).toContain(
      [
        '| group | metric | base | new | Δ | Δ% | verdict |',
        '| --- | --- | ---: | ---: | ---: | ---: | --- |',
        '| openai / gpt-4o-mini / chat | `ttft.p95` | 600.123 | 700.5 | +100.377 | +16.7% | ❌ worse |',
        '| openai / gpt-4o-mini / chat | `output_tokens_per_s.p50` | 80 | 90 | +10 | +12.5% | ✅ better |',
        '| openai / gpt-4o-mini / chat | `e2e.p50` | 1000 | 990 | -10 | -1% | no significant change |',
        '| openai / gpt-4o-mini / chat | `cost_per_request_usd.mean` | – | 0.002 | – | – | no significant change |',
      ].join('\n'),
    );
    expect(markdown).toContain(
      '| ❌ | ttft.p95:+10% [openai / gpt-4o-mini / chat] | ttft.p95 +16.7 % over +10 %, significant |',
    );
  });

  it('escapes what could become HTML or an entity in a cell, and nothing else', () => {
    const markdown = renderGatesMarkdown({
      thresholds: [
        result({
          groups: [
            {
              ...where,
              model: '<script>x</script> & &amp; a<b',
              value: 1,
              passed: true,
              message: '',
            },
          ],
        }),
      ],
    });
    expect(markdown).toContain('| openai / &lt;script>x&lt;/script> & &amp;amp; a&lt;b / chat |');
  });

  it('keeps code spans intact around backticks', () => {
    const markdown = renderGatesMarkdown({
      thresholds: [result({ threshold: 'a`b/ttft.p95<800', groups: [] })],
    });
    expect(markdown).toContain('| ❌ | ``a`b/ttft.p95<800`` | no matching group |');
  });
});
