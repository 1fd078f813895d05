import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/** The column of a timeline row's marker, counted from the start of the line. */
function markerColumn(stdout: string, label: string): number {
  const row = stdout.split('\n').find((line) => new RegExp(`^  ${label} +·*\\|`).test(line));
  if (!row) throw new Error(`no timeline row for ${label}:\n${stdout}`);
  return row.indexOf('|');
}

describe('llm-lens profile', () => {
  it('draws the simulator request on one time axis', async () => {
    const result = await runCli(['profile', '--max-tokens', '12']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Timeline, ms after dispatch');
    const axis = /^( +)┬[─┬]*┬$/m.exec(result.stdout);
    expect(axis, result.stdout).not.toBeNull();
    const start = axis![1]!.length;
    const end = axis![0].length - 1;
    expect(result.stdout).toMatch(/^ +0 +\d.* \d+(\.\d+)? ms$/m);
    expect(markerColumn(result.stdout, 'ttfb')).toBeGreaterThanOrEqual(start);
    expect(markerColumn(result.stdout, 'ttft')).toBeGreaterThan(
      markerColumn(result.stdout, 'ttfb'),
    );
    expect(markerColumn(result.stdout, 'e2e')).toBe(end);
    expect(result.stdout).toMatch(/Token arrivals \(each column = [\d.]+ ms = the median gap/);
  });

  it('says a refused connection was never made', async () => {
    const result = await runCli([
      'profile',
      '-p',
      'openai-compatible',
      '--base-url',
      'http://127.0.0.1:9/v1',
      '-m',
      'x',
    ]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('Connection: never made');
    expect(result.stdout).toContain('ECONNREFUSED');
    expect(result.stdout).not.toContain('reused');
    expect(result.stdout).not.toMatch(/^ {2}e2e/m);
  });
});
