import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The simulator as a config: TTFT around `ttftMs`, 60 requests at concurrency 6. */
function simulator(name: string, ttftMs: number): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    [
      'providers:',
      '  - name: sim',
      '    type: mock',
      '    models: [mock-model]',
      `    mock: { ttft_ms: "lognormal:${ttftMs},0.1", itl_ms: 2, output_tokens: 8, seed: ${ttftMs} }`,
      'scenarios:',
      '  - name: chat',
      '    prompt: hi',
      '    requests: 60',
      '    concurrency: 6',
      '    warmup: 0',
    ].join('\n'),
  );
  return path;
}

const fast = simulator('fast', 40);
const slow = simulator('slow', 60);
// XDG_DATA_HOME moves the default history into the test's directory.
const env = { XDG_DATA_HOME: join(dir, 'data') };

describe('the results history', () => {
  let firstId: string;

  it('saves runs with --save and --tag in the default SQLite file, and lists them', async () => {
    const first = await runCli(
      ['benchmark', '--config', fast, '--save', '--tag', 'main', '--save-records', '--json'],
      { env },
    );
    expect(first.code, first.stderr).toBe(0);
    firstId = JSON.parse(first.stdout).run.run_id;
    expect(existsSync(join(dir, 'data', 'llm-lens', 'history.db'))).toBe(true);
    const second = await runCli(['benchmark', '--config', fast, '--save', '--json'], { env });
    expect(second.code, second.stderr).toBe(0);

    const list = await runCli(['history', 'list', '--json'], { env });
    expect(list.code, list.stderr).toBe(0);
    const runs = JSON.parse(list.stdout);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ id: firstId, tags: ['main'], has_records: true });
    expect(runs[1].machine.cpu_count).toBeGreaterThan(0);
    const tagged = await runCli(['history', 'list', '--tag', 'main'], { env });
    expect(tagged.stdout).toContain(firstId.slice(0, 8));
    expect(tagged.stdout).toContain('1 run in');
  });

  it('shows, exports and trends what it saved', async () => {
    const show = await runCli(['history', 'show', firstId.slice(0, 8)], { env });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`run ${firstId}`);
    expect(show.stdout).toContain('records saved: yes');

    const summary = join(dir, 'exported.json');
    const records = join(dir, 'exported.jsonl');
    const exported = await runCli(
      ['history', 'export', firstId, '-o', summary, '--records', records],
      { env },
    );
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(readFileSync(summary, 'utf8')).run.run_id).toBe(firstId);
    expect(readFileSync(records, 'utf8').trim().split('\n')).toHaveLength(60);

    const html = join(dir, 'trend.html');
    const trend = await runCli(
      ['trend', '--metric', 'ttft.p95', '--provider', 'sim', '--since', '1d', '--html', html],
      { env },
    );
    expect(trend.code, trend.stderr).toBe(0);
    expect(trend.stdout).toMatch(/^sim \/ mock-model \/ chat {2}[▁▂▃▄▅▆▇█]{2} {2}[\d.]+ [\d.]+$/m);
    expect(readFileSync(html, 'utf8')).toContain('ttft.p95 (ms) over time');

    const typo = await runCli(['trend', '--metric', 'ttf.p95'], { env });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean "ttft.p95"?');
  });

  it('judges a run against history:<tag>: no regression for the same server, exit 4 for a slower one', async () => {
    const same = await runCli(
      ['benchmark', '--config', fast, '--baseline', 'history:main', '--json'],
      { env },
    );
    expect(same.code, same.stderr).toBe(0);
    const gates = JSON.parse(same.stdout).gates;
    expect(gates.baseline.run_id).toBe(firstId);
    expect(gates.regressions.map((r: { name: string }) => r.name)).toEqual([
      'ttft.p95:+10% [sim / mock-model / chat]',
      'tpot.p50:+10% [sim / mock-model / chat]',
      'e2e.p95:+10% [sim / mock-model / chat]',
    ]);
    expect(gates.regressions.every((r: { passed: boolean }) => r.passed)).toBe(true);

    const junit = join(dir, 'regression.xml');
    const slower = await runCli(
      [
        'benchmark',
        '--config',
        slow,
        '--baseline',
        'history:main',
        '--regression',
        'ttft.p50:+10%',
        '--junit',
        junit,
      ],
      { env },
    );
    expect(slower.code, slower.stderr).toBe(4);
    expect(slower.stdout).toMatch(/ttft\.p50 \(ms\).*worse/);
    expect(slower.stdout).toContain('Gates: 1 check failed (exit code 4)');
    expect(readFileSync(junit, 'utf8')).toMatch(
      /<testsuite name="llm-lens regressions" tests="1" failures="1"/,
    );
  });

  it('rejects --regression without a baseline and a baseline the history does not have', async () => {
    const orphan = await runCli(['benchmark', '-n', '1', '--regression', 'ttft.p95:+10%'], { env });
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain(
      '--regression checks a run against a baseline, and none was given',
    );
    const missing = await runCli(['benchmark', '-n', '1', '--baseline', 'history:nope'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--baseline history:nope');
  });

  it('deletes a run by its prefix', async () => {
    const deleted = await runCli(['history', 'delete', firstId.slice(0, 10)], { env });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stderr).toContain(`Deleted run ${firstId}`);
    const list = JSON.parse((await runCli(['history', 'list', '--json'], { env })).stdout);
    expect(list.map((r: { id: string }) => r.id)).not.toContain(firstId);
  });
});

describe('compare BASE NEW', () => {
  it('judges a slower TTFT worse from the records, and the same server unchanged', async () => {
    const run = async (config: string, name: string) => {
      const records = join(dir, `${name}.jsonl`);
      const result = await runCli([
        'benchmark',
        '--config',
        config,
        '--records',
        records,
        '--output',
        join(dir, `${name}.json`),
      ]);
      expect(result.code, result.stderr).toBe(0);
      return records;
    };
    const base = await run(fast, 'base');
    const again = await run(fast, 'again');
    const slower = await run(slow, 'slower');

    const worse = await runCli(['compare', base, slower, '--json']);
    expect(worse.code, worse.stderr).toBe(0);
    const rows = JSON.parse(worse.stdout).groups[0].rows as Array<{
      metric: string;
      statistic: string;
      verdict: string;
      method: string;
    }>;
    const ttft50 = rows.find((r) => r.metric === 'ttft' && r.statistic === 'p50')!;
    expect(ttft50.verdict).toBe('worse');
    expect(ttft50.method).not.toBe('summary-rule');

    const same = await runCli(['compare', base, again, '--json']);
    const ttftRows = (JSON.parse(same.stdout).groups[0].rows as typeof rows).filter(
      (r) => r.metric === 'ttft',
    );
    expect(ttftRows.every((r) => r.verdict !== 'worse')).toBe(true);

    // Summaries alone: the labelled conservative rule.
    const summaries = await runCli(['compare', join(dir, 'base.json'), join(dir, 'slower.json')]);
    expect(summaries.code, summaries.stderr).toBe(0);
    expect(summaries.stdout).toContain('summary rule');
  });

  it('asks for both runs, or targets, and not both', async () => {
    const none = await runCli(['compare']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give two finished runs to judge');
    const both = await runCli(['compare', 'a.json', 'b.json', '-t', 'mock:m']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });
});
