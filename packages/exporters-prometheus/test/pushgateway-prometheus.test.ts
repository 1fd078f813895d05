// A run pushed to a real Pushgateway, scraped by a real Prometheus, and queried back with
// PromQL: proves the exposition text, the grouping key and the bucket layout survive the
// whole path, and that histogram_quantile over our buckets approximates the exact HDR p50.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_NAMES, PrometheusRunExporter, PrometheusRunSerializer } from '../src/index.js';
import { bucketQuantile, parseExposition, samplesOf } from './exposition.js';
import { SYNTHETIC_COUNTS, syntheticRun } from './synthetic-run.js';

const PROMETHEUS = '/usr/bin/prometheus';
const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';
const JOB = 'lens-it';

interface Service {
  name: string;
  child: ChildProcess;
  stderr: string[];
}

const services: Service[] = [];
let dir: string;
let prometheusUrl: string;
let pushgatewayUrl: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function start(name: string, binary: string, args: string[]): Service {
  const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const service: Service = { name, child, stderr: [] };
  child.stderr?.on('data', (chunk: Buffer) => {
    service.stderr.push(chunk.toString('utf8'));
    if (service.stderr.length > 50) service.stderr.shift();
  });
  services.push(service);
  return service;
}

async function waitUntil<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs: number,
  service?: Service,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service !== undefined && service.child.exitCode !== null) {
      throw new Error(
        `${service.name} exited (${service.child.exitCode}): ${service.stderr.join('')}`,
      );
    }
    const result = await attempt().catch(() => undefined);
    if (result !== undefined) return result;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${service ? `: ${service.stderr.join('')}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ready(url: string): Promise<true | undefined> {
  const response = await fetch(`${url}/-/ready`);
  return response.ok ? true : undefined;
}

/** An instant PromQL query; the one result's value, or undefined while there is none. */
async function queryOne(expr: string): Promise<number | undefined> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { result: Array<{ value: [number, string] }> };
  };
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
  const result = body.data!.result;
  if (result.length === 0) return undefined;
  if (result.length > 1) throw new Error(`query ${expr} returned ${result.length} series`);
  return Number(result[0]!.value[1]);
}

beforeAll(async () => {
  for (const binary of [PROMETHEUS, PUSHGATEWAY]) {
    if (!existsSync(binary)) {
      throw new Error(
        `${binary} is missing: this test runs the real Prometheus and Pushgateway; install them with \`apt-get install prometheus prometheus-pushgateway\``,
      );
    }
  }
  dir = mkdtempSync(join(tmpdir(), 'lens-prom-it-'));
  const [prometheusPort, pushgatewayPort] = [await freePort(), await freePort()];
  prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
  pushgatewayUrl = `http://127.0.0.1:${pushgatewayPort}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: pushgateway',
      '    honor_labels: true',
      '    scrape_interval: 1s',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${pushgatewayPort}']`,
      '',
    ].join('\n'),
  );
  const pushgateway = start('prometheus-pushgateway', PUSHGATEWAY, [
    `--web.listen-address=127.0.0.1:${pushgatewayPort}`,
  ]);
  const prometheus = start('prometheus', PROMETHEUS, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${prometheusPort}`,
    '--log.level=warn',
  ]);
  await waitUntil('the Pushgateway to be ready', () => ready(pushgatewayUrl), 10_000, pushgateway);
  await waitUntil('Prometheus to be ready', () => ready(prometheusUrl), 12_000, prometheus);
}, 25_000);

afterAll(async () => {
  await Promise.all(
    services.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}, 10_000);

describe('a run pushed to a Pushgateway and scraped by Prometheus', () => {
  it('answers histogram_quantile close to the exact HDR p50, and counts requests', async () => {
    const { records, summary } = syntheticRun();
    const exporter = new PrometheusRunExporter({ pushgateway: pushgatewayUrl, job: JOB });
    for (const record of records) exporter.write(record);
    await exporter.close();
    await exporter.export(summary);

    const run = `job="${JOB}", run_id="${summary.run.run_id}"`;
    const ok = await waitUntil(
      'Prometheus to scrape the pushed run',
      () => queryOne(`${METRIC_NAMES.requests}{${run}, status="ok"}`),
      10_000,
    );
    expect(ok).toBe(SYNTHETIC_COUNTS.measuredOk + SYNTHETIC_COUNTS.retried);
    expect(await queryOne(`${METRIC_NAMES.requests}{${run}, error_type="rate_limited"}`)).toBe(
      SYNTHETIC_COUNTS.rateLimited,
    );

    // The buckets as we serialized them, to compute what histogram_quantile must answer.
    const serializer = new PrometheusRunSerializer();
    for (const record of records) serializer.observe(record);
    const buckets = samplesOf(
      parseExposition(await serializer.serialize()),
      `${METRIC_NAMES.ttft}_bucket`,
    ).map((s) => ({ le: Number(s.labels.le), count: s.value }));
    const ttft = summary.groups[0]!.ttft!;

    // TTFT is uniform on [40, 640] ms, spread over the semconv buckets (0.04, 0.08],
    // (0.08, 0.16], (0.16, 0.32] and (0.32, 0.64]. histogram_quantile interpolates linearly
    // inside a bucket, i.e. assumes the samples are spread uniformly in it, which is true of
    // a uniform distribution: what is left is sampling noise. p50 falls in (0.32, 0.64],
    // which holds ~220 samples; the rank's standard error, √(n·p·(1−p)) ≈ 10 samples, is
    // ≈ 15 ms there, ≈ 4.5 % of p50. Hence 10 %: a unit slip (ms as s), a bucket counted
    // twice or a wrong layout misses it by far. The seeded records make the result fixed.
    for (const [q, exact] of [
      [0.5, ttft.p50],
      [0.95, ttft.p95],
    ] as const) {
      const fromPrometheus = await queryOne(
        `histogram_quantile(${q}, sum by (le) (${METRIC_NAMES.ttft}_bucket{${run}}))`,
      );
      expect(fromPrometheus).toBeDefined();
      // Prometheus reads exactly the buckets we wrote...
      expect(fromPrometheus!).toBeCloseTo(bucketQuantile(buckets, q), 9);
      // ...and their interpolation is close to the exact HDR quantile.
      expect(Math.abs(fromPrometheus! - exact / 1000) / (exact / 1000)).toBeLessThan(0.1);
    }

    // The exact value is there too, without interpolation.
    expect(await queryOne(`llm_lens_ttft_quantile_seconds{${run}, quantile="0.5"}`)).toBe(
      Math.round(ttft.p50 * 1000) / 1e6,
    );
  }, 20_000);
});
