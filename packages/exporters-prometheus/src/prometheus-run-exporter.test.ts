import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from '../test/exposition.js';
import { syntheticRun } from '../test/synthetic-run.js';
import { exporterFactories, prometheusFormat } from './exporter-factories.js';
import { PrometheusRunExporter } from './prometheus-run-exporter.js';
import { METRIC_NAMES, PrometheusRunSerializer } from './prometheus-serializer.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lens-prom-'));
}

describe('prometheusFormat', () => {
  it('registers format prometheus, extension .prom and the pushgateway and job options', () => {
    expect(exporterFactories).toEqual([prometheusFormat]);
    expect(prometheusFormat.format).toBe('prometheus');
    expect(prometheusFormat.extensions).toEqual(['.prom']);
    expect(prometheusFormat.options?.pushgateway).toMatchObject({
      type: 'string',
      selectsFormat: true,
    });
    expect(prometheusFormat.options?.job).toMatchObject({ type: 'string', default: 'llm-lens' });
    expect(prometheusFormat.createSummaryExporter).toBeUndefined();
    expect(prometheusFormat.createRecordSink).toBeUndefined();
  });

  it('creates a push-only exporter from the options alone, with the job given', () => {
    const exporter = prometheusFormat.createRunExporter!({
      options: { pushgateway: 'http://localhost:9091', job: 'ci' },
    }) as PrometheusRunExporter;
    expect(exporter.path).toBeUndefined();
    expect(exporter.pushgateway).toBe('http://localhost:9091');
    expect(exporter.job).toBe('ci');
  });

  it('refuses a target with neither a file nor a Pushgateway, naming both ways', () => {
    expect(() => prometheusFormat.createRunExporter!({})).toThrow(
      expect.objectContaining({
        code: 'LENS_EXPORT_PROMETHEUS_TARGET',
        message: expect.stringMatching(/--export prometheus=FILE\.prom.*--pushgateway/),
      }),
    );
    expect(() =>
      prometheusFormat.createRunExporter!({ options: { pushgateway: 'localhost:9091' } }),
    ).toThrow(expect.objectContaining({ code: 'LENS_EXPORT_PROMETHEUS_TARGET' }));
    expect(() => new PrometheusRunExporter({ path: 'x.prom', job: ' ' })).toThrow(/--job/);
  });
});

describe('PrometheusRunExporter', () => {
  it('writes what the serializer produces, atomically, creating parent directories', async () => {
    const dir = tempDir();
    const path = join(dir, 'nested', 'run.prom');
    const { records, summary } = syntheticRun();
    const exporter = new PrometheusRunExporter({ path });
    for (const record of records) expect(exporter.write(record)).toBe(true);
    await exporter.drain();
    await exporter.close();
    await exporter.export(summary);
    const reference = new PrometheusRunSerializer();
    for (const record of records) reference.observe(record);
    reference.setSummary(summary);
    expect(readFileSync(path, 'utf8')).toBe(await reference.serialize());
    expect(readdirSync(join(dir, 'nested'))).toEqual(['run.prom']);
  });

  it('exports from a summary alone (no records) without failing', async () => {
    const path = join(tempDir(), 'summary-only.prom');
    const { summary } = syntheticRun();
    const exporter = new PrometheusRunExporter({ path });
    await exporter.close();
    await exporter.export(summary);
    const samples = parseExposition(readFileSync(path, 'utf8'));
    expect(sampleValue(samples, METRIC_NAMES.requests, { status: 'ok' })).toBe(410);
    expect(sampleValue(samples, 'llm_lens_e2e_quantile_seconds', { quantile: '0.99' })).toBe(
      Math.round(summary.groups[0]!.e2e!.p99 * 1000) / 1e6,
    );
  });

  it('fails with the path and what would be valid when the file cannot be written', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), '');
    const path = join(dir, 'a-file', 'run.prom');
    const exporter = new PrometheusRunExporter({ path });
    await expect(exporter.export(syntheticRun().summary)).rejects.toMatchObject({
      code: 'LENS_EXPORT_PROMETHEUS_WRITE',
      message: expect.stringContaining(JSON.stringify(path)),
    });
    expect(readdirSync(dir)).toEqual(['a-file']);
  });

  it('pushes under job and run_id, and writes the file too when given both', async () => {
    const pushed: Array<{ url: string | undefined; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        pushed.push({ url: req.url, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const path = join(tempDir(), 'run.prom');
      const { records, summary } = syntheticRun();
      const exporter = prometheusFormat.createRunExporter!({
        path,
        options: { pushgateway: `http://127.0.0.1:${port}`, job: 'ci' },
      });
      for (const record of records) exporter.write(record);
      await exporter.close();
      await exporter.export(summary);
      expect(pushed).toHaveLength(1);
      expect(pushed[0]!.url).toBe('/metrics/job/ci/run_id/run-synthetic-1');
      expect(pushed[0]!.body).toBe(readFileSync(path, 'utf8'));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
