import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI } from './run-cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lens-action-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one of the Action's scripts as the runner would: INPUT_* env, output and summary files. */
function runStep(script: string, name: string, inputs: Record<string, string>) {
  const work = join(dir, name);
  const output = join(dir, `${name}.output`);
  const summary = join(dir, `${name}.summary.md`);
  writeFileSync(output, '');
  spawnSync('mkdir', ['-p', work]);
  const result = spawnSync('bash', [join(ROOT, 'action', script)], {
    cwd: work,
    encoding: 'utf8',
    env: {
      ...process.env,
      NO_COLOR: '1',
      LLM_LENS_BIN: CLI,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_PATH: join(dir, `${name}.path`),
      ...inputs,
    },
  });
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('=', 2) as [string, string]),
  );
  return { result, outputs, work, summary };
}

describe('the GitHub Action', () => {
  it('declares its inputs and runs the two scripts this test runs', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(['version', 'config', 'thresholds', 'baseline', 'regressions']),
    );
    expect(action.runs.using).toBe('composite');
    const runs = action.runs.steps.map((s: { run?: string }) => s.run ?? '').join('\n');
    expect(runs).toContain('action/install.sh');
    expect(runs).toContain('action/run.sh');
    const uses = action.runs.steps.map((s: { uses?: string }) => s.uses).filter(Boolean);
    expect(uses).toContain('actions/upload-artifact@v4');
  });

  it('benchmarks the simulator, writes every output and passes its thresholds', () => {
    const install = runStep('install.sh', 'install', {});
    expect(install.result.status, install.result.stderr).toBe(0);
    const { result, outputs, work, summary } = runStep('run.sh', 'pass', {
      INPUT_THRESHOLDS: 'success_rate>=0.99\n  ttft.p95<5s\n',
      INPUT_ARGS: '-n 12 -C 3',
      INPUT_OUTPUT_DIR: 'results',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(outputs['exit-code']).toBe('0');
    expect(outputs.summary).toBe('results/summary.json');
    for (const file of [
      'summary.json',
      'records.jsonl',
      'run.msgpack',
      'junit.xml',
      'summary.md',
    ]) {
      expect(existsSync(join(work, 'results', file)), file).toBe(true);
    }
    expect(readFileSync(join(work, 'results', 'junit.xml'), 'utf8')).toContain(
      'tests="2" failures="0"',
    );
    expect(readFileSync(summary, 'utf8')).toContain('2 of 2 thresholds passed');
  });

  it('records exit code 4 for a failed threshold without failing the step, so results upload', () => {
    const { result, outputs, work } = runStep('run.sh', 'fail', {
      INPUT_THRESHOLDS: 'e2e.p50<1ms',
      INPUT_ARGS: '-n 6',
      INPUT_OUTPUT_DIR: 'out',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(outputs['exit-code']).toBe('4');
    expect(existsSync(join(work, 'out', 'summary.json'))).toBe(true);
  });

  it('compares with a baseline from an earlier run', () => {
    const first = runStep('run.sh', 'base', { INPUT_ARGS: '-n 20 -C 4', INPUT_OUTPUT_DIR: 'r' });
    expect(first.outputs['exit-code']).toBe('0');
    const { outputs, summary } = runStep('run.sh', 'next', {
      INPUT_BASELINE: join(first.work, 'r', 'run.msgpack'),
      INPUT_REGRESSIONS: 'ttft.p95:+50%',
      INPUT_ARGS: '-n 20 -C 4',
      INPUT_OUTPUT_DIR: 'r',
    });
    expect(outputs['exit-code']).toBe('0');
    expect(readFileSync(summary, 'utf8')).toContain('ttft.p95:+50%');
  });
});
