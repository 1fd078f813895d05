// Cold starts: what the first request on a new connection, after a quiet spell, costs over
// the requests that follow it on the same connection. Each cycle waits (no traffic), opens a
// fresh transport, sends one cold request (it opens the connection: dns, connect, tls) and
// then warm requests back to back on the kept-alive connection. The report compares the
// medians of each phase, cold against warm.
import {
  createWallClockAnchor,
  type ErrorClass,
  now,
  type RequestRecord,
} from '@llm-lens/core-timing';
import { PriceBook, type ProviderContext, type Transport } from '@llm-lens/providers-core';
import { ExecutorError } from './executor-error.js';
import { type BenchmarkTarget, requestInput, requestTimeouts, type ScenarioPlan } from './plan.js';
import { preloadForRun, type TokenizerChoice } from './preload.js';
import type { ExtensionRegistry } from './registry.js';
import { executeRequest } from './request-runner.js';
import { createTargets } from './targets.js';

/** What {@link measureColdStart} needs of a target: a `BenchmarkTarget` is one. */
export type ColdStartTarget = Pick<
  BenchmarkTarget,
  'provider' | 'model' | 'extraBody' | 'timeouts' | 'maxEventBytes' | 'price'
>;

/** The phases a cold-start report compares, in the order of a request's life. */
export const COLD_START_PHASES = [
  'dns',
  'connect',
  'tls',
  'send_delay',
  'ttfb',
  'ttft',
  'e2e',
] as const;

export type ColdStartPhase = (typeof COLD_START_PHASES)[number];

/** Which of a cycle's requests a record is. */
export type ColdStartKind = 'cold' | 'warm';

