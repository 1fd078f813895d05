// `--repeat` and `--saturation-guard` end to end against the built-in simulator.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-repeats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fast simulator (about 25 ms a request) and one scenario, plus `extra` root lines. */
function config(name: string, scenario: string[], extra: string[] = []): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      'providers:',
      '  - { type: mock, models: [mock-model], mock: { ttft_ms: 20, itl_ms: 1, output_tokens: 5, seed: 2 } }',
      'scenarios:',
      '  - name: chat',
      '    prompt: Hello',
      ...scenario.map((line) => `    ${line}`),
      ...extra,
    ].join('\n'),
  );
  return path;
}

describe('llm-lens benchmark --repeat', () => {
  it('runs the benchmark K times and prints and writes each statistic across the runs', async () => {
    const path = config('repeat.yaml', ['requests: 6', 'concurrency: 2']);
    const result = await runCli(['benchmark', '-c', path, '--repeat', '3', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.repeats.runs).toBe(3);
    expect(summary.groups[0].requests.total).toBe(18);
    const ttft = summary.repeats.groups[0].statistics.find(
      (s: { statistic: string }) => s.statistic === 'ttft.p50',
    );
    expect(ttft.values).toHaveLength(3);
    for (const value of ttft.values) expect(value).toBeGreaterThanOrEqual(20);
    expect(ttft.ci95[0]).toBeLessThanOrEqual(ttft.mean);
    expect(ttft.ci95[1]).toBeGreaterThanOrEqual(ttft.mean);

    const text = await runCli(['benchmark', '-c', path, '--repeat', '2']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      'Across 2 runs (mean, 95% confidence interval, variation, range)',
    );
    expect(text.stdout).toMatch(/TTFT p50 \(ms\)/);
  });

  it('refuses a repeat count that is not a whole number >= 1, naming the flag', async () => {
    const result = await runCli(['benchmark', '--repeat', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--repeat: .*whole number of runs >= 1/);
  });
});

describe('llm-lens benchmark --saturation-guard', () => {
  it('stops an overloaded open loop and says why', async () => {
    // One request in flight at a time, ~25 ms each: 120 arrivals a second pile up.
    const path = config(
      'saturation.yaml',
      [
        'requests: 100000',
        'duration: 30s',
        'warmup: 0',
        'load: { type: open, rate: 120, max_in_flight: 1 }',
      ],
      ['saturation_guard: { window: 300ms, min_requests: 3 }'],
    );
    const result = await runCli(['benchmark', '-c', path, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.groups[0].stopped_early).toMatch(
      /^over-saturated: the median latency from the schedule kept rising/,
    );
    expect(summary.groups[0].throughput.window_s).toBeLessThan(10);

    // --no-saturation-guard turns the file's guard off.
    const off = config(
      'saturation-off.yaml',
      ['requests: 30', 'warmup: 0', 'load: { type: open, rate: 120, max_in_flight: 1 }'],
      ['saturation_guard: { window: 300ms, min_requests: 3 }'],
    );
    const unguarded = await runCli(['benchmark', '-c', off, '--no-saturation-guard', '--json']);
    expect(unguarded.code, unguarded.stderr).toBe(0);
    expect(JSON.parse(unguarded.stdout).groups[0].stopped_early).toBeNull();
  });
});
