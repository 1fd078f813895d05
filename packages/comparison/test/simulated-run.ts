// Records drawn from the simulator's own latency model (@llm-lens/providers-mock): the same
// LatencySpec forms and SeededRandom, with the draws done as its latency-spec sampler does
// them (that sampler is internal to the package).
import { type RequestRecord, tpotNs } from '@llm-lens/core-timing';
import { Aggregator, buildFidelity, buildRunSummary, type RunSummary } from '@llm-lens/metrics';
import { type LatencySpec, parseLatencySpec, SeededRandom } from '@llm-lens/providers-mock';
import { collectRunSamples, type RunSamples } from '../src/index.js';

export interface SimulatedRunOptions {
  seed: number;
  requests: number;
  /** As on the simulator's command line, e.g. `lognormal:200,0.3`. */
  ttft: string;
  itl: string;
  outputTokens: number;
  /** Share of requests that fail (drawn per request). Default 0. */
  errorRate?: number;
  /** Multiplies every TTFT (1.1 for a 10 % slower first token). Default 1. */
  ttftScale?: number;
  /** Cost of each succeeded request, USD; absent: unpriced. */
  costUsd?: number;
  provider?: string;
  model?: string;
  scenario?: string;
  /** Requests sent concurrently (sets the window and so the throughput). Default 8. */
  concurrency?: number;
}

export function drawMs(spec: LatencySpec, random: SeededRandom): number {
  if (typeof spec === 'number') return spec;
  switch (spec.distribution) {
    case 'fixed':
      return spec.ms;
    case 'normal':
      return Math.max(0, spec.meanMs + spec.stdevMs * random.nextStandardNormal());
    case 'lognormal':
      return Math.exp(Math.log(spec.medianMs) + spec.sigma * random.nextStandardNormal());
  }
}

/** One run's records, deterministic for its options. */
export function simulatedRecords(options: SimulatedRunOptions): RequestRecord[] {
  const random = new SeededRandom(options.seed);
  const ttft = parseLatencySpec(options.ttft);
  const itl = parseLatencySpec(options.itl);
  const concurrency = options.concurrency ?? 8;
  const slotFreeAtMs = new Array<number>(concurrency).fill(1_700_000_000_000);
  const records: RequestRecord[] = [];
  for (let i = 0; i < options.requests; i++) {
    const slot = i % concurrency;
    const startedAtMs = slotFreeAtMs[slot]!;
    const base = {
      requestId: `r-${i}`,
      provider: options.provider ?? 'sim',
      model: options.model ?? 'mock-model',
      scenario: options.scenario ?? 'chat',
      isWarmup: false,
      startedAtMs,
      dispatchNs: 0n,
      queueNs: 0n,
    };
    if (random.next() < (options.errorRate ?? 0)) {
      records.push({
        ...base,
        status: 'error',
        errorClass: 'server_error',
        e2eNs: 5_000_000n,
        tokenEventOffsetsNs: new Float64Array(0),
        tokenEventTokens: new Uint32Array(0),
      });
      slotFreeAtMs[slot] = startedAtMs + 5;
      continue;
    }
    const offsets = new Float64Array(options.outputTokens);
    let at = drawMs(ttft, random) * (options.ttftScale ?? 1) * 1e6;
    offsets[0] = Math.round(at);
    for (let t = 1; t < options.outputTokens; t++) {
      at += drawMs(itl, random) * 1e6;
      offsets[t] = Math.round(at);
    }
    const e2eNs = BigInt(offsets[options.outputTokens - 1]! + 1_000_000);
    const tpot = tpotNs(offsets, offsets.length, options.outputTokens);
    const record: RequestRecord = {
      ...base,
      status: 'ok',
      ttftNs: BigInt(offsets[0]!),
      e2eNs,
      outputTokens: options.outputTokens,
      tokenCountSource: 'server_usage',
      tokenEventOffsetsNs: offsets,
      tokenEventTokens: new Uint32Array(options.outputTokens).fill(1),
    };
    if (tpot !== undefined) record.tpotNs = BigInt(Math.round(tpot));
    if (options.costUsd !== undefined) record.costUsd = options.costUsd;
    records.push(record);
    slotFreeAtMs[slot] = startedAtMs + Number(e2eNs) / 1e6;
  }
  return records;
}

/** The records folded into RunSamples, as the CLI would stream them. */
export function samplesOf(records: readonly RequestRecord[], runId: string): RunSamples {
  const collector = collectRunSamples({ runId });
  for (const r of records) collector.add(r);
  return collector.finish();
}

/** The records' RunSummary, as a finished run writes it. */
export function summaryOf(records: readonly RequestRecord[], runId: string): RunSummary {
  const aggregator = new Aggregator();
  for (const r of records) aggregator.add(r);
  const fidelity = buildFidelity([]);
  return buildRunSummary({
    runId,
    toolVersion: '0.1.0',
    configHash: 'test',
    startedAt: 0,
    endedAt: 1,
    complete: true,
    fidelity,
    groups: aggregator.summarize({ complete: true, fidelity }),
  });
}
