import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity, buildRunSummary, type RunSummary } from '@llm-lens/metrics';
import type { MachineFacts } from '../src/index.js';

/** mulberry32: a small seeded PRNG, so every fixture is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GroupSpec {
  provider: string;
  model: string;
  scenario: string;
  /** Typical TTFT, ms; each request varies around it. */
  ttftMs: number;
  /** Fraction of requests that fail. Default 0. */
  failureRate?: number;
  /** USD per request, or none (cost unknown). */
  costUsd?: number;
}

export interface RunFixture {
  summary: RunSummary;
  records: RequestRecord[];
}

const MS = 1_000_000n;

/** A run of `requests` records per group, summarized by the real Aggregator. */
export function makeRun(options: {
  runId: string;
  startedAt: string;
  groups: GroupSpec[];
  requests?: number;
  seed?: number;
}): RunFixture {
  const random = seededRandom(options.seed ?? 1);
  const startMs = Date.parse(options.startedAt);
  const records: RequestRecord[] = [];
  const count = options.requests ?? 20;
  for (const group of options.groups) {
    for (let i = 0; i < count; i++) {
      const ttftNs = BigInt(Math.round(group.ttftMs * (0.8 + 0.4 * random()) * 1000)) * 1000n;
      const isFailure = random() < (group.failureRate ?? 0);
      const events = 4 + Math.floor(random() * 4);
      const offsets = new Float64Array(events);
      for (let e = 0; e < events; e++) offsets[e] = Number(ttftNs) + e * 20_000_000;
      const base: RequestRecord = {
        requestId: `${options.runId}-${group.provider}-${i}`,
        provider: group.provider,
        model: group.model,
        scenario: group.scenario,
        isWarmup: i === 0,
        startedAtMs: startMs + i * 100,
        dispatchNs: 1_000_000_000n + BigInt(i) * 100n * MS,
        status: 'ok',
        queueNs: 0n,
        tokenEventOffsetsNs: new Float64Array(0),
        tokenEventTokens: new Uint32Array(0),
      };
      records.push(
        isFailure
          ? {
              ...base,
              status: 'error',
              errorClass: 'server_error',
              httpStatus: 500,
              errorMessage: 'boom',
            }
          : {
              ...base,
              ttftNs,
              e2eNs: BigInt(offsets[events - 1]!) + 5n * MS,
              tpotNs: 20n * MS,
              outputTokens: events,
              inputTokens: 12,
              tokenCountSource: 'server_usage',
              ...(group.costUsd !== undefined && { costUsd: group.costUsd }),
              connection: { connectNs: 2n * MS, protocol: 'http/1.1' },
              tokenEventOffsetsNs: offsets,
              tokenEventTokens: new Uint32Array(events).fill(1),
            },
      );
    }
  }
  const aggregator = new Aggregator();
  for (const record of records) aggregator.add(record);
  const fidelity = buildFidelity([]);
  const summary = buildRunSummary({
    runId: options.runId,
    toolVersion: '0.1.0',
    configHash: 'cfg-1',
    startedAt: startMs,
    endedAt: startMs + count * 100 + 1000,
    nodeVersion: 'v20.19.0',
    cpuCount: 2,
    platform: 'linux',
    complete: true,
    fidelity,
    groups: aggregator.summarize({ complete: true, fidelity }),
  });
  return { summary, records };
}

export const TEST_MACHINE: MachineFacts = {
  hostname: 'ci-runner-3',
  platform: 'linux',
  arch: 'x64',
  cpu_model: 'Test CPU @ 2.0GHz',
  cpu_count: 2,
  node_version: 'v20.19.0',
};
