import type { RunSummary } from '@llm-lens/metrics';
import { HistoryError } from './history-error.js';
import type { MachineFacts } from './machine-facts.js';

/** One stored run: what identifies and labels it, where it ran, and its summary. */
export interface HistoryEntry {
  /** The summary's `run.run_id`. */
  id: string;
  /** When the run was saved, ISO 8601 UTC. */
  saved_at: string;
  /** The summary's `run.started_at`, ISO 8601 UTC. */
  started_at: string;
  /** A label for people (`nightly`, `before-upgrade`); null when none was given. */
  name: string | null;
  /** Labels to select runs by (`main`, `release-1.4`), sorted, without duplicates. */
  tags: string[];
  config_hash: string;
  tool_version: string;
  /** The commit of the code under test (or of the benchmark config), when given. */
  git_commit: string | null;
  machine: MachineFacts;
  summary: RunSummary;
  /** Whether the run's per-request records were saved with it (read them with `records(id)`). */
  has_records: boolean;
}

/** What `save` takes: an entry, less what the store decides. */
export type NewHistoryEntry = Omit<HistoryEntry, 'saved_at' | 'has_records'> & {
  /** Default now. */
  saved_at?: string;
};

export interface HistoryEntryOptions {
  /** Default null. */
  name?: string | null;
  /** Default none. */
  tags?: readonly string[];
  /** Default null. */
  gitCommit?: string | null;
  machine: MachineFacts;
}

/** An entry for a finished run: id, start, config hash and tool version from its summary. */
export function historyEntryFromSummary(
  summary: RunSummary,
  options: HistoryEntryOptions,
): NewHistoryEntry {
  return {
    id: summary.run.run_id,
    started_at: summary.run.started_at,
    name: options.name ?? null,
    tags: normalizeTags(options.tags ?? []),
    config_hash: summary.run.config_hash,
    tool_version: summary.run.tool_version,
    git_commit: options.gitCommit ?? null,
    machine: { ...options.machine },
    summary,
  };
}

/** Tags sorted and deduplicated; an empty or non-string tag is an error. */
export function normalizeTags(tags: readonly string[]): string[] {
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag.trim() === '') {
      throw new HistoryError(
        'LENS_HISTORY_VALUE_INVALID',
        `history: tag ${JSON.stringify(tag)} is not valid; a tag is non-empty text such as "main" or "nightly"`,
      );
    }
  }
  return [...new Set(tags.map((tag) => tag.trim()))].sort();
}

/** `time` as ISO 8601 UTC; `field` names it in the error when it is not a time. */
export function toIsoTime(time: string | number | Date, field: string): string {
  const date = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(date.getTime())) {
    throw new HistoryError(
      'LENS_HISTORY_VALUE_INVALID',
      `history: ${field} ${JSON.stringify(String(time))} is not a time; give ISO 8601 text (2026-01-31T12:00:00Z), epoch milliseconds or a Date`,
    );
  }
  return date.toISOString();
}

/** Checks an entry before it is written, naming the first field that is wrong. */
export function validateNewEntry(entry: NewHistoryEntry): void {
  const invalid = (field: string, valid: string): never => {
    throw new HistoryError(
      'LENS_HISTORY_VALUE_INVALID',
      `history: cannot save run ${JSON.stringify(entry.id)}: ${field} is not valid; ${valid}`,
    );
  };
  if (typeof entry.id !== 'string' || entry.id === '')
    invalid('id', 'it is the run id, non-empty text');
  if (entry.summary?.run?.run_id !== entry.id) {
    invalid(
      'id',
      `it must equal the summary's run.run_id (${JSON.stringify(entry.summary?.run?.run_id)})`,
    );
  }
  if (!Array.isArray(entry.summary.groups))
    invalid('summary.groups', 'it is the array of group summaries');
  if (typeof entry.config_hash !== 'string') invalid('config_hash', 'it is text');
  if (typeof entry.tool_version !== 'string') invalid('tool_version', 'it is text');
  if (entry.name !== null && typeof entry.name !== 'string') invalid('name', 'it is text or null');
  if (entry.git_commit !== null && typeof entry.git_commit !== 'string') {
    invalid('git_commit', 'it is text or null');
  }
  const machine = entry.machine;
  if (
    machine === null ||
    typeof machine !== 'object' ||
    typeof machine.hostname !== 'string' ||
    typeof machine.platform !== 'string' ||
    typeof machine.cpu_model !== 'string' ||
    !Number.isInteger(machine.cpu_count) ||
    typeof machine.node_version !== 'string'
  ) {
    invalid('machine', 'pass machineFacts() or an object with the same fields');
  }
}
