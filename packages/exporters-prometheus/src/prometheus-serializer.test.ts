import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity, buildRunSummary } from '@llm-lens/metrics';
import { describe, expect, it } from 'vitest';
import { parseExposition, type Sample, samplesOf, sampleValue } from '../test/exposition.js';
import {
  SYNTHETIC_COUNTS,
  seededRandom,
  succeededRecord,
  syntheticRun,
} from '../test/synthetic-run.js';
import {
  METRIC_NAMES,
  PrometheusRunSerializer,
  QUANTILE_GAUGE_METRICS,
  quantileGaugeName,
} from './prometheus-serializer.js';

/** A summary's ms (3 decimals) in seconds, as the gauges hold it. */
function seconds(ms: number): number {
  return Math.round(ms * 1000) / 1e6;
}

const GROUP = {
  gen_ai_operation_name: 'chat',
  gen_ai_provider_name: 'mock',
  gen_ai_request_model: 'mock-model',
  scenario: 'demo',
};

async function serialized(
  records: readonly RequestRecord[],
  summary?: Parameters<PrometheusRunSerializer['setSummary']>[0],
): Promise<{ text: string; samples: Sample[] }> {
  const serializer = new PrometheusRunSerializer();
  for (const record of records) serializer.observe(record);
  if (summary !== undefined) serializer.setSummary(summary);
  const text = await serializer.serialize();
  return { text, samples: parseExposition(text) };
}

describe('PrometheusRunSerializer.observe', () => {
  it('counts measured last attempts only, as the aggregator does', async () => {
    const { records, summary } = syntheticRun();
    const { samples } = await serialized(records);
    const group = summary.groups[0]!;
    const ok = SYNTHETIC_COUNTS.measuredOk + SYNTHETIC_COUNTS.retried;
    expect(group.requests.succeeded).toBe(ok);
    expect(sampleValue(samples, METRIC_NAMES.requests, { ...GROUP, status: 'ok' })).toBe(ok);
    expect(
      sampleValue(samples, METRIC_NAMES.requests, { status: 'error', error_type: 'rate_limited' }),
    ).toBe(SYNTHETIC_COUNTS.rateLimited);
    expect(
      sampleValue(samples, METRIC_NAMES.requests, { status: 'error', error_type: 'timeout_ttft' }),
    ).toBe(SYNTHETIC_COUNTS.timeoutTtft);
    // The retried first attempts failed with server_error: not an outcome, not counted.
    expect(samplesOf(samples, METRIC_NAMES.requests, { error_type: 'server_error' })).toEqual([]);
    expect(group.errors).toEqual({ rate_limited: 12, timeout_ttft: 8 });
  });

  it('leaves warm-up and cool-down out of the histograms (their 20 s TTFT would show)', async () => {
    const { records, summary } = syntheticRun();
    const { samples } = await serialized(records);
    const count = sampleValue(samples, `${METRIC_NAMES.ttft}_count`);
    expect(count).toBe(summary.groups[0]!.ttft!.count);
    expect(sampleValue(samples, `${METRIC_NAMES.ttft}_bucket`, { le: '0.64' })).toBe(count);
    expect(sampleValue(samples, `${METRIC_NAMES.e2e}_bucket`, { le: '2.56' })).toBe(count);
  });

  it('holds as many samples per histogram as the summary distributions', async () => {
    const { records, summary } = syntheticRun();
    const { samples } = await serialized(records);
    const group = summary.groups[0]!;
    expect(sampleValue(samples, `${METRIC_NAMES.e2e}_count`)).toBe(group.e2e!.count);
    expect(sampleValue(samples, `${METRIC_NAMES.tpot}_count`)).toBe(group.tpot!.count);
    expect(sampleValue(samples, `${METRIC_NAMES.itl}_count`)).toBe(group.itl!.count);
    expect(sampleValue(samples, `${METRIC_NAMES.chunkGap}_count`)).toBe(group.chunk_gap!.count);
    // itl is per token: more samples than chunk gaps, since events carry 1–3 tokens.
    expect(group.itl!.count).toBeGreaterThan(group.chunk_gap!.count);
    const input = { gen_ai_token_type: 'input' };
    const output = { gen_ai_token_type: 'output' };
    expect(sampleValue(samples, `${METRIC_NAMES.tokenUsage}_sum`, input)).toBe(group.tokens.input);
    expect(sampleValue(samples, `${METRIC_NAMES.tokenUsage}_sum`, output)).toBe(
      group.tokens.output,
    );
    expect(sampleValue(samples, METRIC_NAMES.tokens, output)).toBe(group.tokens.output);
    expect(sampleValue(samples, METRIC_NAMES.cost)).toBeCloseTo(group.cost!.total_usd, 9);
  });

  it('observes latencies in seconds, and itl as k samples of gap / k', async () => {
    const record: RequestRecord = {
      ...succeededRecord(seededRandom(1), { index: 0, ttftMs: 100 }),
      ttftNs: 100_000_000n,
      e2eNs: 250_000_000n,
      tpotNs: 30_000_000n,
      tokenEventOffsetsNs: Float64Array.of(100e6, 130e6, 190e6),
      tokenEventTokens: Uint32Array.of(1, 1, 3),
    };
    const { samples } = await serialized([record]);
    expect(sampleValue(samples, `${METRIC_NAMES.ttft}_sum`)).toBe(0.1);
    expect(sampleValue(samples, `${METRIC_NAMES.e2e}_sum`)).toBe(0.25);
    expect(sampleValue(samples, `${METRIC_NAMES.chunkGap}_count`)).toBe(2);
    expect(sampleValue(samples, `${METRIC_NAMES.chunkGap}_sum`)).toBeCloseTo(0.09, 12);
    // Gap 30 ms before a 1-token event, 60 ms before a 3-token one: 30 + 3 × 20 ms.
    expect(sampleValue(samples, `${METRIC_NAMES.itl}_count`)).toBe(4);
    expect(sampleValue(samples, `${METRIC_NAMES.itl}_bucket`, { le: '0.025' })).toBe(3);
    expect(sampleValue(samples, `${METRIC_NAMES.itl}_sum`)).toBeCloseTo(0.09, 12);
  });

  it('labels series by operation, provider, model and scenario, never by request', async () => {
    const { records } = syntheticRun();
    const { samples } = await serialized(records);
    const labelNames = new Set(samples.flatMap((s) => Object.keys(s.labels)));
    expect([...labelNames].sort()).toEqual(
      [
        'error_type',
        'gen_ai_operation_name',
        'gen_ai_provider_name',
        'gen_ai_request_model',
        'gen_ai_token_type',
        'le',
        'scenario',
        'status',
      ].sort(),
    );
    expect(samples.every((s) => s.labels.gen_ai_operation_name === 'chat')).toBe(true);
  });

  it('classes a failure without an error class as unclassified', async () => {
    const base = succeededRecord(seededRandom(2), { index: 0, ttftMs: 50 });
    const { errorClass: _none, ...failed } = { ...base, status: 'error' as const };
    const { samples } = await serialized([failed]);
    expect(sampleValue(samples, METRIC_NAMES.requests, { error_type: 'unclassified' })).toBe(1);
    expect(samplesOf(samples, `${METRIC_NAMES.ttft}_count`)).toEqual([]);
  });

  it('escapes label values so any model name stays one valid line', async () => {
    const record = succeededRecord(seededRandom(3), {
      index: 0,
      ttftMs: 50,
      model: 'odd "model"\nname\\x',
    });
    const { samples } = await serialized([record]);
    expect(sampleValue(samples, METRIC_NAMES.requests, { status: 'ok' })).toBe(1);
    expect(samplesOf(samples, METRIC_NAMES.requests)[0]!.labels.gen_ai_request_model).toBe(
      'odd "model"\nname\\x',
    );
  });
});

