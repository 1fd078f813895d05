// What a new user runs into first: runs where every request fails, bad output paths, typos,
// help. Each case was found by trying the CLI as a new user would.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-new-user-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REFUSED = ['-p', 'openai-compatible', '--base-url', 'http://127.0.0.1:9/v1', '-m', 'm'];

describe('a run where requests fail', () => {
  it('exits 1 with one line saying why when nothing succeeded (connection refused)', async () => {
    const result = await runCli(['benchmark', ...REFUSED, '-n', '3', '-w', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: no request succeeded for openai-compatible\/m\/default: network: connection refused \(is the server running, and are host and port right\?\)/m,
    );
    // No verdict on the client from a run that ended in milliseconds.
    expect(result.stdout).toContain('run too short to judge whether the client was the bottleneck');
    expect(result.stdout).not.toContain('CLIENT-BOUND');
  });

  it('stops early when the first requests all fail the same persistent way, and says so', async () => {
    const started = Date.now();
    const result = await runCli([
      'benchmark',
      ...REFUSED,
      '-n',
      '100000',
      '-C',
      '1',
      '-w',
      '0',
      '--json',
    ]);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.code).toBe(1);
    const group = JSON.parse(result.stdout).groups[0];
    expect(group.requests.planned).toBe(100_000);
    // A slot may have sent one or two more before the rule saw the third failure.
    expect(group.requests.total).toBeLessThanOrEqual(6);
    expect(group.requests.not_sent).toBe(100_000 - group.requests.total);
    expect(group.stopped_early).toMatch(
      /^the first 3 requests all failed the same way \(network: connection refused/,
    );
    const table = await runCli(['benchmark', ...REFUSED, '-n', '50', '-C', '1', '-w', '0']);
    expect(table.stdout).toMatch(/Stopped early: the first 3 requests all failed the same way/);
    expect(table.stdout).toMatch(/of 50 planned not sent/);
  });

  it('stops early on a wrong path (404) and on an unknown host', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"detail":"Not Found"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      // A base URL without /v1, as users write it.
      const missingV1 = await runCli([
        'benchmark',
        '-p',
        'openai-compatible',
        '--base-url',
        `http://127.0.0.1:${port}`,
        '-m',
        'm',
        '-n',
        '40',
        '-C',
        '1',
        '--json',
      ]);
      expect(missingV1.code).toBe(1);
      expect(missingV1.stderr).toContain('client_error: HTTP 404');
      expect(JSON.parse(missingV1.stdout).groups[0].requests.not_sent).toBeGreaterThan(30);
    } finally {
      server.close();
    }
    const unknownHost = await runCli([
      'benchmark',
      '-p',
      'openai-compatible',
      '--base-url',
      'http://no-such-host.invalid/v1',
      '-m',
      'm',
      '-n',
      '40',
      '-C',
      '1',
      '--json',
    ]);
    expect(unknownHost.code).toBe(1);
    expect(unknownHost.stderr).toContain('host name not found (check the base URL)');
    expect(JSON.parse(unknownHost.stdout).groups[0].stopped_early).not.toBeNull();
  });

  it('prints the reason whenever --max-error-rate makes the run fail', async () => {
    const config = join(dir, 'half.yaml');
    writeFileSync(
      config,
      [
        'providers: [{ name: flaky, type: mock, models: [m], mock: { ttft_ms: 5, itl_ms: 1, output_tokens: 4, seed: 11, faults: { server_error_rate: 0.5 } } }]',
        'scenarios: [{ name: s, prompt: hi, requests: 20, concurrency: 2 }]',
      ].join('\n'),
    );
    const result = await runCli(['benchmark', '-c', config, '--max-error-rate', '0.1', '--json']);
    expect(result.code).toBe(1);
    const failed = JSON.parse(result.stdout).groups[0].requests.failed;
    expect(result.stderr).toBe(
      `error: ${Number(((failed / 20) * 100).toFixed(1))}% of the measured requests failed (${failed} of 20), more than --max-error-rate 10%\n`,
    );
  });
});

