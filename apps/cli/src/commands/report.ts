import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';
import { type ExportArgs, exportRun, formatNamed } from './export.js';

export const command = 'report';
export const describe =
  'A Markdown (for a pull request) or self-contained HTML (with charts) report of a finished run';

/** `--format` values and the output formats they name. */
const REPORT_FORMATS: Readonly<Record<string, string>> = { md: 'markdown', html: 'html' };

/** `format` here is the report's kind, md or html. */
export type ReportArgs = ExportArgs;

export function builder() {
  return (yargs: Argv) =>
    yargs
      .option('input', {
        alias: 'i',
        type: 'string',
        array: true,
        requiresArg: true,
        demandOption: true,
        describe:
          'The run: a summary (.json), records (.jsonl) or a run file (.msgpack); repeat to give a summary and its records (the charts of distributions and time need records)',
      })
      .option('format', {
        alias: 'f',
        type: 'string',
        choices: Object.keys(REPORT_FORMATS),
        describe:
          'md: a Markdown report for a PR comment; html: one self-contained page with charts (default: from --output, else html)',
      })
      .option('output', {
        alias: 'o',
        type: 'string',
        describe:
          "Where to write (default: the input's name with .html; Markdown without --output goes to stdout); may hold {timestamp}, {run_id}, {provider}, {model}",
      })
      .example('$0 report --input run.msgpack', 'run.html: tables and charts, opens offline')
      .example('$0 report -i summary.json -i records.jsonl -f md > comment.md', 'For a PR comment');
}

export async function handler(args: ReportArgs, extensions: CliExtensions): Promise<number> {
  const chosen =
    (args.format as string | undefined) ??
    (args.output?.toLowerCase().endsWith('.md') ? 'md' : 'html');
  const formatName = REPORT_FORMATS[chosen];
  if (formatName === undefined) {
    throw new CliError(`--format: must be md or html, got ${JSON.stringify(chosen)}`);
  }
  const format = formatNamed(formatName, extensions, '--format');
  if (chosen === 'md' && args.output === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'llm-lens-report-'));
    try {
      const path = join(dir, 'report.md');
      await exportRun(format, { ...args, output: path }, 'report');
      process.stdout.write(readFileSync(path, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return EXIT.ok;
  }
  const where = await exportRun(format, args, 'report');
  process.stderr.write(`Wrote ${where}\n`);
  return EXIT.ok;
}
