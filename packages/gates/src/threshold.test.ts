import { DISTRIBUTION_STATISTICS, LATENCY_METRICS, RATE_METRICS } from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import { GatesError } from './gates-error.js';
import { formatLimit, inScope, parseThreshold } from './threshold.js';
import { THRESHOLD_METRICS } from './threshold-metrics.js';

function parseError(text: string, origin = '--threshold'): GatesError {
  try {
    parseThreshold(text, origin);
  } catch (error) {
    if (error instanceof GatesError) return error;
    throw error;
  }
  throw new Error(`${text} parsed`);
}

describe('parseThreshold', () => {
  it('parses a metric, an operator and a value in the metric unit', () => {
    const threshold = parseThreshold('ttft.p95<800', '--threshold');
    expect(threshold).toMatchObject({
      expression: 'ttft.p95<800',
      origin: '--threshold',
      metric: 'ttft.p95',
      unit: 'ms',
      operator: '<',
      limit: 800,
      scope: { provider: null, model: null, scenario: null },
      source: { kind: 'distribution', distribution: 'ttft', statistic: 'p95' },
    });
    expect(JSON.parse(JSON.stringify(threshold))).toEqual(threshold);
  });

  it('reads every operator, spaces around it included', () => {
    expect(parseThreshold('e2e.max <= 10', 'x').operator).toBe('<=');
    expect(parseThreshold('e2e.max >= 10', 'x').operator).toBe('>=');
    expect(parseThreshold('e2e.max > 10', 'x').operator).toBe('>');
    expect(parseThreshold(' e2e.max < 10 ', 'x')).toMatchObject({ operator: '<', limit: 10 });
  });

  it('converts s to ms for latencies and % to a ratio', () => {
    expect(parseThreshold('e2e.p99<4s', 'x').limit).toBe(4000);
    expect(parseThreshold('e2e.p99<1.5 s', 'x').limit).toBe(1500);
    expect(parseThreshold('e2e.p99<250ms', 'x').limit).toBe(250);
    expect(parseThreshold('success_rate>=99%', 'x').limit).toBeCloseTo(0.99, 12);
    expect(parseThreshold('success_rate>=0.99', 'x').limit).toBe(0.99);
    expect(parseThreshold('error_rate<=0.5%', 'x').limit).toBeCloseTo(0.005, 12);
  });

  it('names every distribution × statistic and every scalar of the brief', () => {
    for (const distribution of [...LATENCY_METRICS, ...RATE_METRICS]) {
      for (const statistic of DISTRIBUTION_STATISTICS) {
        expect(parseThreshold(`${distribution}.${statistic}>0`, 'x').metric).toBe(
          `${distribution}.${statistic}`,
        );
      }
    }
    const scalars = [
      'success_rate',
      'error_rate',
      'requests.total',
      'requests.succeeded',
      'requests.failed',
      'requests.warmup',
      'throughput.requests_per_s',
      'throughput.output_tokens_per_s',
      'cost_per_request_usd',
      'cost_total_usd',
      'goodput_fraction',
      'goodput_requests_per_s',
      'tokens.input',
      'tokens.output',
      'tokens.reasoning',
      'tokens.cached_input',
    ];
    for (const name of scalars) expect(parseThreshold(`${name}>=0`, 'x').metric).toBe(name);
    expect(THRESHOLD_METRICS).toHaveLength(
      (LATENCY_METRICS.length + RATE_METRICS.length) * DISTRIBUTION_STATISTICS.length +
        scalars.length,
    );
  });

  it('gives units by kind: ms, tokens/s, count, ratio, usd', () => {
    expect(parseThreshold('output_tokens_per_s.p50>20', 'x').unit).toBe('tokens/s');
    expect(parseThreshold('ttft.count>=100', 'x').unit).toBe('count');
    expect(parseThreshold('goodput_fraction>0.9', 'x').unit).toBe('ratio');
    expect(parseThreshold('cost_per_request_usd<0.01', 'x').unit).toBe('usd');
  });
});

