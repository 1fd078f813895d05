import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { LensConfig } from '@llm-lens/config';
import { type ExporterFactory, probeOutputPath } from '@llm-lens/metrics';
import { CliError } from './cli-error.js';

/** One output file of a run: where, in which format, and where the user said so. */
export interface OutputTarget {
  path: string;
  format: ExporterFactory;
  /** The flag or config field that named the path, for messages (`--output`, `outputs.summary`). */
  origin: string;
}

/** The summary and records files of a run, each optional. */
export interface OutputPlan {
  summary: OutputTarget | undefined;
  records: OutputTarget | undefined;
}

/** What the user asked for, by flag; undefined when not given. */
export interface OutputFlags {
  output?: string | undefined;
  records?: string | undefined;
  /** `--export`: the summary's format, instead of the one its extension names. */
  export?: string | undefined;
  /** `--records-format`: the records' format, instead of the one its extension names. */
  recordsFormat?: string | undefined;
}

/**
 * Picks the format of each output from `--export` / `--records-format` or the file's
 * extension, among the registered formats that can write that kind of output. Throws a
 * usage error naming the flag (or config field) and the formats that would do.
 */
export function planOutputs(
  config: LensConfig,
  flags: OutputFlags,
  formats: readonly ExporterFactory[],
): OutputPlan {
  const summaryFormats = formats.filter((f) => f.createSummaryExporter !== undefined);
  const recordFormats = formats.filter((f) => f.createRecordSink !== undefined);
  const summaryPath = config.outputs.summary;
  const recordsPath = config.outputs.records;
  return {
    summary:
      summaryPath === undefined
        ? undefined
        : pick(
            summaryPath,
            flags.output !== undefined ? '--output' : 'outputs.summary',
            flags.export,
            '--export',
            summaryFormats,
            'summary',
          ),
    records:
      recordsPath === undefined
        ? undefined
        : pick(
            recordsPath,
            flags.records !== undefined ? '--records' : 'outputs.records',
            flags.recordsFormat,
            '--records-format',
            recordFormats,
            'records',
          ),
  };
}

function pick(
  path: string,
  origin: string,
  wanted: string | undefined,
  wantedFlag: string,
  formats: readonly ExporterFactory[],
  kind: string,
): OutputTarget {
  const names = formats.map((f) => f.format).join(', ') || 'none installed';
  if (isDirectory(path)) {
    throw new CliError(`${origin}: ${path} is a directory; give a file path`);
  }
  if (wanted !== undefined) {
    const format = formats.find((f) => f.format === wanted);
    if (format === undefined) {
      throw new CliError(
        `${wantedFlag}: no ${kind} format is named "${wanted}"; ${kind} formats: ${names}`,
      );
    }
    return { path, format, origin };
  }
  const extension = extname(path).toLowerCase();
  const format = formats.find((f) => f.extensions.includes(extension));
  if (format === undefined) {
    const known = formats.flatMap((f) => f.extensions).join(', ');
    throw new CliError(
      `${origin}: cannot tell the ${kind} format of ${path} from ${extension === '' ? 'a name without an extension' : `"${extension}"`}; use a file ending in ${known || '(none installed)'}, or name the format with ${wantedFlag} (${names})`,
    );
  }
  return { path, format, origin };
}

/**
 * Checks before anything is sent that every output file can be written (creating its
 * parent directories), so a bad path costs no run. Throws a usage error naming the flag.
 */
export function checkOutputs(plan: OutputPlan): void {
  const problems: string[] = [];
  for (const target of [plan.summary, plan.records]) {
    if (target === undefined) continue;
    const problem = probeOutputPath(target.path);
    if (problem !== undefined) problems.push(`${target.origin}: ${target.path} ${problem}`);
  }
  if (
    plan.summary !== undefined &&
    plan.records !== undefined &&
    resolve(plan.summary.path) === resolve(plan.records.path)
  ) {
    problems.push(
      `--records: ${plan.records.path} is also the summary file; give each its own path`,
    );
  }
  if (problems.length > 0) throw new CliError(problems.join('\n'));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    // Absent, or under something that is not a directory: checkOutputs says which.
    return false;
  }
}
