export type { TrendMetric } from './group-columns.js';
export { TREND_METRICS } from './group-columns.js';
export type { HistoryEntry, HistoryEntryOptions, NewHistoryEntry } from './history-entry.js';
export { historyEntryFromSummary } from './history-entry.js';
export type { HistoryErrorCode } from './history-error.js';
export { HistoryError } from './history-error.js';
export type {
  HistoryStore,
  LatestQuery,
  ListQuery,
  SaveOptions,
  TimeBound,
  TrendPoint,
  TrendQuery,
} from './history-store.js';
export type { LockFileOptions } from './lock-file.js';
export { DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STALE_LOCK_MS } from './lock-file.js';
export type { MachineFacts } from './machine-facts.js';
export { machineFacts } from './machine-facts.js';
export type { OpenHistoryOptions } from './open-history.js';
export { defaultHistoryPath, openHistory } from './open-history.js';
export { SCHEMA_VERSION } from './schema-migrations.js';
export type { HistoryBackendName } from './sql-backend.js';
export type { SqliteDriverName } from './sqlite-driver.js';
export { availableSqliteDrivers } from './sqlite-driver.js';
