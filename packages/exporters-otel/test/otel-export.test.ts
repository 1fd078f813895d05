import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity, buildRunSummary, type RunSummary } from '@llm-lens/metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  epochMsToNs,
  exporterFactories,
  OtelExportError,
  OtelRunExporter,
  semconv,
} from '../src/index.js';
import {
  attributesOf,
  closedPort,
  metricsOf,
  type OtlpHistogramPointJson,
  type OtlpReceiver,
  type OtlpSpanJson,
  spansOf,
  startOtlpReceiver,
} from './otlp-receiver.js';
import { generatedRun, okRecord, RUN_START_MS } from './records.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-otel-'));
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  receiver.received.length = 0;
  receiver.answer = { status: 200, body: '{}' };
  receiver.isHolding = false;
  delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
  delete process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
});

function summaryOf(records: readonly RequestRecord[]): RunSummary {
  const aggregator = new Aggregator();
  for (const record of records) aggregator.add(record);
  const fidelity = buildFidelity([]);
  return buildRunSummary({
    runId: 'run-otel-test',
    toolVersion: '0.1.0',
    configHash: 'cfg',
    startedAt: RUN_START_MS,
    endedAt: RUN_START_MS + 60_000,
    complete: true,
    fidelity,
    groups: aggregator.summarize({ complete: true, fidelity }),
  });
}

/** Writes every record honouring backpressure, then closes and exports, as the CLI does. */
async function runThrough(exporter: OtelRunExporter, records: readonly RequestRecord[]) {
  for (const record of records) if (!exporter.write(record)) await exporter.drain();
  await exporter.close();
  await exporter.export(summaryOf(records));
}

const isMeasured = (r: RequestRecord) =>
  !r.isWarmup && r.isCooldown !== true && r.isRetried !== true;

/** What the SDK's explicit-bucket histogram must hold for these values (upper bounds inclusive). */
function expectedHistogram(values: readonly number[], bounds: readonly number[]) {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  let sum = 0;
  for (const value of values) {
    let bucket = bounds.findIndex((bound) => value <= bound);
    if (bucket === -1) bucket = bounds.length;
    counts[bucket]! += 1;
    sum += value;
  }
  return { count: values.length, sum, bucketCounts: counts };
}

