import { describe, expect, it } from 'vitest';
import { type ExpositionFormat, parseExposition } from './exposition-parser.js';
import { MetricsRecorder } from './metrics-recorder.js';

function recorderFed(
  scrapes: [tMs: number, text: string][],
  options: { maxSeries?: number; format?: ExpositionFormat } = {},
): MetricsRecorder {
  const recorder = new MetricsRecorder({
    maxSeries: options.maxSeries ?? 100,
    maxPointsPerSeries: 100,
  });
  for (const [tMs, text] of scrapes) {
    const parsed = parseExposition(text, { format: options.format });
    expect(parsed.skippedLines, parsed.problems.join('; ')).toBe(0);
    recorder.record(tMs, parsed.families);
  }
  return recorder;
}

/** Two vLLM engines, as vLLM ≥ 0.9 writes them in the 0.0.4 format. */
function vllmText(step: number): string {
  const engine = (index: number) => `{model_name="m",engine="${index}"}`;
  const bucket = (index: number, le: string) => `{model_name="m",engine="${index}",le="${le}"}`;
  return [
    '# TYPE vllm:num_requests_running gauge',
    `vllm:num_requests_running${engine(0)} ${2 + step}`,
    `vllm:num_requests_running${engine(1)} 3`,
    '# TYPE vllm:num_requests_waiting gauge',
    `vllm:num_requests_waiting${engine(0)} ${step}`,
    `vllm:num_requests_waiting${engine(1)} 1`,
    '# TYPE vllm:gpu_cache_usage_perc gauge',
    `vllm:gpu_cache_usage_perc${engine(0)} 0.9`,
    `vllm:gpu_cache_usage_perc${engine(1)} 0.9`,
    '# TYPE vllm:kv_cache_usage_perc gauge',
    `vllm:kv_cache_usage_perc${engine(0)} ${0.1 * (step + 1)}`,
    `vllm:kv_cache_usage_perc${engine(1)} 0.15`,
    '# TYPE vllm:prompt_tokens_total counter',
    `vllm:prompt_tokens_total${engine(0)} ${100 + 50 * step}`,
    `vllm:prompt_tokens_total${engine(1)} ${200 + 50 * step}`,
    '# TYPE vllm:prompt_tokens_created gauge',
    `vllm:prompt_tokens_created${engine(0)} 1.7e9`,
    '# TYPE vllm:time_to_first_token_seconds histogram',
    `vllm:time_to_first_token_seconds_bucket${bucket(0, '0.1')} ${step * 2}`,
    `vllm:time_to_first_token_seconds_bucket${bucket(0, '0.25')} ${step * 4}`,
    `vllm:time_to_first_token_seconds_bucket${bucket(0, '+Inf')} ${step * 4}`,
    `vllm:time_to_first_token_seconds_sum${engine(0)} ${step * 0.6}`,
    `vllm:time_to_first_token_seconds_count${engine(0)} ${step * 4}`,
    `vllm:time_to_first_token_seconds_bucket${bucket(1, '0.1')} 0`,
    `vllm:time_to_first_token_seconds_bucket${bucket(1, '0.25')} ${step * 4}`,
    `vllm:time_to_first_token_seconds_bucket${bucket(1, '+Inf')} ${step * 4}`,
    `vllm:time_to_first_token_seconds_sum${engine(1)} ${step * 0.8}`,
    `vllm:time_to_first_token_seconds_count${engine(1)} ${step * 4}`,
  ].join('\n');
}

