import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LensConfig } from '@llm-lens/config';
import {
  type ExporterFactory,
  type ExportTarget,
  probeOutputPath,
  type RecordSink,
  type RunSummary,
  type SummaryExporter,
} from '@llm-lens/metrics';
import { CliError } from './cli-error.js';

/** One output of a run: in which format, to which file (none for a push-only format), and why. */
export interface OutputTarget {
  /** Undefined only for a format that sends its output elsewhere (`--pushgateway URL`). */
  path: string | undefined;
  format: ExporterFactory;
  /** The flag or config field that asked for it, for messages (`--output`, `--export csv`). */
  origin: string;
  /** `summary`: --output; `records`: --records; `export`: --export or a format's own option. */
  role: 'summary' | 'records' | 'export';
}

/** Every output of a run, in the order the user named them. */
export interface OutputPlan {
  targets: OutputTarget[];
}

/** What the user asked for, by flag; undefined when not given. */
export interface OutputFlags {
  output?: string | undefined;
  records?: string | undefined;
  /** `--export FORMAT[=FILE]`, repeatable. */
  export?: string | readonly string[] | undefined;
  /** `--records-format`: the records' format, instead of the one its extension names. */
  recordsFormat?: string | undefined;
  /** Every other flag, where the formats' own options (`--pushgateway`) are read. */
  [flag: string]: unknown;
}

/** What `{timestamp}`, `{run_id}`, `{provider}` and `{model}` stand for in output paths. */
export interface PathVariables {
  timestamp: string;
  run_id: string;
  provider: string;
  model: string;
}

const PLACEHOLDERS = ['timestamp', 'run_id', 'provider', 'model'] as const;

/** The variables of a run about to start: its id, now, and the config's providers and models. */
export function pathVariablesOf(
  config: LensConfig,
  runId: string,
  now = new Date(),
): PathVariables {
  return {
    timestamp: compactTimestamp(now),
    run_id: runId,
    provider: joinedNames(config.providers.map((p) => p.name)),
    model: joinedNames(config.providers.flatMap((p) => p.models)),
  };
}

/** The variables of a finished run, from its summary (for `llm-lens export` and `report`). */
export function pathVariablesOfSummary(summary: RunSummary): PathVariables {
  return {
    timestamp: compactTimestamp(new Date(summary.run.started_at)),
    run_id: summary.run.run_id ?? 'run',
    provider: joinedNames(summary.groups.map((g) => g.provider)),
    model: joinedNames(summary.groups.map((g) => g.model)),
  };
}

/** `2026-12-03T06:58:05.123Z` → `20261203T065805Z`: sorts by time and is safe in any file name. */
function compactTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function joinedNames(names: readonly string[]): string {
  const unique = [...new Set(names)];
  return unique.length === 0 ? 'none' : unique.join('+');
}

/**
 * Replaces `{timestamp}`, `{run_id}`, `{provider}` and `{model}` in a path; their values lose
 * every character a file name should not hold (`/` in `meta/llama-3`). An unknown `{name}`
 * is a usage error naming the flag and the placeholders there are.
 */