describe('PrometheusRunSerializer.setSummary', () => {
  it("sets every distribution's exact HDR quantiles as gauges, in seconds", async () => {
    const { records, summary } = syntheticRun();
    const { samples } = await serialized(records, summary);
    const group = summary.groups[0]!;
    const ttft = quantileGaugeName('ttft');
    expect(ttft).toBe('llm_lens_ttft_quantile_seconds');
    expect(sampleValue(samples, ttft, { ...GROUP, quantile: '0.95' })).toBe(
      seconds(group.ttft!.p95),
    );
    expect(sampleValue(samples, ttft, { quantile: '0.5' })).toBe(seconds(group.ttft!.p50));
    expect(sampleValue(samples, ttft, { quantile: '0' })).toBe(seconds(group.ttft!.min));
    expect(sampleValue(samples, ttft, { quantile: '1' })).toBe(seconds(group.ttft!.max));
    expect(sampleValue(samples, quantileGaugeName('itl'), { quantile: '0.99' })).toBe(
      seconds(group.itl!.p99),
    );
    const decode = quantileGaugeName('decode_tokens_per_s');
    expect(sampleValue(samples, decode, { quantile: '0.5' })).toBe(group.decode_tokens_per_s!.p50);
    for (const metric of QUANTILE_GAUGE_METRICS) {
      expect(samplesOf(samples, quantileGaugeName(metric)).length).toBe(
        group[metric] === null ? 0 : 8,
      );
    }
  });

  it('sets run throughput, success ratio and run info', async () => {
    const { records, summary } = syntheticRun();
    const { samples } = await serialized(records, summary);
    const group = summary.groups[0]!;
    expect(sampleValue(samples, METRIC_NAMES.runRequestsPerSecond, GROUP)).toBe(
      group.throughput.requests_per_s,
    );
    expect(sampleValue(samples, METRIC_NAMES.runOutputTokensPerSecond)).toBe(
      group.throughput.output_tokens_per_s,
    );
    expect(sampleValue(samples, METRIC_NAMES.successRatio)).toBe(group.success_rate);
    expect(group.success_rate).toBe(0.953);
    expect(
      sampleValue(samples, METRIC_NAMES.runInfo, {
        run_id: 'run-synthetic-1',
        tool_version: '0.1.0',
        complete: 'true',
      }),
    ).toBe(1);
    expect(sampleValue(samples, METRIC_NAMES.runStart, { run_id: 'run-synthetic-1' })).toBe(
      Date.parse(summary.run.started_at) / 1000,
    );
    // No --slo in this run: no goodput series rather than a misleading 0.
    expect(samplesOf(samples, METRIC_NAMES.goodputRatio)).toEqual([]);
  });

  it('from a summary alone, emits the gauges and takes the counters from the summary', async () => {
    const { records, summary } = syntheticRun();
    const fromRecords = await serialized(records, summary);
    const fromSummary = await serialized([], summary);
    for (const name of [METRIC_NAMES.requests, METRIC_NAMES.tokens, METRIC_NAMES.cost]) {
      const [a, b] = [fromRecords, fromSummary].map((run) =>
        samplesOf(run.samples, name).map((s) => [s.labels, s.value]),
      );
      expect(b).toHaveLength(a!.length);
      for (const [i, [labels, value]] of a!.entries()) {
        expect(b![i]![0]).toEqual(labels);
        expect(b![i]![1] as number).toBeCloseTo(value as number, 9);
      }
    }
    expect(
      sampleValue(fromSummary.samples, 'llm_lens_ttft_quantile_seconds', { quantile: '0.5' }),
    ).toBe(seconds(summary.groups[0]!.ttft!.p50));
    // Histograms need records: none from a summary alone.
    expect(fromSummary.samples.filter((s) => s.name.endsWith('_bucket'))).toEqual([]);
  });

  it('replaces, not adds, when given a summary again or the records after it', async () => {
    const { records, summary } = syntheticRun();
    const serializer = new PrometheusRunSerializer();
    serializer.setSummary(summary);
    serializer.setSummary(summary);
    let samples = parseExposition(await serializer.serialize());
    expect(sampleValue(samples, METRIC_NAMES.requests, { status: 'ok' })).toBe(410);
    expect(samplesOf(samples, 'llm_lens_ttft_quantile_seconds')).toHaveLength(8);
    for (const record of records) serializer.observe(record);
    serializer.setSummary(summary);
    samples = parseExposition(await serializer.serialize());
    expect(sampleValue(samples, METRIC_NAMES.requests, { status: 'ok' })).toBe(410);
    expect(sampleValue(samples, METRIC_NAMES.requests, { error_type: 'rate_limited' })).toBe(12);
  });

  it('keeps groups apart by provider and model', async () => {
    const random = seededRandom(5);
    const records = [
      succeededRecord(random, { index: 0, ttftMs: 100, provider: 'a', model: 'm1' }),
      succeededRecord(random, { index: 1, ttftMs: 200, provider: 'a', model: 'm1' }),
      succeededRecord(random, { index: 2, ttftMs: 300, provider: 'b', model: 'm2' }),
    ];
    const aggregator = new Aggregator();
    for (const record of records) aggregator.add(record);
    const fidelity = buildFidelity([]);
    const summary = buildRunSummary({
      toolVersion: '0.1.0',
      configHash: 'x',
      startedAt: 0,
      endedAt: 1000,
      complete: false,
      fidelity,
      groups: aggregator.summarize({ complete: false, fidelity }),
    });
    const { samples } = await serialized(records, summary);
    const a = { gen_ai_provider_name: 'a', gen_ai_request_model: 'm1' };
    const b = { gen_ai_provider_name: 'b', gen_ai_request_model: 'm2' };
    expect(sampleValue(samples, `${METRIC_NAMES.ttft}_count`, a)).toBe(2);
    expect(sampleValue(samples, `${METRIC_NAMES.ttft}_count`, b)).toBe(1);
    expect(sampleValue(samples, 'llm_lens_ttft_quantile_seconds', { ...b, quantile: '0.5' })).toBe(
      seconds(summary.groups[1]!.ttft!.p50),
    );
    expect(sampleValue(samples, METRIC_NAMES.runInfo, { complete: 'false' })).toBe(1);
  });
});
