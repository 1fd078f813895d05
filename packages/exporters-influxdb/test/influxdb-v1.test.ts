// Against a real InfluxDB 1.6 (Debian package `influxdb`): what the exporter writes is what
// InfluxQL reads back, count for count and mean for mean.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '@llm-lens/core-timing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxdbFormat } from '../src/exporter-factories.js';
import { InfluxExportError } from '../src/influx-error.js';
import { resolveInfluxTarget } from '../src/influx-options.js';
import { InfluxRunExporter } from '../src/influx-run-exporter.js';
import { type InfluxdServer, type InfluxQueryResponse, startInfluxd } from './influxd-server.js';
import { RUN_START_MS, summaryOf, syntheticRecords } from './synthetic-run.js';

const DB = 'lens';
const TOKEN = 'v1-test-token-0123456789';

let server: InfluxdServer;
const dir = mkdtempSync(join(tmpdir(), 'lens-influx-v1-'));

beforeAll(async () => {
  server = await startInfluxd();
  const created = await server.query(`CREATE DATABASE ${DB}`);
  expect(created.results[0]?.error).toBeUndefined();
}, 20_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function rows(response: InfluxQueryResponse): unknown[][] {
  expect(response.error).toBeUndefined();
  expect(response.results[0]?.error).toBeUndefined();
  return response.results[0]?.series?.[0]?.values ?? [];
}

async function exportRun(exporter: InfluxRunExporter, records: readonly RequestRecord[]) {
  for (const record of records) {
    if (!exporter.write(record)) await exporter.drain();
  }
  await exporter.close();
}

const msOf = (ns: bigint | undefined) => Math.round(Number(ns) / 1e3) / 1e3;

describe('export to InfluxDB 1.6 over /write', () => {
  // Four requests start in each millisecond: without distinct timestamps InfluxDB would keep
  // one point of each four (same series, same time).
  const records = syntheticRecords({ count: 1200, perMs: 4, seed: 1 });
  const summary = summaryOf(records, 'run-v1');
  const file = join(dir, 'nested', 'run.lp');

  beforeAll(async () => {
    const exporter = new InfluxRunExporter({
      path: file,
      http: resolveInfluxTarget(
        { 'influx-url': server.url, 'influx-db': DB },
        // With auth off (the default), 1.x ignores the Authorization header it gets.
        { INFLUX_TOKEN: TOKEN },
      ),
      runId: 'run-v1',
      // Small batches, so the run goes out in many writes with backpressure between them.
      httpOptions: { batchLines: 100 },
    });
    await exportRun(exporter, records);
    await exporter.export(summary);
  }, 20_000);

  it('stores one point per record, however many start in the same millisecond', async () => {
    const result = rows(
      await server.query(`SELECT count(request_id) FROM llm_request WHERE run_id = 'run-v1'`, DB),
    );
    expect(result[0]?.[1]).toBe(records.length);
  });

  it("reads back the measured successes' ttft count and mean", async () => {
    const measured = records.filter((r) => !r.isWarmup && r.status === 'ok');
    const expectedMean = measured.reduce((sum, r) => sum + msOf(r.ttftNs), 0) / measured.length;
    const result = rows(
      await server.query(
        `SELECT count(ttft_ms), mean(ttft_ms) FROM llm_request WHERE run_id = 'run-v1' AND phase = 'measure' AND status = 'ok'`,
        DB,
      ),
    );
    expect(result[0]?.[1]).toBe(measured.length);
    expect(result[0]?.[2]).toBeCloseTo(expectedMean, 6);
  });

  it('tags failures with their class and writes no ttft for them', async () => {
    const failed = records.filter((r) => r.status === 'error');
    const byClass = rows(
      await server.query(
        `SELECT count(http_status) FROM llm_request WHERE run_id = 'run-v1' AND error_class = 'server_error'`,
        DB,
      ),
    );
    expect(byClass[0]?.[1]).toBe(failed.length);
    const ttft = rows(
      await server.query(
        `SELECT count(ttft_ms) FROM llm_request WHERE run_id = 'run-v1' AND status = 'error'`,
        DB,
      ),
    );
    expect(ttft).toEqual([]);
    const message = rows(
      await server.query(
        `SELECT error_message FROM llm_request WHERE run_id = 'run-v1' AND status = 'error' LIMIT 1`,
        DB,
      ),
    );
    expect(message[0]?.[1]).toBe('upstream overloaded retry later');
  });

  it('keeps warm-up requests apart by their phase tag', async () => {
    const result = rows(
      await server.query(
        `SELECT count(queue_ms) FROM llm_request WHERE run_id = 'run-v1' AND phase = 'warmup'`,
        DB,
      ),
    );
    expect(result[0]?.[1]).toBe(records.filter((r) => r.isWarmup).length);
  });

  it('stores each request at its wall-clock start, to the nanosecond', async () => {
    const result = rows(
      await server.query(
        `SELECT ttft_ms FROM llm_request WHERE run_id = 'run-v1' AND phase = 'warmup' ORDER BY time ASC LIMIT 1`,
        DB,
      ),
    );
    expect(result[0]?.[0]).toBe(RUN_START_MS * 1e6);
  });

  it("stores the summary point with the group's statistics at the run's end", async () => {
    const group = summary.groups[0]!;
    const result = rows(
      await server.query(
        `SELECT ttft_p50_ms, ttft_p99_ms, ttft_count, requests_total, requests_failed, success_rate, errors_server_error FROM llm_summary WHERE run_id = 'run-v1'`,
        DB,
      ),
    );
    expect(result).toHaveLength(1);
    expect(result[0]).toEqual([
      Date.parse(summary.run.ended_at) * 1e6,
      group.ttft!.p50,
      group.ttft!.p99,
      group.ttft!.count,
      group.requests.total,
      group.requests.failed,
      group.success_rate,
      group.errors.server_error,
    ]);
  });

  it('wrote the same points to the file, requests first and the summary last', () => {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(records.length + 1);
    expect(lines.slice(0, -1).every((line) => line.startsWith('llm_request,'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^llm_summary,/);
  });
});

describe('names InfluxDB cannot take raw', () => {
  const NASTY_MODELS = [
    'gpt 4o,mini=v2',
    'C:\\models\\llama-3.gguf',
    'ends with\\',
    'quote"d',
    'üñíçødé ✓ 模型',
    'two\nlines',
  ];

  it('round-trips tags with spaces, commas, equals signs, quotes, backslashes and unicode', async () => {
    const records = NASTY_MODELS.map((model, i) => ({
      ...syntheticRecords({ count: 3, failEvery: 0, seed: i })[2]!,
      requestId: `nasty-${i}`,
      model,
      scenario: 'say "hi", then = leave',
      status: 'error' as const,
      errorClass: 'protocol' as const,
      errorMessage: `bad chunk "x\\y"\r\nat line ${i}`,
    }));
    const exporter = new InfluxRunExporter({
      http: resolveInfluxTarget({ 'influx-url': server.url, 'influx-db': DB }, {}),
      runId: 'run-nasty',
    });
    await exportRun(exporter, records);

    const models = rows(
      await server.query(
        `SHOW TAG VALUES FROM llm_request WITH KEY = "model" WHERE run_id = 'run-nasty'`,
        DB,
      ),
    ).map((row) => row[1]);
    expect(models.sort()).toEqual(
      [
        'gpt 4o,mini=v2',
        'C:\\models\\llama-3.gguf',
        'ends with/',
        'quote"d',
        'üñíçødé ✓ 模型',
        'two lines',
      ].sort(),
    );
    const scenarios = rows(
      await server.query(
        `SHOW TAG VALUES FROM llm_request WITH KEY = "scenario" WHERE run_id = 'run-nasty'`,
        DB,
      ),
    ).map((row) => row[1]);
    expect(scenarios).toEqual(['say "hi", then = leave']);
    const messages = rows(
      await server.query(`SELECT error_message FROM llm_request WHERE run_id = 'run-nasty'`, DB),
    ).map((row) => row[1]);
    expect(messages).toHaveLength(NASTY_MODELS.length);
    expect(messages).toContain('bad chunk "x\\y" at line 0');
  });
});

describe('a write InfluxDB refuses', () => {
  it('fails close() with the URL, the status and the server text, and never the token', async () => {
    const exporter = new InfluxRunExporter({
      http: resolveInfluxTarget(
        { 'influx-url': server.url, 'influx-db': 'no_such_db' },
        { INFLUX_TOKEN: TOKEN },
      ),
      runId: 'run-missing-db',
    });
    for (const record of syntheticRecords({ count: 5 })) exporter.write(record);
    const error = await exporter.close().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InfluxExportError);
    const message = (error as InfluxExportError).message;
    expect((error as InfluxExportError).code).toBe('LENS_EXPORT_INFLUX_WRITE');
    expect(message).toContain(`${server.url}/write?db=no_such_db&precision=ns`);
    expect(message).toContain('HTTP 404');
    expect(message).toContain('database not found');
    expect(message).toContain('5 of 5 points not written');
    expect(message).not.toContain(TOKEN);

    // The summary still goes out on its own, and fails the same way.
    const summaryError = await exporter.export(summaryOf(syntheticRecords({ count: 5 }))).then(
      () => undefined,
      (e: unknown) => e as InfluxExportError,
    );
    expect(summaryError?.code).toBe('LENS_EXPORT_INFLUX_WRITE');
    expect(summaryError?.message).toMatch(
      /HTTP 404: database not found: "no_such_db"; check --influx-db/,
    );
    expect(summaryError?.message).not.toContain(TOKEN);
  });
});

describe('the influxdb format, as the CLI opens it', () => {
  it('writes over HTTP alone when given --influx-url and no file', async () => {
    const records = syntheticRecords({ count: 20, failEvery: 0 });
    const exporter = influxdbFormat.createRunExporter!({
      options: { 'influx-url': server.url, 'influx-db': DB, 'influx-token-env': 'INFLUX_TOKEN' },
    });
    for (const record of records) exporter.write(record);
    await exporter.close();
    await exporter.export(summaryOf(records, 'run-cli'));
    const result = rows(
      await server.query(`SELECT requests_total FROM llm_summary WHERE run_id = 'run-cli'`, DB),
    );
    expect(result[0]?.[1]).toBe(18);
  });
});
