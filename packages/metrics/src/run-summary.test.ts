import type { EventLoopSnapshot } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { Aggregator } from './aggregator.js';
import { buildFidelity } from './fidelity.js';
import { buildRunSummary } from './run-summary.js';

const calmLoop: EventLoopSnapshot = {
  p50Ms: 0.05,
  p99Ms: 0.41234,
  maxMs: 2.5,
  meanMs: 0.08,
  utilization: 0.2,
  samples: 5000,
};

describe('buildRunSummary', () => {
  it('assembles run metadata, fidelity and groups in the RunSummary shape', () => {
    const fidelity = buildFidelity([{ thread: 'main', snapshot: calmLoop }]);
    const aggregator = new Aggregator();
    aggregator.add({
      requestId: 'r1',
      provider: 'mock',
      model: 'sim',
      scenario: 'default',
      isWarmup: false,
      startedAtMs: 1_767_225_600_000,
      dispatchNs: 0n,
      status: 'ok',
      queueNs: 0n,
      e2eNs: 10_000_000n,
      tokenEventOffsetsNs: new Float64Array(),
      tokenEventTokens: new Uint32Array(),
    });
    const groups = aggregator.summarize({ complete: true, fidelity });
    const summary = buildRunSummary({
      runId: 'run-1',
      toolVersion: '0.1.0',
      startedAt: 1_767_225_600_000,
      endedAt: '2026-01-01T00:01:00.500Z',
      configHash: 'sha256:abc',
      nodeVersion: 'v20.20.0',
      cpuCount: 2,
      platform: 'linux-x64',
      complete: true,
      fidelity,
      groups,
    });
    expect(summary).toEqual({
      schema_version: 2,
      run: {
        run_id: 'run-1',
        tool_version: '0.1.0',
        started_at: '2026-01-01T00:00:00.000Z',
        ended_at: '2026-01-01T00:01:00.500Z',
        config_hash: 'sha256:abc',
        node_version: 'v20.20.0',
        cpu_count: 2,
        platform: 'linux-x64',
      },
      complete: true,
      fidelity,
      groups,
      sweeps: [],
      server_metrics: null,
      resilience: null,
      repeats: null,
      gates: null,
    });
    expect(summary.groups[0]?.fidelity).toEqual({
      event_loop_delay_p99_ms: 0.412,
      event_loop_delay_max_ms: 2.5,
      client_bound: false,
    });
  });

  it('describes this process when no environment is given', () => {
    const summary = buildRunSummary({
      toolVersion: '0.1.0',
      startedAt: new Date(0),
      endedAt: 1,
      configHash: 'x',
      complete: false,
      fidelity: buildFidelity([{ thread: 'main', snapshot: calmLoop }]),
      groups: [],
    });
    expect(summary.run.node_version).toBe(process.version);
    expect(summary.run.platform).toBe(process.platform);
    expect(summary.run.cpu_count).toBeGreaterThanOrEqual(1);
    expect(summary.run.started_at).toBe('1970-01-01T00:00:00.000Z');
    expect(summary.run.ended_at).toBe('1970-01-01T00:00:00.001Z');
    expect(summary.complete).toBe(false);
    // A new id per run when the caller gives none.
    expect(summary.run.run_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    const again = buildRunSummary({
      ...{ toolVersion: '0.1.0', startedAt: 0, endedAt: 1 },
      configHash: 'x',
      complete: true,
      fidelity: summary.fidelity,
      groups: [],
    });
    expect(again.run.run_id).not.toBe(summary.run.run_id);
  });

  it('rejects a start time that is not a time with LENS_METRICS_VALUE_INVALID', () => {
    expect(() =>
      buildRunSummary({
        toolVersion: '0.1.0',
        startedAt: 'yesterday-ish',
        endedAt: 1,
        configHash: 'x',
        complete: true,
        fidelity: buildFidelity([{ thread: 'main', snapshot: calmLoop }]),
        groups: [],
      }),
    ).toThrow(expect.objectContaining({ code: 'LENS_METRICS_VALUE_INVALID' }));
  });
});