/** Options of {@link measureColdStart}. */
export interface ColdStartOptions {
  /**
   * Builds the transport of one cycle, with no connection open yet (a new `HttpTransport`,
   * or {@link portableTransportOpener} for a target of `createTargets`). Called once per
   * cycle and once for the warm-up; each is closed when its cycle ends. Its connections must
   * be kept alive, or every warm request is a cold one.
   */
  openTransport: () => Transport | Promise<Transport>;
  /** What to send. Default {@link DEFAULT_COLD_START_SCENARIO}. */
  scenario?: ScenarioPlan;
  /** Cycles of idle wait, one cold request, `warm` warm requests. Default 5. */
  cycles?: number;
  /** Warm requests per cycle, sent back to back after the cold one. Default 5. */
  warm?: number;
  /** Wait with no traffic before each cycle's cold request, ms. Default 0. */
  idleMs?: number;
  /**
   * Unmeasured requests sent first on a transport of their own, closed before cycle 1: the
   * process (TLS and HTTP/2 code, the adapter's paths) is then warm, so the first cold
   * request measures the connection and the server, not our own first-run costs. Default 1.
   */
  warmups?: number;
  /** Token counts when the server reports none. Default `offline`. */
  tokenizer?: TokenizerChoice;
  /** Credentials to mask in error messages. */
  secrets?: readonly string[];
  /** Hears every measured record as soon as it is built (progress, a records file). */
  onRecord?: (record: RequestRecord, sample: { cycle: number; kind: ColdStartKind }) => void;
  /** Waits `ms` milliseconds. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** One phase of a {@link ColdStartReport}: medians in milliseconds. */
export interface ColdStartPhaseStats {
  phase: ColdStartPhase;
  /** Median over the cold requests, ms; null when no cold request had the phase. */
  cold_p50_ms: number | null;
  /** Cold requests in the median. */
  cold_count: number;
  /**
   * Median over the warm requests, ms; null when no request had the phase. A warm request
   * that reused the connection paid nothing for dns, connect and tls: it counts as 0 there.
   */
  warm_p50_ms: number | null;
  /** Warm requests in the median. */
  warm_count: number;
  /** cold_p50_ms − warm_p50_ms; null when either is null. */
  penalty_ms: number | null;
}

/** One error class among a kind of request, with the first message seen. */
export interface ColdStartErrors {
  kind: ColdStartKind;
  error_class: ErrorClass;
  count: number;
  message: string;
}

/** What {@link measureColdStart} found for one target: plain data, ready for JSON. */
export interface ColdStartReport {
  provider: string;
  model: string;
  cycles: number;
  warm_per_cycle: number;
  idle_ms: number;
  /**
   * The protocol the cold requests' connections negotiated (`h2`, `http/1.1`), several joined
   * by `, ` when they differed; null when none opened a connection.
   */
  protocol: string | null;
  phases: ColdStartPhaseStats[];
  requests: {
    cold: number;
    warm: number;
    cold_failed: number;
    warm_failed: number;
    /**
     * Cold requests that did not open a connection (left out of the medians): the transport
     * was not fresh.
     */
    cold_reused: number;
    /**
     * Warm requests that opened a connection anyway (the server closed the kept-alive one);
     * they stay in the warm medians with their connection phases.
     */
    warm_reconnected: number;
  };
  errors: ColdStartErrors[];
  /** Each cycle's duration, idle wait included, ms. */
  cycle_ms: number[];
}

/** The request a cold-start measurement sends unless told otherwise: short, streamed. */
export const DEFAULT_COLD_START_SCENARIO: ScenarioPlan = Object.freeze({
  name: 'coldstart',
  prompt: 'Say hello in five words.',
  requests: 1,
  concurrency: 1,
  warmup: 0,
  stream: true,
  maxTokens: 16,
});

const NS_PER_MS = 1_000_000;

/**
 * Measures the cold-start penalty of `target`: `cycles` times, waits `idleMs`, sends one
 * request on a new connection and `warm` more on the same one, and reports each phase's
 * cold and warm medians and their difference.
 */
export async function measureColdStart(
  target: ColdStartTarget,
  options: ColdStartOptions,
): Promise<ColdStartReport> {
  const cycles = options.cycles ?? 5;
  const warm = options.warm ?? 5;
  const idleMs = options.idleMs ?? 0;
  const warmups = options.warmups ?? 1;
  checkCount('cycles', cycles, 1);
  checkCount('warm', warm, 1);
  checkCount('warmups', warmups, 0);
  if (!(Number.isFinite(idleMs) && idleMs >= 0)) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `cold start: idleMs must be a number of milliseconds >= 0, got ${idleMs}`,
    );
  }
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const scenario = options.scenario ?? DEFAULT_COLD_START_SCENARIO;
  const counters = await preloadForRun(
    [target.model],
    options.tokenizer ?? 'offline',
    scenario.stream ? [target.model] : [],
  );
  const base = {
    provider: target.provider,
    input: requestInput(target, scenario),
    scenario: scenario.name,
    anchor: createWallClockAnchor(),
    timeouts: requestTimeouts(target, scenario),
    secrets: options.secrets ?? [],
    ...(target.maxEventBytes === undefined ? {} : { maxEventBytes: target.maxEventBytes }),
  };

  if (warmups > 0) {
    const transport = await options.openTransport();
    try {
      for (let i = 0; i < warmups; i++) {
        await executeRequest({
          ...base,
          transport,
          requestId: `coldstart-warmup-${i + 1}`,
          isWarmup: true,
          scheduledNs: now(),
          tokenCounter: undefined,
        });
      }
    } finally {
      await transport.close();
    }
  }

  const measured = {
    ...base,
    isWarmup: false,
    tokenCounter: counters.get(target.model),
    ...(target.price === undefined ? {} : { price: target.price }),
  };
  const cold: RequestRecord[] = [];
  const warmRecords: RequestRecord[] = [];
  const cycleMs: number[] = [];
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const startNs = now();
    if (idleMs > 0) await sleep(idleMs);
    const transport = await options.openTransport();
    try {
      const record = await executeRequest({
        ...measured,
        transport,
        requestId: `coldstart-${cycle}-cold`,
        scheduledNs: now(),
      });
      cold.push(record);
      options.onRecord?.(record, { cycle, kind: 'cold' });
      for (let i = 1; i <= warm; i++) {
        const warmRecord = await executeRequest({
          ...measured,
          transport,
          requestId: `coldstart-${cycle}-warm-${i}`,
          scheduledNs: now(),
        });
        warmRecords.push(warmRecord);
        options.onRecord?.(warmRecord, { cycle, kind: 'warm' });
      }
    } finally {
      await transport.close();
    }
    cycleMs.push(toMs(now() - startNs));
  }
  return buildColdStartReport(target, {
    cold,
    warm: warmRecords,
    warmPerCycle: warm,
    idleMs,
    cycleMs,
  });
}

/** The report of measured records (exported for tests and for records read back from a file). */
export function buildColdStartReport(
  target: Pick<ColdStartTarget, 'provider' | 'model'>,
  measured: {
    cold: readonly RequestRecord[];
    warm: readonly RequestRecord[];
    warmPerCycle: number;
    idleMs: number;
    cycleMs: readonly number[];
  },
): ColdStartReport {
  // A cold request that reused a connection measured no connection: it is not a cold one.
  const coldOk = measured.cold.filter((r) => r.status === 'ok' && r.connection !== undefined);
  const warmOk = measured.warm.filter((r) => r.status === 'ok');
  const phases = COLD_START_PHASES.map((phase): ColdStartPhaseStats => {
    // Every cold request here opened its connection, so its samples are all durations.
    const coldSamples = samplesOf(coldOk, phase);
    const warmSamples = samplesOf(warmOk, phase);
    // dns on an IP literal, tls over plain HTTP: when no request had the phase, a reused
    // connection's "nothing paid" says nothing either.
    const happened = coldSamples.length > 0 || warmSamples.some((s) => s !== REUSED);
    const coldP50 = medianMs(coldSamples);
    const warmP50 = happened ? medianMs(warmSamples) : null;
    return {
      phase,
      cold_p50_ms: coldP50,
      cold_count: coldSamples.length,
      warm_p50_ms: warmP50,
      warm_count: happened ? warmSamples.length : 0,
      penalty_ms: coldP50 === null || warmP50 === null ? null : roundMs(coldP50 - warmP50),
    };
  });
  const protocols = [
    ...new Set(
      measured.cold.flatMap((r) =>
        r.connection?.protocol === undefined ? [] : [r.connection.protocol],
      ),
    ),
  ];
  return {
    provider: target.provider.name,
    model: target.model,
    cycles: measured.cold.length,
    warm_per_cycle: measured.warmPerCycle,
    idle_ms: measured.idleMs,
    protocol: protocols.length === 0 ? null : protocols.join(', '),
    phases,
    requests: {
      cold: measured.cold.length,
      warm: measured.warm.length,
      cold_failed: measured.cold.filter((r) => r.status !== 'ok').length,
      warm_failed: measured.warm.filter((r) => r.status !== 'ok').length,
      cold_reused: measured.cold.filter((r) => r.status === 'ok' && r.connection === undefined)
        .length,
      warm_reconnected: warmOk.filter((r) => r.connection !== undefined).length,
    },
    errors: [...errorsOf(measured.cold, 'cold'), ...errorsOf(measured.warm, 'warm')],
    cycle_ms: [...measured.cycleMs],
  };
}