function pointFor(points: readonly OtlpHistogramPointJson[], wanted: Record<string, unknown>) {
  const found = points.filter((point) => {
    const attributes = attributesOf(point.attributes);
    return Object.entries(wanted).every(([key, value]) => attributes[key] === value);
  });
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('OtelRunExporter to an OTLP/HTTP receiver and a file', () => {
  const records = generatedRun(60);
  const path = join(dir, 'nested', 'run.otlp.jsonl');
  let traceBodies: Record<string, unknown>[] = [];
  let metricBodies: Record<string, unknown>[] = [];
  let spans: OtlpSpanJson[] = [];

  beforeAll(async () => {
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'authorization=Bearer%20test-token,x-tenant=lens';
    const exporter = new OtelRunExporter({
      endpoint: receiver.url,
      path,
      recordTokens: true,
      serviceName: 'lens-under-test',
    });
    await runThrough(exporter, records);
    traceBodies = receiver.received.filter((r) => r.path === '/v1/traces').map((r) => r.body);
    metricBodies = receiver.received.filter((r) => r.path === '/v1/metrics').map((r) => r.body);
    expect(receiver.received.map((r) => r.headers.authorization)).toEqual(
      receiver.received.map(() => 'Bearer test-token'),
    );
    spans = spansOf(traceBodies);
  });

  it('sends one CLIENT span per record, named chat {model}, plus the run span', () => {
    expect(spans).toHaveLength(records.length + 1);
    const requestSpans = spans.filter((s) => s.name !== semconv.SPAN_NAME_RUN);
    expect(requestSpans.map((s) => s.name).sort()).toEqual(
      records.map((r) => `chat ${r.model}`).sort(),
    );
    // OTLP's SPAN_KIND_CLIENT is 3; INTERNAL, the run span's, is 1.
    expect(new Set(requestSpans.map((s) => s.kind))).toEqual(new Set([3]));
    expect(spans.find((s) => s.name === semconv.SPAN_NAME_RUN)?.kind).toBe(1);
    expect(new Set(requestSpans.map((s) => s.traceId)).size).toBe(records.length);
  });

  it('starts each span at its record’s wall-clock dispatch and ends it e2e later, to the nanosecond', () => {
    for (const record of records) {
      const span = spans.find(
        (s) => attributesOf(s.attributes)['llm_lens.request_id'] === record.requestId,
      )!;
      const startNs = BigInt(span.startTimeUnixNano);
      expect(startNs).toBe(epochMsToNs(record.startedAtMs));
      expect(Number(startNs / 1_000_000n)).toBe(Math.floor(record.startedAtMs));
      expect(BigInt(span.endTimeUnixNano) - startNs).toBe(record.e2eNs);
    }
  });

  it('carries the GenAI attributes and ours, with ttft as the record’s, in seconds', () => {
    for (const record of records) {
      const span = spans.find(
        (s) => attributesOf(s.attributes)['llm_lens.request_id'] === record.requestId,
      )!;
      const attributes = attributesOf(span.attributes);
      expect(attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': record.model,
        'gen_ai.response.model': record.model,
        'gen_ai.usage.input_tokens': record.inputTokens,
        'llm_lens.scenario': 'chat-short',
        'llm_lens.phase': record.isWarmup ? 'warmup' : record.isCooldown ? 'cooldown' : 'measure',
        'http.response.status_code': record.httpStatus,
        'llm_lens.e2e_ms': Number(record.e2eNs) / 1e6,
      });
      if (record.ttftNs === undefined) {
        expect(attributes).not.toHaveProperty('gen_ai.response.time_to_first_chunk');
      } else {
        expect(attributes['gen_ai.response.time_to_first_chunk']).toBe(Number(record.ttftNs) / 1e9);
      }
      expect(attributes['gen_ai.usage.output_tokens']).toBe(record.outputTokens);
      if (record.tpotNs !== undefined)
        expect(attributes['llm_lens.tpot_ms']).toBe(Number(record.tpotNs) / 1e6);
      if (record.attempt !== undefined) expect(attributes['llm_lens.attempt']).toBe(record.attempt);
      if (record.status === 'error') {
        expect(span.status.code).toBe(2);
        expect(attributes['error.type']).toBe(record.errorClass);
      } else {
        expect(span.status.code).toBe(0);
        expect(attributes).not.toHaveProperty('error.type');
      }
    }
  });

  it('adds one span event per token event, at dispatch + offset, with its token count', () => {
    let events = 0;
    for (const record of records) {
      const span = spans.find(
        (s) => attributesOf(s.attributes)['llm_lens.request_id'] === record.requestId,
      )!;
      expect(span.events).toHaveLength(record.tokenEventOffsetsNs.length);
      const startNs = BigInt(span.startTimeUnixNano);
      span.events.forEach((event, i) => {
        expect(event.name).toBe('llm_lens.tokens');
        expect(BigInt(event.timeUnixNano) - startNs).toBe(BigInt(record.tokenEventOffsetsNs[i]!));
        expect(attributesOf(event.attributes)['llm_lens.tokens']).toBe(record.tokenEventTokens[i]);
        events += 1;
      });
    }
    expect(events).toBeGreaterThan(records.length);
  });

  it('names the service and the run in the resource and the run span', () => {
    const resource = (
      traceBodies[0] as { resourceSpans: Array<{ resource: { attributes: never[] } }> }
    ).resourceSpans[0]!.resource;
    expect(attributesOf(resource.attributes)['service.name']).toBe('lens-under-test');
    const run = spans.find((s) => s.name === semconv.SPAN_NAME_RUN)!;
    const measured = records.filter(isMeasured);
    expect(attributesOf(run.attributes)).toMatchObject({
      'llm_lens.run_id': 'run-otel-test',
      'llm_lens.requests': measured.length,
      'llm_lens.errors': measured.filter((r) => r.status === 'error').length,
    });
  });

  it('exports the four GenAI histograms once, with the advised buckets, counting measured requests', () => {
    expect(metricBodies).toHaveLength(1);
    const metrics = metricsOf(metricBodies[0]!);
    expect(metrics.map((m) => [m.name, m.unit]).sort()).toEqual([
      ['gen_ai.client.operation.duration', 's'],
      ['gen_ai.client.operation.time_per_output_chunk', 's'],
      ['gen_ai.client.operation.time_to_first_chunk', 's'],
      ['gen_ai.client.token.usage', '{token}'],
    ]);
    const metric = (name: string) => metrics.find((m) => m.name === name)!.histogram.dataPoints;
    const measured = records.filter(isMeasured);
    const seconds = semconv.GEN_AI_DURATION_BUCKETS_S;

    for (const model of ['model-a', 'model-b']) {
      const mine = measured.filter((r) => r.model === model);
      const ok = mine.filter((r) => r.status === 'ok');
      const failed = mine.filter((r) => r.status === 'error');
      const duration = pointFor(metric('gen_ai.client.operation.duration'), {
        'gen_ai.request.model': model,
        'error.type': undefined,
      });
      const want = expectedHistogram(
        ok.map((r) => Number(r.e2eNs) / 1e9),
        seconds,
      );
      expect(duration.explicitBounds).toEqual(seconds);
      expect(duration.count).toBe(want.count);
      expect(duration.bucketCounts).toEqual(want.bucketCounts);
      expect(duration.sum).toBeCloseTo(want.sum, 9);
      expect(attributesOf(duration.attributes)).toEqual({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': model,
        'gen_ai.response.model': model,
        'llm_lens.scenario': 'chat-short',
      });
      if (failed.length > 0) {
        const failures = pointFor(metric('gen_ai.client.operation.duration'), {
          'gen_ai.request.model': model,
          'error.type': 'rate_limited',
        });
        expect(failures.count).toBe(failed.length);
      }

      const ttft = pointFor(metric('gen_ai.client.operation.time_to_first_chunk'), {
        'gen_ai.request.model': model,
      });
      const wantTtft = expectedHistogram(
        ok.map((r) => Number(r.ttftNs) / 1e9),
        seconds,
      );
      expect(ttft.explicitBounds).toEqual(seconds);
      expect(ttft.bucketCounts).toEqual(wantTtft.bucketCounts);
      expect(ttft.sum).toBeCloseTo(wantTtft.sum, 9);

      const gaps = ok.flatMap((r) => {
        const o = r.tokenEventOffsetsNs;
        return Array.from(o.subarray(1), (at, i) => (at - o[i]!) / 1e9);
      });
      const chunk = pointFor(metric('gen_ai.client.operation.time_per_output_chunk'), {
        'gen_ai.request.model': model,
      });
      const wantGaps = expectedHistogram(gaps, seconds);
      expect(chunk.count).toBe(gaps.length);
      expect(chunk.bucketCounts).toEqual(wantGaps.bucketCounts);
      expect(chunk.sum).toBeCloseTo(wantGaps.sum, 9);

      for (const [type, tokensOf] of [
        ['input', (r: RequestRecord) => r.inputTokens],
        ['output', (r: RequestRecord) => r.outputTokens],
      ] as const) {
        const values = mine.map(tokensOf).filter((n): n is number => n !== undefined);
        const usage = pointFor(metric('gen_ai.client.token.usage'), {
          'gen_ai.request.model': model,
          'gen_ai.token.type': type,
        });
        const wantUsage = expectedHistogram(values, semconv.GEN_AI_TOKEN_USAGE_BUCKETS);
        expect(usage.explicitBounds).toEqual(semconv.GEN_AI_TOKEN_USAGE_BUCKETS);
        expect(usage.count).toBe(wantUsage.count);
        expect(usage.sum).toBe(wantUsage.sum);
        expect(usage.bucketCounts).toEqual(wantUsage.bucketCounts);
      }
    }
  });

  it('writes the same export requests to the file, one JSON document per line', () => {
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    const documents = lines.slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
    const traceLines = documents.filter((d) => 'resourceSpans' in d);
    const metricLines = documents.filter((d) => 'resourceMetrics' in d);
    expect(traceLines.length + metricLines.length).toBe(documents.length);
    const byId = (a: OtlpSpanJson, b: OtlpSpanJson) => a.spanId.localeCompare(b.spanId);
    expect(spansOf(traceLines).sort(byId)).toEqual([...spans].sort(byId));
    expect(metricLines).toHaveLength(1);
    // Each reader collects on its own, a moment apart: only the collection time differs.
    const withoutCollectionTime = (body: Record<string, unknown>) =>
      JSON.parse(JSON.stringify(body).replace(/"timeUnixNano":"\d+"/g, '"timeUnixNano":"0"'));
    expect(withoutCollectionTime(metricLines[0]!)).toEqual(withoutCollectionTime(metricBodies[0]!));
  });
});

