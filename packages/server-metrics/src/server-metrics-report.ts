import type { ServerKind, ServerMetricRole } from './known-metrics.js';
import type { RawMetricReport, RoleReport } from './metrics-recorder.js';

/** Why a scrape failed. */
export const SCRAPE_FAILURE_KINDS = [
  /** Nothing listens on the host and port. */
  'refused',
  /** No complete answer within `timeoutMs`. */
  'timeout',
  /** An answer other than 200. */
  'http_status',
  /** A 200 whose media type or body is not Prometheus / OpenMetrics text. */
  'not_prometheus',
  /** A body above `maxBodyBytes`. */
  'too_large',
  /** Any other failure: unknown host, reset, TLS. */
  'network',
] as const;

export type ScrapeFailureKind = (typeof SCRAPE_FAILURE_KINDS)[number];

/** How the scrapes went. A failed scrape never fails the run: it is counted here. */
export interface ScrapeStats {
  attempts: number;
  succeeded: number;
  failed: number;
  failures: Record<ScrapeFailureKind, number>;
  /** The first failure's message (`GET http://…/metrics: connection refused …`). */
  first_error: string | null;
  /** Lines of successful scrapes that could not be read and were left out. */
  skipped_lines: number;
  /** Why the first of them was left out. */
  first_skipped_line: string | null;
  /** Label sets not kept because `maxSeries` was reached. */
  dropped_series: number;
  /** From sending a scrape to having recorded it (failed ones included). */
  duration_ms: { mean: number; max: number } | null;
}

/**
 * What the server said about itself during the run, beside the client's RunSummary.
 * Plain JSON data: times are ms since the scrape started (`t` of every `[t, value]` point),
 * histogram roles are in ms, NaN and infinities are null.
 */
export interface ServerMetricsReport {
  /** The scraped URL, without credentials or query values. */
  url: string;
  /** Recognised from the metric names; null for a server of another kind. */
  server: ServerKind | null;
  interval_ms: number;
  /** ISO 8601, UTC. */
  started_at: string;
  ended_at: string;
  /**
   * The start on both clocks, to put the series beside the client's records: a point at
   * `t` was scraped at monotonic `start_monotonic_ms + t` (core-timing's clock, in ms).
   */
  clock: { start_wall_ms: number; start_monotonic_ms: number };
  /** First to last successful scrape; null with none. */
  window_s: number | null;
  /** `[t, wall-clock epoch ms]` of each successful scrape (thinned like every series). */
  scrape_times: [number, number][];
  scrapes: ScrapeStats;
  /** The common roles, whatever the server calls them; null when it exposes no source of one. */
  roles: Record<ServerMetricRole, RoleReport | null>;
  /** Every kept family under its own name (counters with `_total`), per label set. */
  metrics: Record<string, RawMetricReport>;
}

/** The few numbers a console line shows. */
export interface ServerView {
  server: ServerKind | null;
  peak_running: number | null;
  peak_waiting: number | null;
  /** 0..1. */
  max_kv_cache_usage: number | null;
  server_ttft_p50_ms: number | null;
  server_ttft_p95_ms: number | null;
  scrapes_failed: number;
  first_error: string | null;
}

function gaugeMax(role: RoleReport | null): number | null {
  return role?.kind === 'gauge' ? role.max : null;
}

/** The console's summary of a report: peaks of the gauges and the server-side TTFT. */
export function serverView(report: ServerMetricsReport): ServerView {
  const ttft = report.roles.server_ttft;
  return {
    server: report.server,
    peak_running: gaugeMax(report.roles.running),
    peak_waiting: gaugeMax(report.roles.waiting),
    max_kv_cache_usage: gaugeMax(report.roles.kv_cache_usage),
    server_ttft_p50_ms: ttft?.kind === 'histogram' ? ttft.p50 : null,
    server_ttft_p95_ms: ttft?.kind === 'histogram' ? ttft.p95 : null,
    scrapes_failed: report.scrapes.failed,
    first_error: report.scrapes.first_error,
  };
}