/**
 * Opens fresh transports for a target of `createTargets`: each call builds its provider
 * entry again from `target.portable` (adapter, interceptors, TLS and `http2` settings, as a
 * worker thread does), with `connection_mode: keep-alive`, so nothing is connected yet and
 * warm requests reuse the cold request's connection. Closing the transport closes what the
 * build started.
 */
export function portableTransportOpener(
  target: Pick<BenchmarkTarget, 'provider' | 'model' | 'portable'>,
  registry: ExtensionRegistry,
  context: Partial<ProviderContext> = {},
): () => Promise<Transport> {
  const portable = target.portable;
  if (portable === undefined) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `the target ${target.provider.name}/${target.model} cannot be rebuilt for a cold start: build targets with createTargets (which records each provider's type and settings), or pass openTransport`,
    );
  }
  // Loaded once: a build per cycle would read the price catalog every time.
  const prices = PriceBook.withCatalog();
  const settings = {
    ...portable.settings,
    type: portable.type,
    name: target.provider.name,
    models: [target.model],
    connection_mode: 'keep-alive',
  };
  return async () => {
    const resolved = await createTargets([settings], registry, {
      ...(context.env === undefined ? {} : { env: context.env }),
      ...(context.baseDir === undefined ? {} : { baseDir: context.baseDir }),
      prices,
    });
    const transport = resolved.targets[0]!.transport;
    const fresh: Transport = {
      send: (spec, sink) => transport.send(spec, sink),
      close: () => resolved.close(),
    };
    return fresh;
  };
}

/** A connection phase of a request that reused its connection: it cost nothing (0 in a median). */
const REUSED = Symbol('reused');

type Sample = bigint | typeof REUSED;

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `cold start: ${name} must be a whole number >= ${min}, got ${value}`,
    );
  }
}

/**
 * A request's duration of a phase, ns; REUSED for a connection phase of a request that reused
 * its connection; undefined when the phase did not happen.
 */
function phaseNs(record: RequestRecord, phase: ColdStartPhase): Sample | undefined {
  switch (phase) {
    case 'dns':
      return record.connection === undefined ? REUSED : record.connection.dnsNs;
    case 'connect':
      return record.connection === undefined ? REUSED : record.connection.connectNs;
    case 'tls':
      return record.connection === undefined ? REUSED : record.connection.tlsNs;
    case 'send_delay':
      return record.sendDelayNs;
    case 'ttfb':
      return record.ttfbNs;
    case 'ttft':
      return record.ttftNs;
    case 'e2e':
      return record.e2eNs;
  }
}

function samplesOf(records: readonly RequestRecord[], phase: ColdStartPhase): Sample[] {
  const samples: Sample[] = [];
  for (const record of records) {
    const value = phaseNs(record, phase);
    if (value !== undefined) samples.push(value);
  }
  return samples;
}

/** Median in ms, rounded to µs; null for no samples. */
function medianMs(samples: readonly Sample[]): number | null {
  if (samples.length === 0) return null;
  const sorted = samples
    .map((s) => (s === REUSED ? 0n : s))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? toMs(sorted[mid]!)
      : (toMs(sorted[mid - 1]!) + toMs(sorted[mid]!)) / 2;
  return roundMs(median);
}

function toMs(ns: bigint): number {
  return Number(ns) / NS_PER_MS;
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function errorsOf(records: readonly RequestRecord[], kind: ColdStartKind): ColdStartErrors[] {
  const byClass = new Map<ErrorClass, ColdStartErrors>();
  for (const record of records) {
    if (record.status === 'ok' || record.errorClass === undefined) continue;
    const seen = byClass.get(record.errorClass);
    if (seen !== undefined) seen.count += 1;
    else {
      byClass.set(record.errorClass, {
        kind,
        error_class: record.errorClass,
        count: 1,
        message: record.errorMessage ?? '',
      });
    }
  }
  return [...byClass.values()];
}
