import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exporterFactories, influxdbFormat } from '../src/exporter-factories.js';
import { InfluxExportError } from '../src/influx-error.js';
import { formatRequestLine } from '../src/influx-points.js';
import { InfluxRunExporter } from '../src/influx-run-exporter.js';
import { summaryOf, syntheticRecords } from './synthetic-run.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-influx-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the influxdb format', () => {
  it('registers as influxdb with the .lp extension, a run exporter and its --influx-* options', () => {
    expect(exporterFactories).toEqual([influxdbFormat]);
    expect(influxdbFormat.format).toBe('influxdb');
    expect(influxdbFormat.extensions).toEqual(['.lp']);
    expect(influxdbFormat.createRunExporter).toBeTypeOf('function');
    expect(Object.keys(influxdbFormat.options ?? {})).toEqual([
      'influx-url',
      'influx-db',
      'influx-org',
      'influx-bucket',
      'influx-token-env',
    ]);
    expect(influxdbFormat.options?.['influx-url']?.selectsFormat).toBe(true);
    expect(influxdbFormat.options?.['influx-token-env']?.default).toBe('INFLUX_TOKEN');
  });

  it('refuses to open with neither a file nor a URL, naming both ways', () => {
    expect(() => influxdbFormat.createRunExporter!({ options: {} })).toThrow(
      /--export influxdb=run\.lp\) or --influx-url/,
    );
  });

  it('refuses options that do not say where to write before creating any file', () => {
    const path = join(dir, 'never.lp');
    expect(() =>
      influxdbFormat.createRunExporter!({ path, options: { 'influx-url': 'http://h:8086' } }),
    ).toThrow(InfluxExportError);
    expect(existsSync(path)).toBe(false);
  });
});

describe('the line-protocol file', () => {
  it('streams request lines as records come, before close(), then appends the summary', async () => {
    const records = syntheticRecords({ count: 30 });
    const path = join(dir, 'runs', 'streamed.lp');
    const exporter = influxdbFormat.createRunExporter!({ path, options: {} });
    for (const record of records) exporter.write(record);
    const deadline = Date.now() + 5_000;
    // The stream opens the file asynchronously: until then there is no file to read.
    const readSoFar = () => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    while (Date.now() < deadline && readSoFar() === '') {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const early = readFileSync(path, 'utf8').split('\n');
    expect(early).toHaveLength(records.length + 1);
    await exporter.close();
    await exporter.export(summaryOf(records));
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(records.length + 2);
    expect(lines.at(-2)).toMatch(
      /^llm_summary,model=mock-model,provider=mock,run_id=run-synthetic,scenario=synthetic requests_total=28i,/,
    );
    expect(lines.at(-1)).toBe('');
  });

  it('writes each record as formatRequestLine does, with the run id given', async () => {
    const records = syntheticRecords({ count: 5, perMs: 1 });
    const path = join(dir, 'same.lp');
    const exporter = new InfluxRunExporter({ path, runId: 'run-same' });
    for (const record of records) exporter.write(record);
    await exporter.close();
    expect(readFileSync(path, 'utf8')).toBe(
      records.map((record) => `${formatRequestLine(record, 'run-same')}\n`).join(''),
    );
  });

  it('writes the summary alone for an export without records (from a summary JSON)', async () => {
    const path = join(dir, 'summary-only.lp');
    const exporter = new InfluxRunExporter({ path });
    await exporter.close();
    await exporter.export(summaryOf(syntheticRecords({ count: 10 }), 'run-after'));
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(',run_id=run-after,');
  });

  it('keeps the request lines of a run that ended without a summary', async () => {
    const path = join(dir, 'no-summary.lp');
    const exporter = new InfluxRunExporter({ path });
    for (const record of syntheticRecords({ count: 4 })) exporter.write(record);
    await exporter.close();
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(4);
  });

  it('gives every request line of a run the same run id, a fresh one when none is given', async () => {
    const path = join(dir, 'own-id.lp');
    const exporter = new InfluxRunExporter({ path });
    for (const record of syntheticRecords({ count: 3 })) exporter.write(record);
    await exporter.close();
    const ids = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => /,run_id=([^, ]+)/.exec(line)?.[1]);
    expect(new Set(ids)).toEqual(new Set([exporter.runId]));
    expect(exporter.runId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
