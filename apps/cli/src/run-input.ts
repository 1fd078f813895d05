import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { RequestRecord } from '@llm-lens/core-timing';
import { readRecordsJsonl } from '@llm-lens/exporters-json';
import {
  Aggregator,
  buildFidelity,
  buildRunSummary,
  type RecordSink,
  type RunSummary,
} from '@llm-lens/metrics';
import { CliError } from './cli-error.js';
import { readRunRecords, runFileKind } from './run-file.js';
import { TOOL_VERSION } from './version.js';

/** What `--input` files hold: a finished run's summary, its records, or both. */
export interface RunInput {
  /** The summary file given, if any (else the summary is rebuilt from the records). */
  summaryPath: string | undefined;
  /** The file records come from, if any. */
  recordsPath: string | undefined;
  /** The first input, whose name the default output takes after. */
  firstPath: string;
}

const RECORD_EXTENSIONS = ['.jsonl', '.ndjson'];

/**
 * Sorts `--input` files into a summary (`.json`: the summary `benchmark --output` writes, or
 * the run file `.msgpack`, which holds both) and records (`.jsonl`, or the run file). At
 * most one of each; a file of another kind is a usage error naming it.
 */
export function classifyInputs(paths: readonly string[], flag = '--input'): RunInput {
  if (paths.length === 0) {
    throw new CliError(
      `${flag}: name the run to read: a summary (.json), records (.jsonl) or a run file (.msgpack); repeat --input to give a summary and its records`,
    );
  }
  let summaryPath: string | undefined;
  let recordsPath: string | undefined;
  for (const path of paths) {
    try {
      if (!statSync(path).isFile()) throw new Error('not a file');
    } catch {
      throw new CliError(`${flag}: ${path} does not exist or is not a file`);
    }
    const lower = path.toLowerCase();
    const kind = runFileKind(path)
      ? 'both'
      : RECORD_EXTENSIONS.some((e) => lower.endsWith(e))
        ? 'records'
        : lower.endsWith('.json')
          ? 'summary'
          : undefined;
    if (kind === undefined) {
      throw new CliError(
        `${flag}: cannot tell what ${path} holds from its name; give a summary (.json), records (${RECORD_EXTENSIONS.join(', ')}) or a run file (.msgpack)`,
      );
    }
    if (kind !== 'records') {
      if (summaryPath !== undefined) {
        throw new CliError(`${flag}: ${summaryPath} and ${path} are both summaries; give one`);
      }
      summaryPath = path;
    }
    if (kind !== 'summary') {
      if (recordsPath !== undefined) {
        throw new CliError(`${flag}: ${recordsPath} and ${path} both hold records; give one`);
      }
      recordsPath = path;
    }
  }
  return { summaryPath, recordsPath, firstPath: paths[0]! };
}

/** Reads a summary JSON file, checking it is one of ours. */
export function readSummaryJson(path: string): RunSummary {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`--input: ${path} is not JSON: ${(error as Error).message}`);
  }
  const summary = value as Partial<RunSummary> | null;
  if (
    summary === null ||
    typeof summary !== 'object' ||
    summary.schema_version !== 2 ||
    !Array.isArray(summary.groups) ||
    typeof summary.run !== 'object'
  ) {
    throw new CliError(
      `--input: ${path} is not an llm-lens summary (one has "schema_version": 2, "run" and "groups", as \`llm-lens benchmark --output FILE.json\` writes it)`,
    );
  }
  // Summaries written before run ids existed still name their outputs.
  summary.run!.run_id ??= 'run';
  return summary as RunSummary;
}

/**
 * Feeds every record of the input to the sinks, with backpressure, then closes them, and
 * returns the run's summary: the one given, or one rebuilt from the records (without the
 * fidelity, sweeps and repeats a live run adds, which records do not hold).
 */
export async function replayRun(
  input: RunInput,
  sinks: readonly RecordSink[],
  runId: string = randomUUID(),
): Promise<RunSummary> {
  let given: RunSummary | undefined;
  if (input.summaryPath !== undefined && !runFileKind(input.summaryPath)) {
    given = readSummaryJson(input.summaryPath);
  }
  const aggregator = given === undefined ? new Aggregator() : undefined;
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = Number.NEGATIVE_INFINITY;
  let count = 0;
  const take = async (record: RequestRecord) => {
    count++;
    aggregator?.add(record);
    firstMs = Math.min(firstMs, record.startedAtMs);
    lastMs = Math.max(lastMs, record.startedAtMs + Number(record.e2eNs ?? 0n) / 1e6);
    for (const sink of sinks) {
      if (!sink.write(record)) await sink.drain();
    }
  };
  try {
    if (input.recordsPath !== undefined) {
      if (runFileKind(input.recordsPath)) {
        const fromFile = await readRunRecords(input.recordsPath, take);
        given ??= fromFile;
      } else {
        for await (const record of readRecordsJsonl(input.recordsPath)) await take(record);
      }
    }
  } finally {
    await Promise.allSettled(sinks.map((sink) => sink.close()));
  }
  if (given !== undefined) return given;
  if (count === 0 || aggregator === undefined) {
    throw new CliError(
      `--input: ${input.recordsPath ?? input.firstPath} holds no records and no summary; nothing to export`,
    );
  }
  const fidelity = buildFidelity([]);
  return buildRunSummary({
    runId,
    toolVersion: TOOL_VERSION,
    configHash: '',
    startedAt: firstMs,
    endedAt: Math.max(firstMs, lastMs),
    complete: true,
    fidelity,
    groups: aggregator.summarize({ complete: true, fidelity }),
  });
}

/** The summary of the input, read only to name an output after it (`{run_id}`). */
export async function readSummaryForNaming(input: RunInput): Promise<RunSummary> {
  if (input.summaryPath === undefined) {
    throw new CliError("--output: {placeholders} need the run's summary; give it with --input");
  }
  if (!runFileKind(input.summaryPath)) return readSummaryJson(input.summaryPath);
  const summary = await readRunRecords(input.summaryPath, () => {});
  if (summary === undefined) {
    throw new CliError(
      `--output: ${input.summaryPath} holds no summary (the run was cut short), so {placeholders} cannot be filled; name the file plainly`,
    );
  }
  return summary;
}
