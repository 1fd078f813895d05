import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-gates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The simulator as a config, with server errors on half the requests when `flaky`. */
function simulatorConfig(name: string, options: { flaky?: boolean; requests?: number } = {}) {
  const path = join(dir, `${name}.yaml`);
  const faults = options.flaky === true ? ', faults: { server_error_rate: 0.5 }' : '';
  writeFileSync(
    path,
    [
      'providers:',
      '  - name: sim',
      '    type: mock',
      '    models: [mock-model]',
      `    mock: { ttft_ms: 20, itl_ms: 2, output_tokens: 8, seed: 7${faults} }`,
      'scenarios:',
      '  - name: chat',
      '    prompt: hi',
      `    requests: ${options.requests ?? 20}`,
      '    concurrency: 2',
      '    warmup: 0',
    ].join('\n'),
  );
  return path;
}

describe('--threshold', () => {
  it('passes: exit 0, the pass/fail table, and the thresholds in the summary JSON', async () => {
    const summary = join(dir, 'pass.json');
    const result = await runCli([
      'benchmark',
      '--config',
      simulatorConfig('pass'),
      '--threshold',
      'ttft.p95<2s',
      '--threshold',
      'sim:mock-model@chat/success_rate>=99%',
      '--output',
      summary,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /ttft\.p95<2s\s+│ sim \/ mock-model \/ chat\s+│\s+[\d.]+ ms\s+│\s+< 2000 ms\s+│ pass/,
    );
    expect(result.stdout).toContain('Gates: every check passed');
    const gates = JSON.parse(readFileSync(summary, 'utf8')).gates;
    expect(gates.passed).toBe(true);
    expect(gates.thresholds.map((t: { threshold: string }) => t.threshold)).toEqual([
      'ttft.p95<2s',
      'sim:mock-model@chat/success_rate>=99%',
    ]);
    expect(gates.thresholds[0].groups[0].value).toBeGreaterThan(15);
  });

  it('fails with exit 4, JUnit and Markdown files, and a job summary appended', async () => {
    const junit = join(dir, 'out', 'junit.xml');
    const markdown = join(dir, 'out', 'summary.md');
    const stepSummary = join(dir, 'step-summary.md');
    writeFileSync(stepSummary, '# earlier step\n');
    const config = simulatorConfig('fail');
    writeFileSync(config, `${readFileSync(config, 'utf8')}\nthresholds: ['e2e.p50<1']\n`);
    const result = await runCli(
      [
        'benchmark',
        '--config',
        config,
        '--threshold',
        'ttft.p95<10s',
        '--junit',
        junit,
        '--markdown',
        markdown,
      ],
      { env: { GITHUB_STEP_SUMMARY: stepSummary } },
    );
    expect(result.code, result.stderr).toBe(4);
    expect(result.stdout).toContain('Gates: 1 check failed (exit code 4)');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="llm-lens thresholds" tests="2" failures="1"/);
    expect(xml).toMatch(/<failure message="e2e\.p50 = [\d.]+ ms, limit &lt; 1 ms"/);
    const md = readFileSync(markdown, 'utf8');
    expect(md).toContain('| ❌ | `e2e.p50<1` | sim / mock-model / chat |');
    expect(md).toContain('| ✅ | `ttft.p95<10s` |');
    const appended = readFileSync(stepSummary, 'utf8');
    expect(appended.startsWith('# earlier step\n')).toBe(true);
    expect(appended).toContain(md.trim());
  });

  it('rejects a bad expression before anything is sent, with the names and a did-you-mean', async () => {
    const junit = join(dir, 'never.xml');
    const result = await runCli([
      'benchmark',
      '--config',
      simulatorConfig('typo'),
      '--threshold',
      'ttf.p95<800',
      '--junit',
      junit,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--threshold "ttf.p95<800" is not a valid threshold');
    expect(result.stderr).toContain('did you mean "ttft.p95"?');
    expect(result.stderr).toContain('success_rate');
    expect(result.stdout).toBe('');
    expect(existsSync(junit)).toBe(false);
  });
});

describe('--abort-on-fail', () => {
  it('stops dispatching once the error rate can no longer pass, and says so', async () => {
    const summary = join(dir, 'aborted.json');
    const result = await runCli([
      'benchmark',
      '--config',
      simulatorConfig('flaky', { flaky: true, requests: 200 }),
      '--threshold',
      'success_rate>=0.95',
      '--abort-on-fail',
      '--output',
      summary,
    ]);
    expect(result.code, result.stderr).toBe(4);
    const written = JSON.parse(readFileSync(summary, 'utf8'));
    const group = written.groups[0];
    // 200 planned, at most 5% may fail: the 11th failure makes it impossible. Requests in
    // flight when the run stopped still finish, so a few more may be counted.
    expect(group.requests.failed).toBeGreaterThanOrEqual(11);
    expect(group.requests.total).toBeLessThan(100);
    expect(written.complete).toBe(false);
    expect(written.gates.aborted.rule).toBe('impossible');
    expect(result.stdout).toContain('Stopped early (--abort-on-fail)');
  });

  it('needs a threshold to watch', async () => {
    const result = await runCli(['benchmark', '-n', '1', '--abort-on-fail']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--abort-on-fail stops a run when a threshold can no longer pass',
    );
  });
});
