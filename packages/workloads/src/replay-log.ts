// Replaying production traffic: a JSONL log of requests (timestamp, prompt or messages, max
// tokens, model) sent again with the original gaps between them, scaled by a time scale.
import { basename } from 'node:path';
import { positiveInt, positiveNumber, strictObject, text, z } from '@llm-lens/config-fields';
import { openDataFile, readLines } from './data-file.js';
import { fileRecordSchema, itemOfRecord, recordOf } from './prompt-record.js';
import { checkIndex, type PromptItem, type PromptSet } from './prompt-set.js';
import { countOf } from './source-settings.js';
import { TIMESTAMP_FORMS, timestampMs } from './timestamp.js';
import { WorkloadError } from './workload-error.js';
import { parseJsonLine, throwRecordError } from './zod-issues.js';

/** One request of a replay, when to send it and what. */
export interface ReplayEntry {
  /** When to send it, ms after the first entry, the time scale applied. */
  offsetMs: number;
  item: PromptItem;
}

/** A loaded replay log, in time order. */
export interface ReplayLog {
  /** One line for the console and the summary. */
  readonly description: string;
  readonly entries: readonly ReplayEntry[];
  /** Offset of the last entry, ms (0 for a single entry). */
  readonly durationMs: number;
  /** Lines whose timestamp was earlier than a line before them; the log was sorted. */
  readonly reorderedLines: number;
}

/** Options of {@link loadReplayLog}. */
export interface ReplayLogOptions {
  /** Speed-up of the replay: 2 sends twice as fast (gaps halved). Default 1. */
  timeScale?: number;
  /** Directory a relative `path` is resolved against; default the working directory. */
  baseDir?: string;
  /** Keep only the first this many lines of the file (before sorting). */
  maxEntries?: number;
  /** The setting that named the file, for messages; default `replay.path`. */
  field?: string;
}

/** A `replay: {path, time_scale?, max_entries?}` section of a config. */
export interface ReplayConfig {
  path: string;
  time_scale: number;
  max_entries?: number;
}

/** The zod schema of a replay section. */
export const replayConfigSchema = strictObject(
  {
    path: text('a file path'),
    time_scale: positiveNumber('a number > 0 (2 replays twice as fast)').default(1),
    max_entries: positiveInt().optional(),
  },
  'an object {path, time_scale?, max_entries?}',
).transform((config): ReplayConfig => {
  const out: ReplayConfig = { path: config.path, time_scale: config.time_scale };
  if (config.max_entries !== undefined) out.max_entries = config.max_entries;
  return out;
});

const lineSchema = fileRecordSchema({
  timestamp: z.unknown().optional(),
  model: text('a non-empty model name').optional(),
});

const LINE_HINT =
  'each line must be one JSON object such as {"timestamp": "2025-03-01T12:00:00Z", "prompt": "...", "max_tokens": 128, "model": "gpt-4o"}';

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * Reads a replay log. Lines out of time order are accepted and sorted (stable: equal times
 * keep file order); how many were out of order is reported. Throws WorkloadError naming
 * file and line for a malformed line.
 */
export async function loadReplayLog(
  path: string,
  options: ReplayLogOptions = {},
): Promise<ReplayLog> {
  const timeScale = options.timeScale ?? 1;
  if (!(Number.isFinite(timeScale) && timeScale > 0)) {
    throw new WorkloadError(
      'LENS_WORKLOAD_INVALID',
      `time_scale: must be a number > 0 (2 replays twice as fast), got ${timeScale}`,
      {
        field: 'time_scale',
      },
    );
  }
  const field = options.field ?? 'replay.path';
  const file = await openDataFile(path, options.baseDir ?? process.cwd(), field);
  const name = basename(file.name);
  const read: { atMs: number; line: number; item: PromptItem }[] = [];
  let latestMs = Number.NEGATIVE_INFINITY;
  let reorderedLines = 0;
  for await (const { text: lineText, line } of readLines(file)) {
    if (lineText.trim() === '') continue;
    const value = parseJsonLine(lineText, file.name, line, LINE_HINT);
    const parsed = lineSchema.safeParse(value);
    if (!parsed.success) throwRecordError(parsed.error, file.name, line, 'invalid replay record');
    const fields = parsed.data as Record<string, unknown>;
    const atMs = timestampMs(fields.timestamp);
    if (atMs === undefined) {
      const problem =
        fields.timestamp === undefined
          ? 'is required'
          : `is not a timestamp (got ${JSON.stringify(fields.timestamp)})`;
      throw new WorkloadError(
        'LENS_WORKLOAD_PARSE',
        `${file.name}:${line}: timestamp ${problem}; use ${TIMESTAMP_FORMS}`,
        {
          file: file.name,
          line,
          field: 'timestamp',
        },
      );
    }
    if (atMs < latestMs) reorderedLines++;
    else latestMs = atMs;
    const record = recordOf(fields);
    let item = itemOfRecord(record, `${name}:${line}`);
    if (typeof fields.model === 'string') item = Object.freeze({ ...item, model: fields.model });
    read.push({ atMs, line, item });
    if (read.length === options.maxEntries) break;
  }
  if (read.length === 0) {
    throw new WorkloadError(
      'LENS_WORKLOAD_EMPTY',
      `${file.name}: the replay log has no request; ${LINE_HINT}`,
      {
        file: file.name,
        field,
      },
    );
  }
  // Array.prototype.sort is stable: requests logged at the same time keep their file order.
  if (reorderedLines > 0) read.sort((a, b) => a.atMs - b.atMs);
  const firstMs = read[0]!.atMs;
  const entries = read.map(
    ({ atMs, item }): ReplayEntry =>
      Object.freeze({ offsetMs: (atMs - firstMs) / timeScale, item }),
  );
  const durationMs = entries[entries.length - 1]!.offsetMs;
  const notes = [`over ${formatDuration(durationMs)}`];
  if (timeScale !== 1)
    notes.push(`time scale ${timeScale}: ${formatDuration(durationMs * timeScale)} as recorded`);
  if (reorderedLines > 0)
    notes.push(`${countOf(reorderedLines, 'line')} out of time order, sorted`);
  if (options.maxEntries !== undefined && read.length === options.maxEntries) {
    notes.push(`the first ${countOf(read.length, 'line')} of the file`);
  }
  return {
    description: `replay: ${countOf(entries.length, 'request')} from ${file.name} (${notes.join('; ')})`,
    entries,
    durationMs,
    reorderedLines,
  };
}

/** The log's requests as a prompt set, in time order (for running them at another pace). */
export function replayPromptSet(log: ReplayLog): PromptSet {
  return {
    description: log.description,
    size: log.entries.length,
    at(index) {
      checkIndex(index);
      return log.entries[index % log.entries.length]!.item;
    },
  };
}