export function expandPathTemplate(path: string, variables: PathVariables, origin: string): string {
  return path.replace(/\{([^{}]*)\}/g, (whole, name: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new CliError(
        `${origin}: ${path} has the placeholder ${whole}, which is not one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      );
    }
    return variables[name as keyof PathVariables].replace(/[^A-Za-z0-9._+-]+/g, '-');
  });
}

/** The file suffix of a format that `path` ends with, longest first (`.trace.json` before `.json`). */
function formatsByExtension(
  path: string,
  formats: readonly ExporterFactory[],
): ExporterFactory | undefined {
  const lower = path.toLowerCase();
  let best: { format: ExporterFactory; length: number } | undefined;
  for (const format of formats) {
    for (const extension of format.extensions) {
      if (lower.endsWith(extension) && (best === undefined || extension.length > best.length)) {
        best = { format, length: extension.length };
      }
    }
  }
  return best?.format;
}

/** `.json (json), .msgpack/.mpk (msgpack), ...`: which file names pick which format. */
function suffixList(formats: readonly ExporterFactory[]): string {
  if (formats.length === 0) return '(no format installed)';
  return formats.map((f) => `${f.extensions.join('/')} (${f.format})`).join(', ');
}

const writesSummaries = (f: ExporterFactory) =>
  f.createSummaryExporter !== undefined || f.createRunExporter !== undefined;
const writesRecords = (f: ExporterFactory) =>
  f.createRecordSink !== undefined || f.createRunExporter !== undefined;

/** `--export` values as a list, however yargs gave them. */
function exportValues(flags: OutputFlags): string[] {
  const value = flags.export;
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** A format's options the user gave (or that have a default), by option name. */
export function formatOptionValues(
  format: ExporterFactory,
  flags: OutputFlags,
): Record<string, string | number | boolean> {
  const values: Record<string, string | number | boolean> = {};
  for (const [name, option] of Object.entries(format.options ?? {})) {
    const given = flags[name];
    if (given !== undefined) values[name] = given as string | number | boolean;
    else if (option.default !== undefined) values[name] = option.default;
  }
  return values;
}

/** Whether the user gave one of the options that select `format` by themselves. */
function isSelectedByOption(format: ExporterFactory, flags: OutputFlags): string | undefined {
  for (const [name, option] of Object.entries(format.options ?? {})) {
    if (option.selectsFormat === true && flags[name] !== undefined) return `--${name}`;
  }
  return undefined;
}

/**
 * Decides every output of a run from `--output`, `--records`, each `--export FORMAT[=FILE]`
 * and the formats' own options (`--pushgateway URL` selects `prometheus`), with `{...}`
 * placeholders expanded. A file's format comes from the flag that names it or from its
 * extension. A bare `--export FORMAT` is the format of `--output` when that file's extension
 * names no other format (as before `FILE` could be given); otherwise it writes
 * `llm-lens-{timestamp}<ext>` in the working directory, unless one of its own options says
 * where it goes. Throws a usage error naming the flag and the formats that would do.
 */
export function planOutputs(
  config: LensConfig,
  flags: OutputFlags,
  formats: readonly ExporterFactory[],
  variables: PathVariables,
): OutputPlan {
  const names = (list: readonly ExporterFactory[]) =>
    list.map((f) => f.format).join(', ') || 'none installed';
  const byName = (name: string, flag: string): ExporterFactory => {
    const format = formats.find((f) => f.format === name);
    if (format === undefined) {
      const near = closestName(
        name,
        formats.map((f) => f.format),
      );
      throw new CliError(
        `${flag}: no output format is named "${name}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; formats: ${names(formats)}`,
      );
    }
    return format;
  };
  const targets: OutputTarget[] = [];
  const expand = (path: string, origin: string) => {
    const expanded = expandPathTemplate(path, variables, origin);
    if (isDirectory(expanded))
      throw new CliError(`${origin}: ${expanded} is a directory; give a file path`);
    return expanded;
  };

  const bare: Array<{ format: ExporterFactory; flag: string }> = [];
  const named: OutputTarget[] = [];
  for (const value of exportValues(flags)) {
    const equals = value.indexOf('=');
    const name = equals < 0 ? value : value.slice(0, equals);
    const flag = `--export ${value}`;
    const format = byName(name, '--export');
    if (equals < 0) {
      bare.push({ format, flag });
      continue;
    }
    const file = value.slice(equals + 1);
    if (file === '') throw new CliError(`${flag}: give a file after "=", or leave "=" out`);
    named.push({ path: expand(file, flag), format, origin: flag, role: 'export' });
  }

  const summaryPath = config.outputs.summary;
  if (summaryPath !== undefined) {
    const origin = flags.output !== undefined ? '--output' : 'outputs.summary';
    // A directory is named as such before its name is read for a format.
    const path = expand(summaryPath, origin);
    const candidates = formats.filter(writesSummaries);
    const byExtension = formatsByExtension(summaryPath, candidates);
    const chosen = bare.find(
      ({ format }) =>
        writesSummaries(format) && (byExtension === undefined || byExtension === format),
    );
    if (chosen !== undefined) bare.splice(bare.indexOf(chosen), 1);
    const format = chosen?.format ?? byExtension;
    if (format === undefined) {
      throw new CliError(
        `${origin}: cannot tell the summary format of ${summaryPath} from its name; use a file ending in ${suffixList(candidates)}, or name the format with --export FORMAT`,
      );
    }
    targets.push({ path, format, origin, role: 'summary' });
  }

  const recordsPath = config.outputs.records;
  if (recordsPath !== undefined) {
    const origin = flags.records !== undefined ? '--records' : 'outputs.records';
    const path = expand(recordsPath, origin);
    const candidates = formats.filter(writesRecords);
    let format: ExporterFactory | undefined;
    if (flags.recordsFormat !== undefined) {
      format = candidates.find((f) => f.format === flags.recordsFormat);
      if (format === undefined) {
        throw new CliError(
          `--records-format: no records format is named "${flags.recordsFormat}"; records formats: ${names(candidates)}`,
        );
      }
    } else {
      format = formatsByExtension(recordsPath, candidates);
      if (format === undefined) {
        throw new CliError(
          `${origin}: cannot tell the records format of ${recordsPath} from its name; use a file ending in ${suffixList(candidates)}, or name the format with --records-format FORMAT`,
        );
      }
    }
    targets.push({ path, format, origin, role: 'records' });
  }

  targets.push(...named);
  for (const { format, flag } of bare) {
    if (isSelectedByOption(format, flags) !== undefined) {
      targets.push({ path: undefined, format, origin: flag, role: 'export' });
      continue;
    }
    const extension = format.extensions[0] ?? '.out';
    targets.push({
      path: expand(`llm-lens-{timestamp}${extension}`, flag),
      format,
      origin: flag,
      role: 'export',
    });
  }
  for (const format of formats) {
    const option = isSelectedByOption(format, flags);
    if (option === undefined || targets.some((t) => t.format === format)) continue;
    targets.push({ path: undefined, format, origin: option, role: 'export' });
  }
  return { targets };
}

