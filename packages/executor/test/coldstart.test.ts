import type { RequestRecord } from '@llm-lens/core-timing';
import { HttpTransport } from '@llm-lens/providers-core';
import { providerFactories as mockFactories } from '@llm-lens/providers-mock';
import { providerFactories as openaiFactories } from '@llm-lens/providers-openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ColdStartKind,
  type ColdStartReport,
  createTargets,
  ExtensionRegistry,
  measureColdStart,
  portableTransportOpener,
  type ResolvedTargets,
  runPlan,
} from '../src/index.js';
import { type SimulatedTarget, scenario, simulatedTarget } from './harness.js';

const MS = 1_000_000n;

interface Sample {
  record: RequestRecord;
  cycle: number;
  kind: ColdStartKind;
}

function phase(report: ColdStartReport, name: string) {
  const stats = report.phases.find((p) => p.phase === name);
  if (stats === undefined) throw new Error(`no phase ${name} in the report`);
  return stats;
}

describe('measureColdStart against the simulator', () => {
  let sim: SimulatedTarget;

  beforeAll(async () => {
    sim = await simulatedTarget({ ttftMs: 5, itlMs: 1, outputTokens: 4 });
  });

  afterAll(async () => {
    await sim.close();
  });

  it('sends each cold request on a new connection and the warm ones on the kept-alive one', async () => {
    const samples: Sample[] = [];
    const report = await measureColdStart(sim.target, {
      openTransport: () => new HttpTransport(),
      scenario: scenario({ maxTokens: 4 }),
      cycles: 3,
      warm: 3,
      onRecord: (record, sample) => samples.push({ record, ...sample }),
    });

    expect(samples.map((s) => `${s.cycle}:${s.kind}`)).toEqual([
      '1:cold',
      '1:warm',
      '1:warm',
      '1:warm',
      '2:cold',
      '2:warm',
      '2:warm',
      '2:warm',
      '3:cold',
      '3:warm',
      '3:warm',
      '3:warm',
    ]);
    for (const { record, kind } of samples) {
      expect(record.status, record.errorMessage).toBe('ok');
      expect(record.isWarmup).toBe(false);
      if (kind === 'cold') {
        expect(record.connection?.connectNs).toBeGreaterThan(0n);
        expect(record.connection?.protocol).toBe('http/1.1');
      } else {
        expect(record.connection).toBeUndefined();
      }
    }

    expect(report.provider).toBe('sim');
    expect(report.model).toBe('mock-model');
    expect(report.cycles).toBe(3);
    expect(report.warm_per_cycle).toBe(3);
    expect(report.protocol).toBe('http/1.1');
    expect(report.requests).toEqual({
      cold: 3,
      warm: 9,
      cold_failed: 0,
      warm_failed: 0,
      cold_reused: 0,
      warm_reconnected: 0,
    });
    expect(report.errors).toEqual([]);

    const connect = phase(report, 'connect');
    expect(connect.cold_count).toBe(3);
    expect(connect.warm_count).toBe(9);
    expect(connect.warm_p50_ms).toBe(0);
    expect(connect.cold_p50_ms).toBeGreaterThan(0);
    expect(connect.penalty_ms).toBeGreaterThan(0);
    expect(connect.penalty_ms).toBeCloseTo(connect.cold_p50_ms! - connect.warm_p50_ms!, 6);
    // 127.0.0.1 over plain HTTP: no lookup and no handshake, on any request.
    expect(phase(report, 'dns')).toMatchObject({ cold_p50_ms: null, warm_p50_ms: null });
    expect(phase(report, 'tls')).toMatchObject({ cold_p50_ms: null, penalty_ms: null });
    // The simulator's 5 ms to the first token is in ttft, cold and warm alike.
    for (const name of ['ttfb', 'ttft', 'e2e', 'send_delay']) {
      const stats = phase(report, name);
      expect(stats.cold_count, name).toBe(3);
      expect(stats.warm_count, name).toBe(9);
      expect(stats.warm_p50_ms, name).not.toBeNull();
    }
    expect(phase(report, 'ttft').warm_p50_ms).toBeGreaterThanOrEqual(4);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('waits the idle time with no traffic before every cold request', async () => {
    const samples: Sample[] = [];
    const idleMs = 150;
    const started = process.hrtime.bigint();
    const report = await measureColdStart(sim.target, {
      openTransport: () => new HttpTransport(),
      scenario: scenario({ maxTokens: 2 }),
      cycles: 2,
      warm: 1,
      idleMs,
      warmups: 0,
      onRecord: (record, sample) => samples.push({ record, ...sample }),
    });
    const elapsedNs = process.hrtime.bigint() - started;

    expect(elapsedNs).toBeGreaterThanOrEqual(2n * BigInt(idleMs) * MS);
    expect(report.idle_ms).toBe(idleMs);
    expect(report.cycle_ms).toHaveLength(2);
    for (const cycleMs of report.cycle_ms) expect(cycleMs).toBeGreaterThanOrEqual(idleMs);
    // Between the end of cycle 1's last request and cycle 2's cold dispatch: the idle wait.
    const lastOfFirst = samples.filter((s) => s.cycle === 1).at(-1)!.record;
    const coldOfSecond = samples.find((s) => s.cycle === 2 && s.kind === 'cold')!.record;
    const quietNs = coldOfSecond.dispatchNs - (lastOfFirst.dispatchNs + lastOfFirst.e2eNs!);
    expect(quietNs).toBeGreaterThanOrEqual(BigInt(idleMs) * MS);
  });

  it('refuses counts that measure nothing, naming the option', async () => {
    const openTransport = () => new HttpTransport();
    await expect(measureColdStart(sim.target, { openTransport, cycles: 0 })).rejects.toMatchObject({
      code: 'LENS_EXECUTOR_PLAN_INVALID',
      message: 'cold start: cycles must be a whole number >= 1, got 0',
    });
    await expect(measureColdStart(sim.target, { openTransport, warm: 1.5 })).rejects.toThrow(
      /warm must be a whole number >= 1, got 1.5/,
    );
    await expect(measureColdStart(sim.target, { openTransport, idleMs: -1 })).rejects.toThrow(
      /idleMs must be a number of milliseconds >= 0, got -1/,
    );
  });
});

describe('measureColdStart with targets of createTargets', () => {
  let resolved: ResolvedTargets | undefined;
  const registry = new ExtensionRegistry();
  registry.register({ providerFactories: [...openaiFactories, ...mockFactories] });

  afterEach(async () => {
    await resolved?.close();
    resolved = undefined;
  });

  it('rebuilds the provider for every cycle, kept alive even when the entry says connection_mode: new', async () => {
    resolved = await createTargets(
      [
        {
          name: 'sim',
          type: 'mock',
          models: ['mock-model'],
          connection_mode: 'new',
          mock: { ttft_ms: 2, itl_ms: 1, output_tokens: 2 },
        },
      ],
      registry,
    );
    const target = resolved.targets[0]!;
    const kinds: { kind: ColdStartKind; isNew: boolean }[] = [];
    const report = await measureColdStart(target, {
      openTransport: portableTransportOpener(target, registry),
      scenario: scenario({ maxTokens: 2 }),
      cycles: 2,
      warm: 2,
      onRecord: (record, { kind }) => kinds.push({ kind, isNew: record.connection !== undefined }),
    });
    expect(kinds).toEqual([
      { kind: 'cold', isNew: true },
      { kind: 'warm', isNew: false },
      { kind: 'warm', isNew: false },
      { kind: 'cold', isNew: true },
      { kind: 'warm', isNew: false },
      { kind: 'warm', isNew: false },
    ]);
    expect(phase(report, 'connect').penalty_ms).toBeGreaterThan(0);
  });

  it('reports a dead endpoint as errors of both kinds, with no medians', async () => {
    resolved = await createTargets(
      [
        {
          name: 'dead',
          type: 'openai-compatible',
          models: ['m'],
          base_url: 'http://127.0.0.1:9/v1',
        },
      ],
      registry,
      { env: {} },
    );
    const target = resolved.targets[0]!;
    const report = await measureColdStart(target, {
      openTransport: portableTransportOpener(target, registry, { env: {} }),
      scenario: scenario({ maxTokens: 2 }),
      cycles: 2,
      warm: 1,
      warmups: 0,
    });
    expect(report.requests).toMatchObject({ cold: 2, warm: 2, cold_failed: 2, warm_failed: 2 });
    expect(report.errors.map((e) => [e.kind, e.error_class, e.count])).toEqual([
      ['cold', 'network', 2],
      ['warm', 'network', 2],
    ]);
    expect(report.errors[0]!.message).toContain('ECONNREFUSED');
    expect(report.protocol).toBeNull();
    expect(phase(report, 'ttft')).toMatchObject({
      cold_p50_ms: null,
      warm_p50_ms: null,
      penalty_ms: null,
    });
  });

  it('applies connection_mode: new from a provider entry to its transport', async () => {
    resolved = await createTargets(
      [
        {
          name: 'sim',
          type: 'mock',
          models: ['mock-model'],
          connection_mode: 'new',
          mock: { ttft_ms: 1, itl_ms: 1, output_tokens: 1 },
        },
      ],
      registry,
    );
    const target = resolved.targets[0]!;
    const report = await measureColdStart(target, {
      // The target's own transport: every request opens a connection, so none is warm.
      openTransport: () => ({
        send: (spec, sink) => target.transport.send(spec, sink),
        close: async () => {},
      }),
      scenario: scenario({ maxTokens: 1 }),
      cycles: 1,
      warm: 3,
      warmups: 0,
    });
    expect(report.requests.warm_reconnected).toBe(3);
    expect(phase(report, 'connect').warm_p50_ms).toBeGreaterThan(0);
    // A benchmark through it: every request opened a connection, and the summary says so.
    const summary = await runPlan(
      { targets: [target], scenarios: [scenario({ requests: 5, maxTokens: 1 })] },
      {},
    );
    expect(summary.groups[0]!.connections).toEqual({ opened: 5, protocols: { 'http/1.1': 5 } });
  });

  it('refuses an unknown connection_mode, naming the provider and the key', async () => {
    await expect(
      createTargets(
        [
          {
            name: 'sim',
            type: 'mock',
            models: ['mock-model'],
            connection_mode: 'fresh',
            http2: 'yes',
          },
        ],
        registry,
      ),
    ).rejects.toThrow(
      /provider "sim": connection_mode: must be one of keep-alive \| new, got "fresh"; http2: must be true or false, got "yes"/,
    );
  });
});
