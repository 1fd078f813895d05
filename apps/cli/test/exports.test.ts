import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-exports-'));
let simulator: RunningSimulator;
const KEY = 'sk-lens-export-5c4b3a29-NEVER-WRITTEN';

beforeAll(async () => {
  simulator = await startSimulator({ ttftMs: 20, itlMs: 2, outputTokens: 6 });
});
afterAll(async () => {
  await simulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const target = () => [
  '--provider',
  'openai-compatible',
  '--base-url',
  simulator.baseUrl,
  '--model',
  'sim/model-a',
  '--api-key-env',
  'LENS_EXPORT_KEY',
];

/** The data rows of a CSV file (its header left out); every row here fits on one line. */
const csvRows = (path: string) => readFileSync(path, 'utf8').trim().split(/\r?\n/).slice(1);

describe('--export FORMAT[=FILE] on benchmark', () => {
  const out = join(dir, 'all');
  let result: Awaited<ReturnType<typeof runCli>>;
  let summary: { run: { run_id: string }; groups: Array<{ requests: { total: number } }> };

  beforeAll(async () => {
    result = await runCli(
      [
        'benchmark',
        ...target(),
        '-n',
        '24',
        '-C',
        '4',
        '--warmup',
        '2',
        '--output',
        join(out, 'summary-{run_id}.json'),
        '--records',
        join(out, 'records.jsonl'),
        '--export',
        `csv=${join(out, '{model}.csv')}`,
        '--export',
        `csv-summary=${join(out, 'summary.csv')}`,
        '--export',
        `msgpack=${join(out, 'run.msgpack')}`,
        '--export',
        `prometheus=${join(out, 'run.prom')}`,
        '--export',
        `influxdb=${join(out, 'run.lp')}`,
        '--export',
        `otel=${join(out, 'spans.otlp.jsonl')}`,
        '--export',
        `markdown=${join(out, 'report.md')}`,
        '--export',
        `html=${join(out, 'report.html')}`,
        '--export',
        `timeline=${join(out, 'run.trace.json')}`,
        '--record-tokens',
      ],
      { env: { LENS_EXPORT_KEY: KEY } },
    );
    const name = readdirSync(out).find((f) => f.startsWith('summary-'))!;
    summary = JSON.parse(readFileSync(join(out, name), 'utf8'));
  }, 60_000);

  it('writes every format from one run, with {run_id} and {model} filled in', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(out)).toContain(`summary-${summary.run.run_id}.json`);
    expect(summary.run.run_id).toMatch(/^[0-9a-f-]{36}$/);
    // "sim/model-a" loses its slash in a file name.
    for (const file of [
      'sim-model-a.csv',
      'summary.csv',
      'run.msgpack',
      'run.prom',
      'run.lp',
      'spans.otlp.jsonl',
      'report.md',
      'report.html',
      'run.trace.json',
    ]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(result.stderr).toContain(`Wrote ${join(out, `summary-${summary.run.run_id}.json`)}`);
  });

  it('agrees across formats on how many requests ran', () => {
    // 24 measured + 2 warm-up requests: per-request outputs have all 26, marked by phase.
    expect(summary.groups[0]!.requests.total).toBe(24);
    expect(readFileSync(join(out, 'records.jsonl'), 'utf8').trim().split('\n')).toHaveLength(26);
    expect(csvRows(join(out, 'sim-model-a.csv'))).toHaveLength(26);
    const influxRequests = readFileSync(join(out, 'run.lp'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('llm_request,'));
    expect(influxRequests).toHaveLength(26);
    const prom = readFileSync(join(out, 'run.prom'), 'utf8');
    const count = prom.match(/^gen_ai_client_operation_duration_seconds_count\{[^}]*\} (\d+)/m);
    expect(Number(count?.[1])).toBe(24);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('sim/model-a');
    const trace = JSON.parse(readFileSync(join(out, 'run.trace.json'), 'utf8'));
    expect(trace.traceEvents.length).toBeGreaterThan(26);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<canvas');
  });

  it('never writes the API key into any output', () => {
    for (const file of readdirSync(out)) {
      const bytes = readFileSync(join(out, file));
      expect(bytes.includes(KEY), file).toBe(false);
      expect(bytes.includes(KEY.slice(0, 20)), file).toBe(false);
    }
    expect(result.stdout + result.stderr).not.toContain(KEY);
  });

  it('converts the run file and the records after the fact with llm-lens export', async () => {
    const csv = join(dir, 'after.csv');
    const fromRunFile = await runCli([
      'export',
      'csv',
      '--input',
      join(out, 'run.msgpack'),
      '--output',
      csv,
      '--record-tokens',
    ]);
    expect(fromRunFile.code, fromRunFile.stderr).toBe(0);
    expect(csvRows(csv)).toEqual(csvRows(join(out, 'sim-model-a.csv')));

    const fromRecords = await runCli([
      'export',
      'csv-summary',
      '--input',
      join(out, 'records.jsonl'),
    ]);
    expect(fromRecords.code, fromRecords.stderr).toBe(0);
    // Default name: the input's, with the format's extension, beside it.
    const rebuilt = csvRows(join(out, 'records.csv'));
    const requestsTotal = rebuilt.find((row) => /,requests,total,/.test(row));
    expect(requestsTotal).toMatch(/,24,/);
  });

  it('writes reports with llm-lens report: Markdown to stdout, HTML beside the input', async () => {
    const md = await runCli(['report', '--input', join(out, 'run.msgpack'), '--format', 'md']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/\|.*TTFT/);
    expect(md.stdout).toContain('sim/model-a');
    const html = await runCli(['report', '--input', join(out, 'run.msgpack')]);
    expect(html.code, html.stderr).toBe(0);
    expect(readFileSync(join(out, 'run.html'), 'utf8')).toContain('<canvas');
  });
});

describe('format options select their format', () => {
  let pushgateway: Server;
  const pushes: Array<{ method: string; url: string; body: string }> = [];

  beforeAll(async () => {
    pushgateway = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        pushes.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => pushgateway.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => pushgateway.close(() => resolve())));

  it('--pushgateway alone pushes the run, under its job and run id, and writes no file', async () => {
    const cwd = mkdtempSync(join(dir, 'push-'));
    const { port } = pushgateway.address() as AddressInfo;
    const result = await runCli(
      [
        'benchmark',
        ...target(),
        '-n',
        '5',
        '--json',
        '--pushgateway',
        `http://127.0.0.1:${port}`,
        '--job',
        'nightly',
      ],
      { cwd, env: { LENS_EXPORT_KEY: KEY } },
    );
    expect(result.code, result.stderr).toBe(0);
    const runId = JSON.parse(result.stdout).run.run_id as string;
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.url).toContain('/metrics/job/nightly');
    expect(pushes[0]!.url).toContain(runId);
    expect(pushes[0]!.body).toContain('gen_ai_client_operation_duration_seconds_bucket');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('bad output flags are refused before anything is sent', () => {
  it('names an unknown format and the one meant', async () => {
    const result = await runCli(['benchmark', '-n', '1', '--export', 'promethus=x.prom']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no output format is named "promethus"');
    expect(result.stderr).toContain('did you mean "prometheus"');
  });

  it('names an unknown placeholder and the ones there are', async () => {
    const result = await runCli([
      'benchmark',
      '-n',
      '1',
      '--export',
      `csv=${join(dir, '{date}.csv')}`,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('{date}');
    expect(result.stderr).toContain('{timestamp}, {run_id}, {provider}, {model}');
  });

  it('refuses two outputs in one file', async () => {
    const file = join(dir, 'same.csv');
    const result = await runCli([
      'benchmark',
      '-n',
      '1',
      '--records',
      file,
      '--export',
      `csv=${file}`,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('give each output its own path');
  });

  it('export says a per-request format needs records when given a summary', async () => {
    const summary = join(dir, 'only-summary.json');
    const run = await runCli(['benchmark', '-n', '2', '--output', summary]);
    expect(run.code, run.stderr).toBe(0);
    const result = await runCli(['export', 'timeline', '--input', summary]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('written from per-request records');
    // A summary format is fine from a summary alone.
    const md = await runCli(['export', 'markdown', '--input', summary, '-o', join(dir, 's.md')]);
    expect(md.code, md.stderr).toBe(0);
    expect(readFileSync(join(dir, 's.md'), 'utf8')).toContain('mock');
  });
});