describe('threshold scopes', () => {
  it('takes the provider up to the first colon and the model up to the last slash', () => {
    expect(parseThreshold('openai:gpt-4o-mini/ttft.p95<500', 'x').scope).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      scenario: null,
    });
    expect(parseThreshold('vllm:meta-llama/Llama-3.1-8B@chat/e2e.p99<4s', 'x')).toMatchObject({
      scope: { provider: 'vllm', model: 'meta-llama/Llama-3.1-8B', scenario: 'chat' },
      metric: 'e2e.p99',
      limit: 4000,
    });
    expect(parseThreshold('ollama:llama3.1:8b/ttft.p50<300', 'x').scope).toEqual({
      provider: 'ollama',
      model: 'llama3.1:8b',
      scenario: null,
    });
  });

  it('reads a scenario without a model, and * as any', () => {
    expect(parseThreshold('openai@chat/ttft.p95<500', 'x').scope).toEqual({
      provider: 'openai',
      model: null,
      scenario: 'chat',
    });
    expect(parseThreshold('*:*@long/ttft.p95<500', 'x').scope).toEqual({
      provider: null,
      model: null,
      scenario: 'long',
    });
  });

  it('takes the scenario after the last @, so a model with @ is written with @* after it', () => {
    expect(parseThreshold('vertex:claude-3-5-sonnet@20240620@*/ttft.p95<900', 'x').scope).toEqual({
      provider: 'vertex',
      model: 'claude-3-5-sonnet@20240620',
      scenario: null,
    });
  });

  it('matches groups exactly, or by * as any run of characters', () => {
    const group = { provider: 'openai', model: 'gpt-4o-mini', scenario: 'chat' };
    const scope = (text: string) => parseThreshold(`${text}/ttft.p95<1`, 'x').scope;
    expect(inScope(scope('openai:gpt-4o-mini@chat'), group)).toBe(true);
    expect(inScope(scope('openai:gpt-4o'), group)).toBe(false);
    expect(inScope(scope('openai:gpt-4o*'), group)).toBe(true);
    expect(inScope(scope('open.i'), group)).toBe(false);
    expect(inScope(scope('anthropic'), group)).toBe(false);
    expect(inScope(scope('*@chat'), group)).toBe(true);
    expect(inScope(scope('*@summarize'), group)).toBe(false);
  });
});

describe('invalid thresholds', () => {
  it('names the origin, lists the valid metrics compactly and suggests the near miss', () => {
    const error = parseError('ttf.p95<800', 'thresholds[2] in lens.yaml');
    expect(error.code).toBe('LENS_GATES_THRESHOLD_INVALID');
    expect(error.message).toContain('thresholds[2] in lens.yaml "ttf.p95<800"');
    expect(error.message).toContain('did you mean "ttft.p95"?');
    expect(error.message).toContain('<distribution>.<statistic>');
    expect(error.message).toContain('statistic one of count, min, mean, stdev, p50');
    expect(error.message).toContain('success_rate, error_rate, requests.total');
    // Compact: the statistics are listed once, not once per distribution.
    expect(error.message.match(/p999/g)).toHaveLength(1);
  });

  it('rejects a missing or unusable operator', () => {
    expect(parseError('ttft.p95').message).toContain('it has no operator');
    expect(parseError('ttft.p95=800').message).toContain('= and != are not comparisons');
  });

  it('rejects a value that is missing, negative or not a number', () => {
    expect(parseError('ttft.p95<').message).toContain('the value after the operator is missing');
    expect(parseError('ttft.p95<-5').message).toContain('is not a non-negative number');
    expect(parseError('ttft.p95<fast').message).toContain('is not a non-negative number');
  });

  it('rejects units that do not fit the metric', () => {
    expect(parseError('success_rate>=0.9s').message).toContain('success_rate is in ratio');
    expect(parseError('ttft.p95<80%').message).toContain('% applies to ratios');
    expect(parseError('success_rate>=99').message).toContain('write 0.99 or 99%');
    expect(parseError('ttft.count>5ms').message).toContain('ttft.count is in count');
  });

  it('rejects an empty metric or scope', () => {
    expect(parseError('<5').message).toContain('the metric before the operator is missing');
    expect(parseError('/ttft.p95<5').message).toContain('the scope before "/" is empty');
  });
});

describe('formatLimit', () => {
  it('shows the limit as written, with the unit when it was implicit', () => {
    expect(formatLimit(parseThreshold('ttft.p95<800', 'x'))).toBe('< 800 ms');
    expect(formatLimit(parseThreshold('e2e.p99<4s', 'x'))).toBe('< 4s');
    expect(formatLimit(parseThreshold('success_rate>=99%', 'x'))).toBe('>= 99%');
    expect(formatLimit(parseThreshold('cost_per_request_usd<=0.002', 'x'))).toBe('<= $0.002');
  });
});
