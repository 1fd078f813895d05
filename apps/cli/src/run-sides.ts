import { execFileSync } from 'node:child_process';
import { type ComparisonInput, collectRunSamples } from '@llm-lens/comparison';
import type { RequestRecord } from '@llm-lens/core-timing';
import { defaultHistoryPath, type HistoryStore, openHistory } from '@llm-lens/history';
import type { RecordSink, RunSummary } from '@llm-lens/metrics';
import { CliError } from './cli-error.js';
import { classifyInputs, replayRun } from './run-input.js';

/** One side of a comparison: its summary, and its samples when records were available. */
export interface RunSide {
  label: string;
  summary: RunSummary;
  input: ComparisonInput;
}

/** A record sink that feeds a comparison's sample collector (used live and on replay). */
export function samplesSink(add: (record: RequestRecord) => void): RecordSink {
  return {
    write(record) {
      add(record);
      return true;
    },
    drain: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/** `--history PATH|postgres://...`, the config's `history.location`, or the default file. */
export function historyLocation(
  flag: string | readonly string[] | undefined,
  configured?: string,
): string {
  // Given twice, the last one wins, as for any other flag.
  const given = Array.isArray(flag) ? flag.at(-1) : (flag as string | undefined);
  return given ?? configured ?? defaultHistoryPath();
}

/** Opens the history, turning its errors into usage errors that name the flag. */
export async function openHistoryAt(location: string): Promise<HistoryStore> {
  try {
    return await openHistory(location);
  } catch (error) {
    throw new CliError(`--history ${redact(location)}: ${(error as Error).message}`);
  }
}

function redact(location: string): string {
  return location.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/**
 * Reads one side of a comparison: a summary (`.json`), records (`.jsonl`), a run file
 * (`.msgpack`), or `history:latest` / `history:<tag or run id>` from the results history.
 * With records, every request's values are collected for the statistics; with a summary
 * alone the comparison uses its labelled conservative rule.
 */
export async function loadRunSide(
  text: string,
  label: string,
  history: () => Promise<HistoryStore>,
): Promise<RunSide> {
  const collector = collectRunSamples();
  if (text.startsWith('history:')) {
    const which = text.slice('history:'.length);
    if (which === '') {
      throw new CliError(`${label}: "history:" needs a tag or a run id, or history:latest`);
    }
    const store = await history();
    let entry: Awaited<ReturnType<HistoryStore['latest']>>;
    try {
      entry =
        which === 'latest'
          ? await store.latest()
          : ((await store.latest({ tag: which })) ?? (await store.get(which)));
    } catch (error) {
      throw new CliError(`${label} ${text}: ${(error as Error).message}`);
    }
    if (entry === undefined) {
      throw new CliError(
        `${label} ${text}: the history at ${store.location} has no run${which === 'latest' ? '' : ` tagged ${which}`}; save one with --save (or history: true in the config)`,
      );
    }
    const records = await store.records(entry.id);
    if (records === undefined) return { label, summary: entry.summary, input: entry.summary };
    for await (const record of records) collector.add(record);
    return {
      label,
      summary: entry.summary,
      input: collector.finish({ runId: entry.summary.run.run_id }),
    };
  }
  const input = classifyInputs([text], label);
  const summary = await replayRun(input, [samplesSink((r) => collector.add(r))]);
  return {
    label,
    summary,
    input:
      input.recordsPath === undefined ? summary : collector.finish({ runId: summary.run.run_id }),
  };
}

/** The commit checked out where llm-lens runs, or null outside a git repository. */
export function gitCommit(cwd = process.cwd()): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    // Not a repository, or no git: the run is saved without a commit.
    return null;
  }
}
