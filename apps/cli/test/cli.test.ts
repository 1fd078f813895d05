import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STAT_KEYS = ['min', 'mean', 'stdev', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max'];

describe('llm-lens benchmark on the built-in simulator', () => {
  it('prints the summary JSON with --json and writes records and summary files', async () => {
    const records = join(dir, 'out', 'records.jsonl');
    const output = join(dir, 'out', 'summary.json');
    const result = await runCli([
      'benchmark',
      '--requests',
      '6',
      '--concurrency',
      '3',
      '--warmup',
      '2',
      '--records',
      records,
      '--output',
      output,
      '--json',
    ]);
    expect(result.stderr).not.toContain('\u001b['); // no progress redraws when not a TTY
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.schema_version).toBe(2);
    expect(Object.keys(summary.run)).toEqual(
      expect.arrayContaining([
        'tool_version',
        'started_at',
        'ended_at',
        'config_hash',
        'node_version',
        'cpu_count',
      ]),
    );
    expect(summary.complete).toBe(true);
    const group = summary.groups[0];
    expect(group).toMatchObject({
      provider: 'mock',
      model: 'mock-model',
      scenario: 'default',
      complete: true,
    });
    expect(group.requests).toEqual({
      planned: 6,
      total: 6,
      succeeded: 6,
      failed: 0,
      warmup: 2,
      not_sent: 0,
    });
    for (const metric of ['ttft', 'ttfo', 'itl', 'chunk_gap', 'tpot', 'e2e', 'ttfb']) {
      expect(Object.keys(group[metric])).toEqual(expect.arrayContaining(STAT_KEYS));
    }
    // The default simulator: TTFT 150 ms, ITL 20 ms, 64 tokens capped by max_tokens 64.
    expect(group.ttft.p50).toBeGreaterThan(149);
    expect(group.ttft.p50).toBeLessThan(170);
    expect(group.itl.p50).toBeGreaterThan(19);
    expect(group.itl.p50).toBeLessThan(21.5);
    expect(group.tokens.output).toBe(6 * 64);
    expect(group.throughput.requests_per_s).toBeGreaterThan(0);
    expect(group.fidelity).toHaveProperty('client_bound');
    expect(group.errors).toEqual({});

    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual(summary);
    const lines = readFileSync(records, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(8);
    expect(lines.filter((l) => l.warmup)).toHaveLength(2);
    for (const field of [
      'request_id',
      'started_at',
      'provider',
      'model',
      'scenario',
      'send_delay_ms',
      'status',
      'error_class',
      'queue_ms',
      'dns_ms',
      'connect_ms',
      'tls_ms',
      'ttfb_ms',
      'ttft_ms',
      'ttfo_ms',
      'e2e_ms',
      'tpot_ms',
      'input_tokens',
      'output_tokens',
      'reasoning_tokens',
      'token_count_source',
      'reported_output_tokens',
      'token_count_mismatch',
      'token_count_estimated',
      'usage_ignored',
      'cost_usd',
      'server_timings',
      'ttft_from_schedule_ms',
      'schedule_lag_ms',
    ]) {
      expect(lines[0]).toHaveProperty(field);
    }
    expect(lines[0].token_offsets_ms).toBeUndefined();
    expect(lines[0].token_count_source).toBe('server_usage');
  });

  it('runs an open loop for a duration: Poisson arrivals at --rate, latency from the schedule', async () => {
    const records = join(dir, 'open', 'records.jsonl');
    const result = await runCli([
      'benchmark',
      '--rate',
      '40',
      '--arrival',
      'poisson',
      '--seed',
      '3',
      '--duration',
      '1.5s',
      '--warmup',
      '0',
      '--slo',
      'ttft_ms=10000',
      '--slo',
      'ttft_from_schedule_ms=1',
      '--records',
      records,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const group = JSON.parse(result.stdout).groups[0];
    // No count was planned: the phase ended by time, ~60 arrivals at 40/s over 1.5 s.
    expect(group.requests).toMatchObject({ planned: null, not_sent: null, failed: 0 });
    expect(group.requests.total).toBeGreaterThan(35);
    expect(group.requests.total).toBeLessThan(90);
    expect(group.throughput.dispatch_rate_per_s).toBeGreaterThan(25);
    expect(group.throughput.dispatch_rate_per_s).toBeLessThan(60);
    expect(Object.keys(group.ttft_from_schedule)).toEqual(expect.arrayContaining(STAT_KEYS));
    expect(group.schedule_lag.count).toBe(group.requests.total);
    // The simulator's first token takes 150 ms: no request meets a 1 ms bound from its schedule.
    expect(group.goodput).toMatchObject({
      slo: { ttft_ms: 10000, ttft_from_schedule_ms: 1 },
      requests: 0,
      fraction: 0,
    });
    const lines = readFileSync(records, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const line of lines) {
      expect(line.ttft_from_schedule_ms).toBeCloseTo(
        line.queue_ms + line.send_delay_ms + line.ttft_ms,
        2,
      );
      expect(line.schedule_lag_ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('sweeps concurrency: one group per level, the curve and its knee in the summary and on the console', async () => {
    const output = join(dir, 'sweep', 'summary.json');
    const result = await runCli([
      'benchmark',
      '--sweep',
      'concurrency=1,4',
      '-n',
      '8',
      '--warmup',
      '0',
      '--max-tokens',
      '4',
      '--output',
      output,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Sweep of concurrency: mock · mock-model · default');
    const summary = JSON.parse(readFileSync(output, 'utf8'));
    expect(summary.groups.map((g: { scenario: string }) => g.scenario)).toEqual([
      'default concurrency=1',
      'default concurrency=4',
    ]);
    expect(summary.sweeps).toHaveLength(1);
    const sweep = summary.sweeps[0];
    expect(sweep.parameter).toBe('concurrency');
    expect(
      sweep.levels.map((l: { value: number; requests: number }) => [l.value, l.requests]),
    ).toEqual([
      [1, 8],
      [4, 8],
    ]);
    // The simulator serves every stream at its own pace: four at once is about four times one.
    expect(sweep.levels[1].requests_per_s / sweep.levels[0].requests_per_s).toBeGreaterThan(2.5);
    expect(sweep.knee).toBeNull();
    expect(sweep.best.value).toBe(4);
  });

  it('sends a different prompt per request from --prompts, each line with its own max_tokens', async () => {
    const dataset = join(dir, 'prompts.jsonl');
    writeFileSync(
      dataset,
      [
        '{"prompt":"Tell me about the sea."}',
        '{"prompt":"Name three rivers.","max_tokens":8}',
        '{"messages":[{"role":"user","content":"Hi there"}]}',
      ].join('\n'),
    );
    const records = join(dir, 'prompts-records.jsonl');
    const result = await runCli([
      'benchmark',
      '--prompts',
      dataset,
      '-n',
      '6',
      '-C',
      '2',
      '--warmup',
      '2',
      '--records',
      records,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('prompts of default: jsonl: 3 prompts from');
    const lines = readFileSync(records, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // Requests 2..7 (after two warm-ups) cycle through the three lines: the second caps at 8.
    const measured = lines.filter((l) => l.phase === 'measure');
    expect(measured.filter((l) => l.output_tokens === 8)).toHaveLength(2);
    expect(measured.filter((l) => l.output_tokens === 64)).toHaveLength(4);
  });

  it('builds synthetic prompts with --input-tokens and rejects a bad length by flag name', async () => {
    const ok = await runCli([
      'benchmark',
      '--input-tokens',
      '100±20',
      '--output-tokens',
      '12',
      '-n',
      '3',
      '--json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).groups[0].tokens.output).toBe(36);
    const bad = await runCli(['benchmark', '--input-tokens', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--input-tokens: must be an input token count: 512 (fixed)');
    const alone = await runCli(['benchmark', '--output-tokens', '12']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--output-tokens: sets the output length of a prompt source');
  });

  it('replays a request log at its recorded gaps, scaled by --time-scale', async () => {
    const log = join(dir, 'requests.jsonl');
    writeFileSync(
      log,
      [
        '{"timestamp":"2025-03-01T12:00:00.000Z","prompt":"first","max_tokens":4}',
        '{"timestamp":"2025-03-01T12:00:00.600Z","prompt":"second","max_tokens":6}',
        '{"timestamp":1740830401.2,"messages":[{"role":"user","content":"third"}],"max_tokens":8}',
      ].join('\n'),
    );
    const records = join(dir, 'replay-records.jsonl');
    const result = await runCli([
      'benchmark',
      '--replay',
      log,
      '--time-scale',
      '2',
      '-w',
      '0',
      '--records',
      records,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('prompts of default: replay: 3 requests from');
    const lines = readFileSync(records, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
    // Each entry its own max_tokens; due at 0, 300 and 600 ms (the recorded gaps halved).
    expect(lines.map((l) => l.output_tokens)).toEqual([4, 6, 8]);
    const [first, second, third] = lines.map(
      (l): number => Date.parse(l.started_at) - l.queue_ms - l.send_delay_ms,
    ) as [number, number, number];
    expect(second - first).toBeGreaterThan(280);
    expect(second - first).toBeLessThan(330);
    expect(third - first).toBeGreaterThan(580);
    expect(third - first).toBeLessThan(630);
    const lone = await runCli(['benchmark', '--time-scale', '2']);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toContain(
      '--time-scale: scales the gaps of a replayed log: add --replay FILE',
    );
  });

  it('refuses an open-loop setting without --rate, naming the flag', async () => {
    const result = await runCli(['benchmark', '--arrival', 'poisson']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "--arrival: sets the open loop's arrival; add --rate (requests per second) to run an open loop",
    );
  });

  it('prints a table of TTFT, ITL, TPOT and E2E with usage, success rate and fidelity', async () => {
    const result = await runCli([
      'benchmark',
      '-n',
      '3',
      '-C',
      '3',
      '-w',
      '0',
      '--max-tokens',
      '8',
    ]);
    expect(result.code).toBe(0);
    for (const label of [
      'TTFT',
      'ITL (per token)',
      'TPOT',
      'E2E',
      'p50',
      'p95',
      'p99',
      'Tokens/s per request',
    ]) {
      expect(result.stdout).toContain(label);
    }
    expect(result.stdout).toContain('Requests: 3/3 succeeded (100%)');
    expect(result.stdout).toContain('Tokens: input');
    expect(result.stdout).toMatch(/Fidelity: event-loop delay p99 [\d.]+ ms/);
    expect(result.stderr).toContain('built-in simulator at http://127.0.0.1:');
  });

  it('includes per-event arrival offsets with --record-tokens', async () => {
    const records = join(dir, 'tokens.jsonl');
    const result = await runCli([
      'benchmark',
      '-n',
      '1',
      '-w',
      '0',
      '--max-tokens',
      '5',
      '--records',
      records,
      '--record-tokens',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const line = JSON.parse(readFileSync(records, 'utf8').trim());
    expect(line.token_offsets_ms).toHaveLength(5);
    expect(line.token_counts).toEqual([1, 1, 1, 1, 1]);
    expect(line.token_offsets_ms[0]).toBeCloseTo(line.ttft_ms, 3);
  });

  it('exits 1 when failed requests exceed --max-error-rate, and reports the error classes', async () => {
    const config = join(dir, 'faults.yaml');
    writeFileSync(
      config,
      [
        'providers:',
        '  - name: flaky',
        '    type: mock',
        '    models: [mock-model]',
        '    mock: { ttft_ms: 5, itl_ms: 1, output_tokens: 4, seed: 11, faults: { server_error_rate: 0.5 } }',
        'scenarios:',
        '  - name: s',
        '    prompt: hi',
        '    requests: 10',
        '    concurrency: 2',
      ].join('\n'),
    );
    const result = await runCli([
      'benchmark',
      '--config',
      config,
      '--max-error-rate',
      '0.1',
      '--json',
    ]);
    expect(result.code).toBe(1);
    const group = JSON.parse(result.stdout).groups[0];
    expect(group.requests.failed).toBeGreaterThan(1);
    expect(group.errors.server_error).toBe(group.requests.failed);
    const ok = await runCli(['benchmark', '--config', config, '--json']);
    expect(ok.code).toBe(0); // default --max-error-rate 1: never fails the run
    // The console names each class with its first message, so a count comes with a reason.
    const table = await runCli(['benchmark', '--config', config]);
    expect(table.stdout).toMatch(/^Errors: server_error \d+$/m);
    expect(table.stdout).toContain(
      '  server_error, first: HTTP 500: The server had an error while processing your request (simulated).',
    );
  });

  it('stops on SIGINT, writes partial outputs marked incomplete and exits 130', async () => {
    const config = join(dir, 'slow.yaml');
    writeFileSync(
      config,
      [
        'providers: [{ name: slow, type: mock, models: [m], mock: { ttft_ms: 50, itl_ms: 20, output_tokens: 40 } }]',
        'scenarios: [{ name: long, prompt: hi, requests: 500, concurrency: 2 }]',
      ].join('\n'),
    );
    const records = join(dir, 'partial.jsonl');
    const output = join(dir, 'partial.json');
    const result = await runCli(
      ['benchmark', '-c', config, '--records', records, '--output', output, '--grace', '200'],
      {
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if (existsSync(records) && readFileSync(records, 'utf8').split('\n').length > 2) {
              clearInterval(poll);
              child.kill('SIGINT');
            }
          }, 50);
        },
      },
    );
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('SIGINT: stopping');
    const summary = JSON.parse(readFileSync(output, 'utf8'));
    expect(summary.complete).toBe(false);
    expect(summary.groups[0].complete).toBe(false);
    const lines = readFileSync(records, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThan(500);
    expect(result.stdout).toContain('Run interrupted');
    // Completed, cancelled and never-sent requests, told apart.
    expect(result.stdout).toMatch(
      /Requests: \d+\/\d+ succeeded \([\d.]+%\)(, \d+ cancelled)?, \d+ of 500 planned not sent/,
    );
    expect(summary.groups[0].requests.planned).toBe(500);
    expect(summary.groups[0].requests.not_sent).toBe(500 - summary.groups[0].requests.total);
  });
});

describe('--server-metrics', () => {
  it("keeps the server's own view beside ours: peak running, its TTFT histogram, scrape stats", async () => {
    const simulator = await startSimulator({ ttftMs: 200, itlMs: 5, outputTokens: 4 });
    try {
      const output = join(dir, 'server-view.json');
      const result = await runCli([
        'benchmark',
        '-p',
        'openai-compatible',
        '--base-url',
        simulator.baseUrl,
        '-m',
        'mock-model',
        '-n',
        '12',
        '-C',
        '4',
        '--warmup',
        '0',
        '--server-metrics',
        `${simulator.url}/metrics`,
        '--server-metrics-interval',
        '100',
        '--output',
        output,
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(
        /Server view \(vllm, http:\/\/127\.0\.0\.1:\d+\/metrics\): running peak 4, waiting peak 0/,
      );
      const report = JSON.parse(readFileSync(output, 'utf8')).server_metrics;
      expect(report.server).toBe('vllm');
      expect(report.roles.running.max).toBe(4);
      // 12 first tokens, each drawn 200 ms after arrival: the server's histogram saw them all.
      expect(report.roles.server_ttft.observations).toBe(12);
      expect(report.roles.server_ttft.mean).toBeGreaterThanOrEqual(199);
      expect(report.scrapes.failed).toBe(0);
    } finally {
      await simulator.close();
    }
  });

  it('names the flag for a URL it cannot scrape, and warns when nothing answers', async () => {
    const bad = await runCli(['benchmark', '--server-metrics', 'localhost:8000']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --server-metrics:');
    const refused = await runCli([
      'benchmark',
      '-n',
      '2',
      '--server-metrics',
      'http://127.0.0.1:9/metrics',
    ]);
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stderr).toContain(
      'warning: --server-metrics: GET http://127.0.0.1:9/metrics: connection refused',
    );
  });
});

describe('API keys', () => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ ttftMs: 5, itlMs: 1, outputTokens: 4 });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('never appear in stdout, stderr, the summary or the records, even on errors and with --debug', async () => {
    const key = 'sk-lens-test-9f8e7d6c5b4a3210-DO-NOT-PRINT';
    const records = join(dir, 'secret.jsonl');
    const output = join(dir, 'secret.json');
    const env = { LENS_SECRET_KEY: key };
    const args = [
      '--provider',
      'openai-compatible',
      '--base-url',
      simulator.baseUrl,
      '--model',
      'mock-model',
      '--api-key-env',
      'LENS_SECRET_KEY',
    ];
    const runs = [
      await runCli(['benchmark', ...args, '-n', '3', '--records', records, '--output', output], {
        env,
      }),
      await runCli(['benchmark', ...args, '-n', '2', '--json', '--debug'], { env }),
      await runCli(['profile', ...args, '--json'], { env }),
      await runCli(['profile', ...args], { env }),
      // A failing endpoint: the error path must not print the key either.
      await runCli(
        [
          'benchmark',
          '--provider',
          'openai-compatible',
          '--base-url',
          'http://127.0.0.1:9/v1',
          '--model',
          'x',
          '--api-key-env',
          'LENS_SECRET_KEY',
          '-n',
          '1',
          '--json',
          '--debug',
        ],
        { env },
      ),
    ];
    expect(runs.slice(0, 4).map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(JSON.parse(runs[4]!.stdout).groups[0].errors).toEqual({ network: 1 });
    const everything = [
      ...runs.flatMap((r) => [r.stdout, r.stderr]),
      readFileSync(records, 'utf8'),
      readFileSync(output, 'utf8'),
    ].join('\n');
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(key.slice(0, 20));
  });

  it('masks a key that a server quotes back in its error message', async () => {
    const key = 'sk-lens-echoed-0123456789abcdef';
    const server = createServer((req, res) => {
      req.resume();
      const auth = String(req.headers.authorization ?? '');
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: `Incorrect API key provided: ${auth.replace('Bearer ', '')}`,
            type: 'invalid_request_error',
          },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const records = join(dir, 'echo.jsonl');
    try {
      const result = await runCli(
        [
          'benchmark',
          '-p',
          'openai-compatible',
          '--base-url',
          `http://127.0.0.1:${port}/v1`,
          '-m',
          'x',
          '--api-key-env',
          'ECHO_KEY',
          '-n',
          '2',
          '-w',
          '0',
          '--records',
          records,
          '--json',
        ],
        { env: { ECHO_KEY: key } },
      );
      // Every request failed: exit 1, with the (masked) reason on stderr.
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'error: no request succeeded for openai-compatible/x/default: auth: HTTP 401: Incorrect API key provided: [redacted]',
      );
      expect(JSON.parse(result.stdout).groups[0].errors).toEqual({ auth: 2 });
      const lines = readFileSync(records, 'utf8');
      expect(lines).toContain('Incorrect API key provided: [redacted]');
      expect(lines + result.stdout + result.stderr).not.toContain(key);
      // The console table quotes the first error message of each class: masked too.
      const table = await runCli(
        [
          'benchmark',
          '-p',
          'openai-compatible',
          '--base-url',
          `http://127.0.0.1:${port}/v1`,
          '-m',
          'x',
          '--api-key-env',
          'ECHO_KEY',
          '-n',
          '2',
          '-w',
          '0',
        ],
        { env: { ECHO_KEY: key } },
      );
      expect(table.stdout).toContain('auth, first: ');
      expect(table.stdout).toContain('Incorrect API key provided: [redacted]');
      expect(table.stdout + table.stderr).not.toContain(key);
    } finally {
      server.close();
    }
  });

  it('names the missing variable when the key is not set', async () => {
    const result = await runCli(['benchmark', '--provider', 'openai', '--model', 'gpt-4o-mini'], {
      env: { OPENAI_API_KEY: '' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: provider "openai" needs an API key: set the environment variable OPENAI_API_KEY/,
    );
  });
});

describe('usage errors', () => {
  it('reports every bad config field with its path, without a stack trace', async () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(
      config,
      'providers:\n  - type: mock\n    models: [m]\nscenarios:\n  - prompt: hi\n    concurrency: ten\n    requests: -1\n',
    );
    const result = await runCli(['validate', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'scenarios[0].concurrency: must be a positive integer, got "ten"',
    );
    expect(result.stderr).toContain('scenarios[0].requests: must be a positive integer');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const bench = await runCli(['benchmark', '--config', config]);
    expect(bench.code).toBe(2);
    expect(bench.stderr).toContain('scenarios[0].concurrency');
  });

  it('rejects bad flag values and unknown flags with exit code 2', async () => {
    const zero = await runCli(['benchmark', '--concurrency', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--concurrency: must be a positive integer, got 0');
    const text = await runCli(['benchmark', '--concurrency', 'ten', '-n=5x']);
    expect(text.code).toBe(2);
    expect(text.stderr).toBe(
      'error: invalid command-line flags (2 problems):\n--concurrency: must be a number, got "ten"\n-n: must be a number, got "5x"\n',
    );
    const unknown = await runCli(['benchmark', '--concurrancy', '4']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: Unknown argument/);
    const missing = await runCli(['validate', '--config', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml');
  });

  it('init writes a starter config that validates, and refuses to overwrite it', async () => {
    const file = join(dir, 'starter.yaml');
    expect((await runCli(['init', '--file', file])).code).toBe(0);
    const valid = await runCli(['validate', '--config', file]);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain(': ok');
    const again = await runCli(['init', '--file', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('prints the version and help with examples', async () => {
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await runCli(['--help']);
    for (const command of ['benchmark', 'profile', 'init', 'validate', 'serve-mock', 'Examples:']) {
      expect(help.stdout).toContain(command);
    }
    const benchHelp = await runCli(['benchmark', '--help']);
    expect(benchHelp.stdout).toContain('--max-error-rate');
    expect(benchHelp.stdout).toContain('Examples:');
  });
});

describe('llm-lens profile and serve-mock', () => {
  it('profile shows the phases of one request', async () => {
    const result = await runCli(['profile', '--max-tokens', '12']);
    expect(result.code).toBe(0);
    for (const phase of [
      'connect',
      'ttfb',
      'ttft',
      'tpot',
      'e2e',
      'ITL (ms, n=11)',
      'Token arrivals',
    ]) {
      expect(result.stdout).toContain(phase);
    }
    const json = await runCli(['profile', '--max-tokens', '12', '--json']);
    const record = JSON.parse(json.stdout);
    expect(record.token_offsets_ms).toHaveLength(12);
    expect(record.connect_ms).toBeGreaterThan(0);
  });

  it('serve-mock serves the OpenAI API until SIGINT', async () => {
    let url = '';
    let models: unknown;
    const result = await runCli(['serve-mock', '--port', '0', '--ttft', 'normal:20,2'], {
      onSpawn: (child) => {
        child.stdout!.on('data', async (d: Buffer) => {
          const match = /listening on (http:\/\/\S+)/.exec(d.toString());
          if (!match || url) return;
          url = match[1]!;
          models = await (await fetch(`${url}/v1/models`)).json();
          child.kill('SIGINT');
        });
      },
    });
    expect(result.code).toBe(0);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(models).toMatchObject({ object: 'list' });
  });

  it('serve-mock rejects a bad latency spec by flag name', async () => {
    const result = await runCli(['serve-mock', '--ttft', 'gaussian:1', '--drop-rate', '2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: invalid command-line flags (2 problems):\n' +
        '--ttft: must be a number of ms, "normal:<mean_ms>,<stdev_ms>", "lognormal:<median_ms>,<sigma>" or an object {distribution: fixed|normal|lognormal, ...}, got "gaussian:1"\n' +
        '--drop-rate: must be a number between 0 and 1, got 2\n',
    );
  });
});
