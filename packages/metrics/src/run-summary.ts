import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { GroupSummary } from './aggregator.js';
import type { RunFidelity } from './fidelity.js';
import { MetricsError } from './metrics-error.js';
import type { RepeatReport } from './repeats.js';
import type { ResilienceSummary } from './resilience-summary.js';
import type { SweepReport } from './sweep.js';

/** Everything a run produced, in the shape every summary exporter writes. */
export interface RunSummary {
  schema_version: 2;
  run: {
    /** Unique per run (a UUID unless the caller chose one): names its files and joins its outputs. */
    run_id: string;
    tool_version: string;
    /** ISO 8601, UTC. */
    started_at: string;
    ended_at: string;
    config_hash: string;
    node_version: string;
    cpu_count: number;
    platform: string;
  };
  complete: boolean;
  fidelity: RunFidelity;
  groups: GroupSummary[];
  /** One report per swept scenario × provider/model: its levels, knee and best level. */
  sweeps: SweepReport[];
  /**
   * What the server's own Prometheus endpoint said during the run (`--server-metrics`; the
   * report of `@llm-lens/server-metrics`), null when it was not scraped.
   */
  server_metrics: Readonly<Record<string, unknown>> | null;
  /**
   * What the client-side policies did (retries' limits, rate limits, circuit breakers, the
   * budget of `--max-cost`); null when the run had none.
   */
  resilience: ResilienceSummary | null;
  /**
   * `--repeat K`: each statistic of each group across the K runs, with its spread and a
   * 95 % confidence interval; null for a single run. `groups` then pools every repeat's
   * requests.
   */
  repeats: RepeatReport | null;
  /**
   * The run's checks: thresholds (`--threshold`), the comparison with a baseline and its
   * regression checks (`--baseline`, `--regression`), as `@llm-lens/gates` reports them;
   * null when the run had none.
   */
  gates: Readonly<Record<string, unknown>> | null;
}

export interface RunSummaryInput {
  /** Default a new random UUID. */
  runId?: string;
  toolVersion: string;
  /** Hash of the resolved configuration, so two summaries can be told comparable. */
  configHash: string;
  /** Run start and end: ISO 8601 text, epoch milliseconds or a Date; written as ISO UTC. */
  startedAt: string | number | Date;
  endedAt: string | number | Date;
  /** Default `process.version`. */
  nodeVersion?: string;
  /** Default `os.availableParallelism()`. */
  cpuCount?: number;
  /** Default `process.platform`. */
  platform?: string;
  /** False when the run was interrupted. */
  complete: boolean;
  fidelity: RunFidelity;
  groups: GroupSummary[];
  /** Default none. */
  sweeps?: SweepReport[];
  /** Default null. */
  serverMetrics?: Readonly<Record<string, unknown>> | null;
  /** Default null. */
  resilience?: ResilienceSummary | null;
  /** Default null. */
  repeats?: RepeatReport | null;
}

/** Assembles the RunSummary written by every summary exporter. */
export function buildRunSummary(input: RunSummaryInput): RunSummary {
  return {
    schema_version: 2,
    run: {
      run_id: input.runId ?? randomUUID(),
      tool_version: input.toolVersion,
      started_at: toIsoString(input.startedAt, 'startedAt'),
      ended_at: toIsoString(input.endedAt, 'endedAt'),
      config_hash: input.configHash,
      node_version: input.nodeVersion ?? process.version,
      cpu_count: input.cpuCount ?? availableParallelism(),
      platform: input.platform ?? process.platform,
    },
    complete: input.complete,
    fidelity: {
      ...input.fidelity,
      threads: input.fidelity.threads.map((t) => ({ ...t })),
      warnings: [...input.fidelity.warnings],
    },
    groups: input.groups,
    sweeps: input.sweeps ?? [],
    server_metrics: input.serverMetrics ?? null,
    resilience: input.resilience ?? null,
    repeats: input.repeats ?? null,
    gates: null,
  };
}

function toIsoString(time: string | number | Date, field: string): string {
  const date = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(date.getTime())) {
    throw new MetricsError(
      'LENS_METRICS_VALUE_INVALID',
      `buildRunSummary: ${field} ${JSON.stringify(String(time))} is not a time; pass ISO 8601 text, epoch milliseconds or a Date`,
    );
  }
  return date.toISOString();
}