describe('OtelRunExporter options and transport', () => {
  it('leaves token events out unless recordTokens is set, and gzips when OTEL_EXPORTER_OTLP_COMPRESSION says so', async () => {
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
    const exporter = new OtelRunExporter({ endpoint: receiver.url });
    await runThrough(exporter, [okRecord()]);
    const traces = receiver.received.filter((r) => r.path === '/v1/traces');
    expect(traces.every((r) => r.headers['content-encoding'] === 'gzip')).toBe(true);
    const span = spansOf(traces.map((r) => r.body)).find((s) => s.name === 'chat gpt-test')!;
    expect(span.events).toEqual([]);
    expect(attributesOf(span.attributes)['llm_lens.token_events']).toBe(4);
  });

  it('returns false from write() once highWaterMark spans wait, and drain() resolves when they are exported', async () => {
    receiver.isHolding = true;
    const exporter = new OtelRunExporter({ endpoint: receiver.url, highWaterMark: 5 });
    const answers = [1, 2, 3, 4, 5].map((i) => exporter.write(okRecord({ requestId: `b-${i}` })));
    expect(answers).toEqual([true, true, true, true, false]);
    let isDrained = false;
    const draining = exporter.drain().then(() => {
      isDrained = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isDrained).toBe(false);
    expect(exporter.pending).toBe(5);
    receiver.release();
    receiver.isHolding = false;
    await draining;
    expect(exporter.pending).toBe(0);
    expect(exporter.write(okRecord({ requestId: 'b-6' }))).toBe(true);
    await exporter.close();
    await exporter.export(summaryOf([]));
    expect(
      spansOf(receiver.received.filter((r) => r.path === '/v1/traces').map((r) => r.body)),
    ).toHaveLength(7);
  });

  it('fails within its timeout, naming the URL, when nothing listens at the endpoint', async () => {
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'authorization=Bearer sekrit-value';
    const port = await closedPort();
    const exporter = new OtelRunExporter({
      endpoint: `http://user:pw@127.0.0.1:${port}/?key=k1`,
      timeoutMs: 1500,
    });
    exporter.write(okRecord());
    exporter.write(okRecord({ requestId: 'r-2' }));
    const started = Date.now();
    const failure = await exporter.close().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(Date.now() - started).toBeLessThan(6000);
    expect(failure).toBeInstanceOf(OtelExportError);
    const error = failure as OtelExportError;
    expect(error.code).toBe('LENS_EXPORT_OTEL_PUSH');
    expect(error.message).toContain(`http://127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('2 spans not delivered');
    for (const secret of ['sekrit', 'pw@', 'k1']) expect(error.message).not.toContain(secret);
    // Later records are refused at once, without another wait.
    expect(() => exporter.write(okRecord({ requestId: 'r-3' }))).toThrow(OtelExportError);
    const exportStarted = Date.now();
    await expect(exporter.export(summaryOf([okRecord()]))).rejects.toThrow(
      /the metrics not delivered/,
    );
    expect(Date.now() - exportStarted).toBeLessThan(1000);
  });

  it('quotes a refusing receiver’s status and answer, with the header values cut out', async () => {
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'authorization=Bearer%20sekrit-value';
    receiver.answer = { status: 401, body: 'bad credentials: Bearer sekrit-value' };
    const exporter = new OtelRunExporter({ endpoint: receiver.url });
    exporter.write(okRecord());
    const error = (await exporter.close().catch((e: unknown) => e)) as OtelExportError;
    expect(error.code).toBe('LENS_EXPORT_OTEL_PUSH');
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('bad credentials: [redacted]');
    expect(error.message).not.toContain('sekrit');
    await exporter.export(summaryOf([])).catch(() => undefined);
  });

  it('exports only the run span from a summary alone, and writes no metrics line', async () => {
    const path = join(dir, 'summary-only.otlp.jsonl');
    const exporter = exporterFactories[0]!.createRunExporter!({ path });
    await exporter.close();
    await exporter.export(summaryOf(generatedRun(10)));
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const spans = spansOf([JSON.parse(lines[0]!)]);
    expect(spans.map((s) => s.name)).toEqual([semconv.SPAN_NAME_RUN]);
    expect(BigInt(spans[0]!.endTimeUnixNano) - BigInt(spans[0]!.startTimeUnixNano)).toBe(
      60_000_000_000n,
    );
  });

  it('reports a file it cannot write, naming it', async () => {
    const exporter = new OtelRunExporter({ path: dir }); // a directory
    exporter.write(okRecord());
    const error = (await exporter.close().catch((e: unknown) => e)) as OtelExportError;
    expect(error).toBeInstanceOf(OtelExportError);
    expect(error.code).toBe('LENS_EXPORT_OTEL_WRITE');
    expect(error.message).toContain(dir);
    await exporter.export(summaryOf([])).catch(() => undefined);
  });

  it('needs a file or an endpoint, and an endpoint that is an http(s) URL', () => {
    expect(() => new OtelRunExporter({})).toThrow(
      /--otlp-endpoint URL .* or a file with --export otel=FILE/,
    );
    const wrongScheme = () => new OtelRunExporter({ endpoint: 'ftp://user:secret@host:2121/x' });
    expect(wrongScheme).toThrow(/got ftp:\/\/host:2121\/x$/);
    expect(wrongScheme).toThrow(expect.objectContaining({ code: 'LENS_EXPORT_OTEL_OPTIONS' }));
  });
});