/**
 * Checks before anything is sent that every output file can be written (creating its
 * parent directories) and that no two outputs share a file, so a bad path costs no run.
 * Throws a usage error naming the flags.
 */
export function checkOutputs(plan: OutputPlan): void {
  const problems: string[] = [];
  const seen = new Map<string, OutputTarget>();
  for (const target of plan.targets) {
    if (target.path === undefined) continue;
    const problem = probeOutputPath(target.path);
    if (problem !== undefined) problems.push(`${target.origin}: ${target.path} ${problem}`);
    const absolute = resolve(target.path);
    const other = seen.get(absolute);
    if (other !== undefined) {
      problems.push(
        `${target.origin}: ${target.path} is also the file of ${other.origin}; give each output its own path`,
      );
    }
    seen.set(absolute, target);
  }
  if (problems.length > 0) throw new CliError(problems.join('\n'));
}

/** The writers of a run's outputs, opened. */
export interface OpenOutputs {
  /** What takes the records as requests finish (give them to the executor). */
  sinks: RecordSink[];
  /** Writes every summary output; call once with the run's summary. */
  finish(summary: RunSummary): Promise<void>;
  /** Where the outputs went, for the closing "Wrote ..." line. */
  destinations: string[];
}

/**
 * Opens a writer per output: a record sink, a summary exporter or a run exporter (which
 * takes both) as the format offers, with the format's own options. An error opening one
 * (a bad `--influx-url`) is a usage error naming the flag.
 */
export function openOutputs(
  plan: OutputPlan,
  flags: OutputFlags,
  options: { recordTokens: boolean; runId?: string | undefined },
): OpenOutputs {
  const sinks: RecordSink[] = [];
  const exporters: Array<{ exporter: SummaryExporter; target: OutputTarget }> = [];
  const destinations: string[] = [];
  for (const target of plan.targets) {
    const { format } = target;
    const exportTarget: ExportTarget = {
      path: target.path,
      recordTokens: options.recordTokens,
      ...(options.runId === undefined ? {} : { runId: options.runId }),
      options: formatOptionValues(format, flags),
    };
    try {
      const wantsRecords = target.role !== 'summary';
      const wantsSummary = target.role !== 'records';
      if (
        format.createRunExporter !== undefined &&
        !(target.role === 'records' && format.createRecordSink !== undefined) &&
        !(target.role === 'summary' && format.createSummaryExporter !== undefined)
      ) {
        const exporter = format.createRunExporter(exportTarget);
        sinks.push(exporter);
        exporters.push({ exporter, target });
      } else {
        if (wantsRecords && format.createRecordSink !== undefined) {
          sinks.push(format.createRecordSink(exportTarget));
        }
        if (wantsSummary && format.createSummaryExporter !== undefined) {
          exporters.push({ exporter: format.createSummaryExporter(exportTarget), target });
        }
      }
    } catch (error) {
      throw new CliError(
        `${target.origin}: cannot write ${format.format}${target.path === undefined ? '' : ` to ${target.path}`}: ${(error as Error).message}`,
      );
    }
    destinations.push(target.path ?? `${format.format} (${describeDestination(format, flags)})`);
  }
  return {
    sinks,
    destinations,
    async finish(summary) {
      for (const { exporter, target } of exporters) {
        try {
          await exporter.export(summary);
        } catch (error) {
          throw new CliError(
            `${target.origin}: writing ${target.format.format}${target.path === undefined ? '' : ` to ${target.path}`} failed: ${(error as Error).message}`,
          );
        }
      }
    },
  };
}

function describeDestination(format: ExporterFactory, flags: OutputFlags): string {
  for (const [name, option] of Object.entries(format.options ?? {})) {
    if (option.selectsFormat === true && flags[name] !== undefined) return String(flags[name]);
  }
  return 'no file';
}

/** The known name nearest to `name` (a typo of it), if one is near enough. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(name.length / 3))
    ? best.name
    : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    // Absent, or under something that is not a directory: checkOutputs says which.
    return false;
  }
}