describe('MetricsRecorder roles', () => {
  it('adds vLLM engines up (running, waiting, tokens, TTFT buckets) and takes the fullest KV cache', () => {
    const recorder = recorderFed([
      [0, vllmText(0)],
      [1000, vllmText(1)],
      [2000, vllmText(2)],
    ]);
    expect(recorder.server).toBe('vllm');
    const roles = recorder.roleReports();
    expect(roles.running).toMatchObject({
      metric: 'vllm:num_requests_running',
      kind: 'gauge',
      min: 5,
      max: 7,
      mean: 6,
      last: 7,
    });
    expect(roles.waiting).toMatchObject({ min: 1, max: 3 });
    // The newer name wins over the deprecated one written beside it.
    expect(roles.kv_cache_usage).toMatchObject({ metric: 'vllm:kv_cache_usage_perc', min: 0.15 });
    expect(roles.kv_cache_usage?.kind === 'gauge' && roles.kv_cache_usage.max).toBeCloseTo(0.3, 12);
    expect(roles.prompt_tokens).toMatchObject({
      metric: 'vllm:prompt_tokens_total',
      kind: 'counter',
      increase: 200,
      rate_per_s: 100,
    });
    // Window growth, both engines: ≤0.1: 4, ≤0.25: 16, +Inf: 16; sum 2.8 s.
    // p50: rank 8 → (100, 250] ms, 4 of its 12 → 150 ms.
    const ttft = roles.server_ttft;
    expect(ttft?.kind).toBe('histogram');
    if (ttft?.kind !== 'histogram') return;
    expect(ttft.metric).toBe('vllm:time_to_first_token_seconds');
    expect(ttft.unit).toBe('ms');
    expect(ttft.observations).toBe(16);
    expect(ttft.p50).toBeCloseTo(150, 9);
    expect(ttft.mean).toBeCloseTo(175, 9);
    expect(ttft.buckets).toEqual([
      { le: 100, count: 4 },
      { le: 250, count: 16 },
    ]);
    expect(roles.server_itl).toBeNull();
    expect(roles.generation_tokens).toBeNull();
  });

  it('keeps each label set of a family under the family name', () => {
    const metrics = recorderFed([
      [0, vllmText(0)],
      [1000, vllmText(1)],
    ]).metricReports();
    expect(Object.keys(metrics)).toContain('vllm:prompt_tokens_total');
    const running = metrics['vllm:num_requests_running']!;
    expect(running.type).toBe('gauge');
    expect(running.series.map((s) => [s.labels.engine, s.kind === 'gauge' && s.max])).toEqual([
      ['0', 3],
      ['1', 3],
    ]);
    const ttft = metrics['vllm:time_to_first_token_seconds']!.series[0]!;
    expect(ttft.kind === 'histogram' && [ttft.unit, ttft.observations]).toEqual(['s', 4]);
  });

  it('reads OpenMetrics counters, whose family is named without _total', () => {
    const text = (tokens: number) =>
      `# TYPE vllm:generation_tokens counter\nvllm:generation_tokens_total ${tokens}\nvllm:generation_tokens_created 1.7e9\n# EOF\n`;
    const recorder = recorderFed(
      [
        [0, text(10)],
        [500, text(60)],
      ],
      { format: 'openmetrics' },
    );
    expect(recorder.roleReports().generation_tokens).toMatchObject({
      metric: 'vllm:generation_tokens_total',
      increase: 50,
      rate_per_s: 100,
    });
    expect(Object.keys(recorder.metricReports())).toEqual(['vllm:generation_tokens_total']);
  });

  it("reads TGI's batch and queue gauges, its e2e histogram and its token counts from histogram sums", () => {
    const text = (step: number) =>
      [
        '# TYPE tgi_batch_current_size gauge',
        `tgi_batch_current_size ${4 + step}`,
        '# TYPE tgi_queue_size gauge',
        'tgi_queue_size 2',
        '# TYPE tgi_request_generated_tokens histogram',
        `tgi_request_generated_tokens_bucket{le="+Inf"} ${step * 3}`,
        `tgi_request_generated_tokens_sum ${step * 300}`,
        `tgi_request_generated_tokens_count ${step * 3}`,
        '# TYPE tgi_request_duration histogram',
        `tgi_request_duration_bucket{le="1"} ${step}`,
        `tgi_request_duration_bucket{le="+Inf"} ${step * 3}`,
        `tgi_request_duration_sum ${step * 4.5}`,
        `tgi_request_duration_count ${step * 3}`,
      ].join('\n');
    const recorder = recorderFed([
      [0, text(0)],
      [2000, text(1)],
    ]);
    expect(recorder.server).toBe('tgi');
    const roles = recorder.roleReports();
    expect(roles.running).toMatchObject({ metric: 'tgi_batch_current_size', max: 5 });
    expect(roles.waiting).toMatchObject({ metric: 'tgi_queue_size', max: 2 });
    expect(roles.generation_tokens).toMatchObject({
      metric: 'tgi_request_generated_tokens',
      increase: 300,
      rate_per_s: 150,
    });
    expect(roles.server_e2e).toMatchObject({
      metric: 'tgi_request_duration',
      observations: 3,
      p50: 1000,
    });
    expect(roles.server_ttft).toBeNull();
    expect(roles.kv_cache_usage).toBeNull();
  });

  it("reads llama.cpp's gauges and counters", () => {
    const text = (step: number) =>
      [
        '# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.',
        '# TYPE llamacpp:prompt_tokens_total counter',
        `llamacpp:prompt_tokens_total ${1000 + step * 40}`,
        '# TYPE llamacpp:tokens_predicted_total counter',
        `llamacpp:tokens_predicted_total ${500 + step * 80}`,
        '# TYPE llamacpp:kv_cache_usage_ratio gauge',
        `llamacpp:kv_cache_usage_ratio ${0.25 * step}`,
        '# TYPE llamacpp:requests_processing gauge',
        `llamacpp:requests_processing ${step}`,
        '# TYPE llamacpp:requests_deferred gauge',
        'llamacpp:requests_deferred 0',
      ].join('\n');
    const recorder = recorderFed([
      [0, text(0)],
      [1000, text(1)],
      [2000, text(2)],
    ]);
    expect(recorder.server).toBe('llama.cpp');
    const roles = recorder.roleReports();
    expect(roles.running).toMatchObject({ max: 2 });
    expect(roles.waiting).toMatchObject({ max: 0 });
    expect(roles.kv_cache_usage).toMatchObject({ max: 0.5 });
    expect(roles.prompt_tokens).toMatchObject({ increase: 80, rate_per_s: 40 });
    expect(roles.generation_tokens).toMatchObject({ increase: 160, rate_per_s: 80 });
    expect(recorder.metricReports()['llamacpp:prompt_tokens_total']?.help).toBe(
      'Number of prompt tokens processed.',
    );
  });

  it('keeps the source a role started with when a preferred one appears later', () => {
    const recorder = recorderFed([
      [0, 'vllm:gpu_cache_usage_perc 0.5'],
      [1000, 'vllm:gpu_cache_usage_perc 0.6\nvllm:kv_cache_usage_perc 0.9'],
    ]);
    expect(recorder.roleReports().kv_cache_usage).toMatchObject({
      metric: 'vllm:gpu_cache_usage_perc',
      samples: 2,
      max: 0.6,
    });
  });

  it('leaves a role empty when its source has another type than the role needs', () => {
    const recorder = recorderFed([
      [0, '# TYPE vllm:time_to_first_token_seconds gauge\nvllm:time_to_first_token_seconds 0.2'],
    ]);
    expect(recorder.roleReports().server_ttft).toBeNull();
  });
});

describe('MetricsRecorder series cap', () => {
  it('keeps at most maxSeries label sets and counts the others as dropped', () => {
    const text = 'x{a="1"} 1\nx{a="2"} 1\ny{a="3"} 1\ny{a="4"} 1\n';
    const recorder = recorderFed(
      [
        [0, text],
        [1000, text],
      ],
      { maxSeries: 3 },
    );
    const metrics = recorder.metricReports();
    expect(metrics.x!.series).toHaveLength(2);
    expect(metrics.y!.series).toHaveLength(1);
    expect(recorder.droppedSeries).toBe(1);
  });
});
