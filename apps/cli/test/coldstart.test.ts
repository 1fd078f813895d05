import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

interface PhaseJson {
  phase: string;
  cold_p50_ms: number | null;
  cold_count: number;
  warm_p50_ms: number | null;
  warm_count: number;
  penalty_ms: number | null;
}

describe('llm-lens coldstart', () => {
  it('measures cold against warm requests to the built-in simulator, as JSON', async () => {
    // --max-tokens keeps each simulated response short; the default scenario streams 64 tokens.
    const result = await runCli([
      'coldstart',
      '--cycles',
      '2',
      '--warm',
      '2',
      '--json',
      '--max-tokens',
      '4',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { reports } = JSON.parse(result.stdout) as {
      reports: {
        provider: string;
        model: string;
        cycles: number;
        warm_per_cycle: number;
        idle_ms: number;
        protocol: string | null;
        phases: PhaseJson[];
        requests: Record<string, number>;
        errors: unknown[];
        cycle_ms: number[];
      }[];
    };
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report).toMatchObject({
      provider: 'mock',
      model: 'mock-model',
      cycles: 2,
      warm_per_cycle: 2,
      idle_ms: 0,
      protocol: 'http/1.1',
      requests: {
        cold: 2,
        warm: 4,
        cold_failed: 0,
        warm_failed: 0,
        cold_reused: 0,
        warm_reconnected: 0,
      },
      errors: [],
    });
    expect(report!.cycle_ms).toHaveLength(2);
    expect(report!.phases.map((p) => p.phase)).toEqual([
      'dns',
      'connect',
      'tls',
      'send_delay',
      'ttfb',
      'ttft',
      'e2e',
    ]);
    const connect = report!.phases.find((p) => p.phase === 'connect')!;
    expect(connect).toMatchObject({ cold_count: 2, warm_count: 4, warm_p50_ms: 0 });
    expect(connect.penalty_ms).toBeGreaterThan(0);
    const ttft = report!.phases.find((p) => p.phase === 'ttft')!;
    expect(ttft.cold_p50_ms).toBeGreaterThan(0);
    expect(ttft.warm_p50_ms).toBeGreaterThan(0);
    // Progress goes to stderr, one line per cycle.
    expect(result.stderr).toContain('cycle 2/2: ttft cold');
  });

  it('prints a table of phase, cold p50, warm p50 and penalty', async () => {
    const result = await runCli(['coldstart', '--cycles', '1', '--warm', '1', '--max-tokens', '2']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ {2}phase +cold p50 +warm p50 +penalty$/m);
    expect(result.stdout).toMatch(/^ {2}connect +[\d.]+ ms +0\.00 ms +\+[\d.]+ ms$/m);
    expect(result.stdout).toMatch(/^ {2}dns +— +— +—$/m);
    expect(result.stdout).toContain('protocol http/1.1');
  });

  it('names the flag in a one-paragraph error', async () => {
    const cycles = await runCli(['coldstart', '--cycles', '0']);
    expect(cycles.code).toBe(2);
    expect(cycles.stderr).toBe(
      'error: --cycles: must be a whole number >= 1 (cold requests, one per cycle), got 0\n',
    );
    const idle = await runCli(['coldstart', '--idle', 'soon']);
    expect(idle.code).toBe(2);
    expect(idle.stderr).toContain('error: --idle: must be a duration such as 500ms, 30s or 5m');
    const warm = await runCli(['coldstart', '--warm', '2.5']);
    expect(warm.code).toBe(2);
    expect(warm.stderr).toContain('error: --warm: must be a whole number >= 1');
  });

  it('shows real examples in --help', async () => {
    const result = await runCli(['coldstart', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('llm-lens coldstart --config llm-lens.yaml');
    expect(result.stdout).toContain('--idle');
  });
});
