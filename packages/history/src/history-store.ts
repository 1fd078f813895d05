import type { RequestRecord } from '@llm-lens/core-timing';
import type { TrendMetric } from './group-columns.js';
import type { HistoryEntry, NewHistoryEntry } from './history-entry.js';
import type { HistoryBackendName } from './sql-backend.js';

/** A time bound: ISO 8601 text, epoch milliseconds or a Date. */
export type TimeBound = string | number | Date;

/** Which runs `list` returns; every given filter must hold. */
export interface ListQuery {
  /** Runs with a group of this provider (and of `model`, `scenario` when given, in the same group). */
  provider?: string;
  model?: string;
  scenario?: string;
  /** Runs carrying this tag. */
  tag?: string;
  /** Runs started at or after this time. */
  since?: TimeBound;
  /** At most this many runs, the latest first. Default all. */
  limit?: number;
}

/** Which run `latest` returns: the last started that matches. */
export type LatestQuery = Omit<ListQuery, 'limit' | 'since'>;

/** One statistic over time; filters as in {@link ListQuery}. */
export interface TrendQuery extends Omit<ListQuery, 'limit'> {
  /** `ttft.p95`, `e2e.p50`, `success_rate`, ...: see TREND_METRICS. */
  metric: TrendMetric;
}

/** The value of a trend's statistic in one group of one run. */
export interface TrendPoint {
  run_id: string;
  started_at: string;
  /** Null when the group had no such value (no successful request, no price). */
  value: number | null;
  tags: string[];
  provider: string;
  model: string;
  scenario: string;
}

export interface SaveOptions {
  /** The run's per-request records, stored gzip'd with it. Default none. */
  records?: Iterable<RequestRecord> | AsyncIterable<RequestRecord>;
  /** Replace a stored run with the same id instead of failing. Default false. */
  replace?: boolean;
}

/** Finished runs, stored so later runs can be compared with them. */
export interface HistoryStore {
  /** `sqlite-node`, `sqlite-wasm` or `postgres`. */
  readonly backend: HistoryBackendName;
  /** The database file, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** Stores a run; fails with LENS_HISTORY_RUN_EXISTS when its id is stored (unless `replace`). */
  save(entry: NewHistoryEntry, options?: SaveOptions): Promise<HistoryEntry>;
  /** Stored runs, the latest started first. */
  list(query?: ListQuery): Promise<HistoryEntry[]>;
  /** The run with this id, or the only one whose id starts with it. */
  get(idOrPrefix: string): Promise<HistoryEntry>;
  /** The last started run that matches, or undefined. */
  latest(query?: LatestQuery): Promise<HistoryEntry | undefined>;
  /** Deletes the run (and its records); resolves to its full id. */
  delete(idOrPrefix: string): Promise<string>;
  /** The metric in each matching group of each matching run, oldest run first. */
  trend(query: TrendQuery): Promise<TrendPoint[]>;
  /** The run's stored records, or undefined when it was saved without them. */
  records(idOrPrefix: string): Promise<AsyncIterable<RequestRecord> | undefined>;
  close(): Promise<void>;
}