describe('output paths', () => {
  it('refuses a records path under a file before sending anything, with one line naming the flag', async () => {
    const file = join(dir, 'README.md');
    writeFileSync(file, '# not a directory\n');
    const started = Date.now();
    const result = await runCli(['benchmark', '-n', '4', '--records', join(file, 'r.jsonl')]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: --records: ${join(file, 'r.jsonl')} cannot be created: ${file} is a file, not a directory\n`,
    );
    expect(result.stdout).toBe('');
  });

  it('refuses an output under a directory where nothing can be created, at once', async () => {
    const started = Date.now();
    const result = await runCli(['benchmark', '-n', '4', '--output', '/proc/nope/s.json']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: --output: \/proc\/nope\/s\.json cannot be written \(ENOENT/,
    );
  });

  it('refuses a directory as the summary file and an extension no format writes, and leaves no temporary file', async () => {
    const out = join(dir, 'out');
    const asDir = await runCli(['benchmark', '-n', '2', '--output', dir]);
    expect(asDir.code).toBe(2);
    expect(asDir.stderr).toBe(`error: --output: ${dir} is a directory; give a file path\n`);
    const txt = await runCli(['benchmark', '-n', '2', '--output', join(out, 'summary.txt')]);
    expect(txt.code).toBe(2);
    expect(txt.stderr).toContain('--output: cannot tell the summary format of');
    expect(txt.stderr).toContain('.json (json)');
    expect(txt.stderr).toContain('.html/.htm (html)');
    expect(
      existsSync(out)
        ? readdirSync(out).filter((f) => f.endsWith('.tmp') || f.endsWith('.probe'))
        : [],
    ).toEqual([]);
  });
});

describe('flags, commands and help', () => {
  it('names the flag the user typed: --timeout 0, --grace -1', async () => {
    const timeout = await runCli(['benchmark', '--timeout', '0']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain('--timeout: must be a positive integer, got 0');
    expect(timeout.stderr).not.toContain('--timeout-ms');
    const grace = await runCli(['benchmark', '--grace', '-1']);
    expect(grace.code).toBe(2);
    expect(grace.stderr).toBe('error: --grace: must be a number of ms >= 0, got -1\n');
  });

  it('prints the version for -v, -V and --version', async () => {
    for (const flag of ['-v', '-V', '--version']) {
      const result = await runCli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it('suggests the command for a typo or a prefix', async () => {
    const typo = await runCli(['benchmakr']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /^error: unknown command "benchmakr" \(did you mean "benchmark"\?\)/,
    );
    const prefix = await runCli(['bench']);
    expect(prefix.code).toBe(2);
    expect(prefix.stderr).toMatch(/^error: unknown command "bench" \(did you mean "benchmark"\?\)/);
  });

  it('shows the warm-up default and the exit codes in benchmark --help', async () => {
    const help = await runCli(['benchmark', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/default\s+2\s+on\s+the\s+simulator/);
    expect(help.stdout).toContain('Exit codes:');
    for (const code of ['0 ', '1 ', '2 ', '3 ', '130']) expect(help.stdout).toContain(`  ${code}`);
  });

  it('init says what is wrong with a path under a file, in one line', async () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    const result = await runCli(['init', '--file', join(file, 'x.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: --file: ${join(file, 'x.yaml')} cannot be created: ${file} is a file, not a directory\n`,
    );
  });
});

describe('validate and init', () => {
  it('warns about credentials that are not set, and the template says what each block needs', async () => {
    const file = join(dir, 'starter.yaml');
    expect((await runCli(['init', '--file', file])).code).toBe(0);
    const template = readFileSync(file, 'utf8');
    expect(template).toContain('VLLM_API_KEY');
    expect(template).toMatch(/Needs: the server running at base_url/);
    expect(template).toMatch(/Needs: OPENAI_API_KEY exported/);
    // Uncomment the commented providers, as a user would.
    writeFileSync(file, template.replace(/^ {2}# (- | {2})/gm, '  $1'));
    const result = await runCli(['validate', '--config', file], {
      env: { VLLM_API_KEY: '', OPENAI_API_KEY: '' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(': ok');
    expect(result.stderr).toBe(
      'warning: provider "local-vllm": the API key is read from the environment variable VLLM_API_KEY, which is not set; benchmark will fail until it is\n' +
        'warning: provider "openai": the API key is read from the environment variable OPENAI_API_KEY, which is not set; benchmark will fail until it is\n',
    );
    const withKeys = await runCli(['validate', '--config', file], {
      env: { VLLM_API_KEY: 'k', OPENAI_API_KEY: 'k' },
    });
    expect(withKeys.stderr).toBe('');
  });
});

describe('serve-mock', () => {
  it('offers every simulator setting as a flag, faults included', async () => {
    const help = await runCli(['serve-mock', '--help']);
    for (const flag of [
      '--ttft',
      '--itl',
      '--output-tokens',
      '--mid-stream-error-rate',
      '--retry-after',
      '--stall-ms',
    ]) {
      expect(help.stdout).toContain(flag);
    }
  });

  it('says the host is not an address of this machine, not that a port is taken', async () => {
    const result = await runCli(['serve-mock', '--host', '999.1.1.1', '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the host is not an address of this machine');
    expect(result.stderr).not.toContain('another port');
  });
});
