import { availableParallelism } from 'node:os';
import {
  DEFAULT_CLIENT_BOUND_P99_MS,
  type EventLoopSnapshot,
  isClientBound,
} from '@llm-lens/core-timing';
import type { GroupFidelity, GroupSummary } from './aggregator.js';
import { round3 } from './histogram.js';
import { MetricsError } from './metrics-error.js';

/** Whether the run measured the API or its own process, with the reasons in words. */
export interface RunFidelity extends GroupFidelity {
  warnings: string[];
}

/** Everything a run produced, in the shape every summary exporter writes. */
export interface RunSummary {
  schema_version: 1;
  run: {
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
}

export interface FidelityOptions {
  /** Event-loop delay p99 above which the run is client-bound, ms. Default 5. */
  thresholdP99Ms?: number;
  /**
   * True when the schedule fell behind (arrivals dispatched late because the client could
   * not keep up); marks the run client-bound as well. Default false.
   */
  isBehindSchedule?: boolean;
  /** Further warnings to carry into the summary, in order. Default none. */
  warnings?: string[];
}

/** The run's fidelity block from the event-loop monitor's snapshot and schedule lag. */
export function buildFidelity(
  eventLoop: EventLoopSnapshot,
  options: FidelityOptions = {},
): RunFidelity {
  const threshold = options.thresholdP99Ms ?? DEFAULT_CLIENT_BOUND_P99_MS;
  const isLoopBound = isClientBound(eventLoop, threshold);
  const warnings: string[] = [];
  if (isLoopBound) {
    warnings.push(
      `event-loop delay p99 was ${round3(eventLoop.p99Ms)} ms (threshold ${threshold} ms): latencies include time this process was busy; lower the concurrency or use more worker threads`,
    );
  }
  if (options.isBehindSchedule === true) {
    warnings.push(
      'the client fell behind its send schedule: compare e2e_from_schedule with e2e, and lower the rate or add workers',
    );
  }
  warnings.push(...(options.warnings ?? []));
  return {
    event_loop_delay_p99_ms: round3(eventLoop.p99Ms),
    event_loop_delay_max_ms: round3(eventLoop.maxMs),
    client_bound: isLoopBound || options.isBehindSchedule === true,
    warnings,
  };
}

export interface RunSummaryInput {
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
}

/** Assembles the RunSummary written by every summary exporter. */
export function buildRunSummary(input: RunSummaryInput): RunSummary {
  return {
    schema_version: 1,
    run: {
      tool_version: input.toolVersion,
      started_at: toIsoString(input.startedAt, 'startedAt'),
      ended_at: toIsoString(input.endedAt, 'endedAt'),
      config_hash: input.configHash,
      node_version: input.nodeVersion ?? process.version,
      cpu_count: input.cpuCount ?? availableParallelism(),
      platform: input.platform ?? process.platform,
    },
    complete: input.complete,
    fidelity: { ...input.fidelity, warnings: [...input.fidelity.warnings] },
    groups: input.groups,
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
