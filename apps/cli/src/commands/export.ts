import { randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { ExporterFactory } from '@llm-lens/metrics';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';
import { formatList } from '../output-options.js';
import {
  checkOutputs,
  closestName,
  expandPathTemplate,
  type OutputFlags,
  type OutputTarget,
  openOutputs,
  pathVariablesOfSummary,
} from '../outputs.js';
import { runFileKind, runFileRunId } from '../run-file.js';
import { classifyInputs, readSummaryForNaming, readSummaryJson, replayRun } from '../run-input.js';

export const command = 'export <format>';
export const describe =
  'Convert a finished run (summary JSON, records JSONL or a .msgpack run file) to another format';

export interface ExportArgs extends OutputFlags {
  format: string;
  input?: string[] | undefined;
  output?: string | undefined;
  recordTokens?: boolean | undefined;
}

export function builder(extensions: CliExtensions) {
  return (yargs: Argv) => {
    let withOptions = yargs
      .positional('format', {
        type: 'string',
        describe: `The format to write: ${formatList(extensions.exporters)}`,
      })
      .option('input', {
        alias: 'i',
        type: 'string',
        array: true,
        requiresArg: true,
        describe:
          'The run to read: a summary (.json), records (.jsonl) or a run file (.msgpack); repeat to give a summary and its records',
      })
      .option('output', {
        alias: 'o',
        type: 'string',
        describe:
          "Where to write (default: the input's name with the format's extension); may hold {timestamp}, {run_id}, {provider}, {model}",
      })
      .option('record-tokens', {
        type: 'boolean',
        describe: 'Include token events in per-request outputs (when the input has them)',
      }) as Argv;
    for (const format of extensions.exporters) {
      for (const [name, option] of Object.entries(format.options ?? {})) {
        withOptions = withOptions.option(name, {
          type: option.type,
          describe: `${option.describe} [${format.format}]`,
          ...(option.default === undefined ? {} : { default: option.default }),
        });
      }
    }
    return withOptions
      .example('$0 export csv --input records.jsonl', 'One CSV row per request, in records.csv')
      .example(
        '$0 export prometheus --input run.msgpack --pushgateway http://localhost:9091',
        'Push a saved run to a Prometheus Pushgateway',
      )
      .example('$0 export html --input run.json --input records.jsonl -o report.html', 'A report');
  };
}

/** The format named `name`, or a usage error with the formats there are and a did-you-mean. */
export function formatNamed(
  name: string,
  extensions: CliExtensions,
  flag: string,
): ExporterFactory {
  const format = extensions.exporters.find((f) => f.format === name);
  if (format !== undefined) return format;
  const near = closestName(
    name,
    extensions.exporters.map((f) => f.format),
  );
  throw new CliError(
    `${flag}: no output format is named "${name}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; formats: ${extensions.exporters.map((f) => f.format).join(', ')}`,
  );
}

/** `run.msgpack` → `run.csv`: the input's name with the format's first extension, beside it. */
function defaultOutputOf(input: string, format: ExporterFactory): string {
  const name = basename(input).replace(/(\.trace)?\.[^.]+$/, '');
  return join(dirname(input), `${name}${format.extensions[0] ?? '.out'}`);
}

/** Writes a finished run in one format; shared by `export` and `report`. */
export async function exportRun(
  format: ExporterFactory,
  args: ExportArgs,
  origin: string,
): Promise<string | undefined> {
  const input = classifyInputs(args.input ?? []);
  const needsRecords =
    format.createRunExporter === undefined && format.createSummaryExporter === undefined;
  if (needsRecords && input.recordsPath === undefined) {
    throw new CliError(
      `${origin}: the ${format.format} format is written from per-request records, and ${input.firstPath} is a summary; give the records too (--input records.jsonl, or a .msgpack run file)`,
    );
  }
  const selected = Object.entries(format.options ?? {}).some(
    ([name, option]) => option.selectsFormat === true && args[name] !== undefined,
  );
  const path = args.output ?? (selected ? undefined : defaultOutputOf(input.firstPath, format));
  // The file name may use the run's own variables, known once the run is read; the
  // placeholders are checked now, with stand-ins, so a typo costs no read.
  if (path !== undefined) {
    expandPathTemplate(
      path,
      { timestamp: 't', run_id: 'r', provider: 'p', model: 'm' },
      '--output',
    );
  }
  let written: string | undefined;
  // Per-record outputs carry the run id: the given summary's (a run file has it in its
  // header), or the one a summary rebuilt from records will have.
  const runId =
    input.summaryPath === undefined
      ? randomUUID()
      : runFileKind(input.summaryPath)
        ? await runFileRunId(input.summaryPath)
        : readSummaryJson(input.summaryPath).run.run_id;
  const sinksOf = (resolvedPath: string | undefined) => {
    const target: OutputTarget = { path: resolvedPath, format, origin, role: 'export' };
    checkOutputs({ targets: [target] });
    return openOutputs({ targets: [target] }, args, {
      recordTokens: args.recordTokens === true,
      runId,
    });
  };
  // Placeholders that need the summary: with records only, it exists after the replay, so
  // such a name is resolved from a first look at the summary when there is one given.
  if (path !== undefined && /\{[a-z_]+\}/.test(path) && input.summaryPath === undefined) {
    throw new CliError(
      `--output: {placeholders} need the run's summary; give it with --input run.json (or a .msgpack run file), or name the file plainly`,
    );
  }
  let opened: ReturnType<typeof sinksOf> | undefined;
  if (path === undefined || !/\{[a-z_]+\}/.test(path)) {
    opened = sinksOf(path);
    written = path;
  } else {
    const summary = await readSummaryForNaming(input);
    written = expandPathTemplate(path, pathVariablesOfSummary(summary), '--output');
    opened = sinksOf(written);
  }
  const summary = await replayRun(input, opened.sinks, runId);
  await opened.finish(summary);
  return written ?? opened.destinations[0];
}

export async function handler(args: ExportArgs, extensions: CliExtensions): Promise<number> {
  const format = formatNamed(args.format, extensions, 'export');
  const where = await exportRun(format, args, `export ${format.format}`);
  process.stderr.write(`Wrote ${where}\n`);
  return EXIT.ok;
}
