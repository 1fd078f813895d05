import type { ExporterFactory } from '@llm-lens/metrics';
import type { Argv } from 'yargs';
import type { CliExtensions } from './cli-extensions.js';

/** One line per installed format for `--help`: its name, files and what it writes. */
export function formatList(formats: readonly ExporterFactory[]): string {
  return formats
    .map((f) => `${f.format} (${f.extensions.join(', ') || 'no file'}): ${f.description}`)
    .join('; ');
}

/**
 * The output flags shared by every command that runs a benchmark: `--output`, `--records`,
 * the repeatable `--export FORMAT[=FILE]`, and each installed format's own options
 * (`--pushgateway`, `--influx-url`, `--otlp-endpoint`...), so a new format package needs no
 * edit here.
 */
export function outputOptions<T>(yargs: Argv<T>, extensions: CliExtensions): Argv<T> {
  const recordFormats = extensions.exporters
    .filter((f) => f.createRecordSink !== undefined || f.createRunExporter !== undefined)
    .map((f) => f.format);
  let withOptions = yargs
    .option('output', {
      alias: 'o',
      type: 'string',
      describe:
        'Write the summary to this file, in the format its extension names (.json, .csv, .md, .html, .prom, ...); may hold {timestamp}, {run_id}, {provider}, {model}',
    })
    .option('export', {
      type: 'string',
      array: true,
      describe: `Write the run in FORMAT too, to FILE (default llm-lens-{timestamp}.<ext>); repeatable. FILE may hold {timestamp}, {run_id}, {provider}, {model}. Formats: ${formatList(extensions.exporters)}`,
      requiresArg: true,
    })
    .option('records', {
      type: 'string',
      describe:
        'Write one record per request to this file as requests finish (format from its extension: .jsonl, .csv, .msgpack, .trace.json, ...)',
    })
    .option('records-format', {
      type: 'string',
      choices: recordFormats,
      describe: 'Format of --records when its extension does not say',
    })
    .option('record-tokens', {
      type: 'boolean',
      describe:
        "Include every token event's arrival offset in per-request outputs (--records, OTel span events)",
    }) as Argv<T>;
  for (const format of extensions.exporters) {
    for (const [name, option] of Object.entries(format.options ?? {})) {
      withOptions = withOptions.option(name, {
        type: option.type,
        describe: `${option.describe} [${format.format}]`,
        ...(option.default === undefined ? {} : { default: option.default }),
      }) as Argv<T>;
    }
  }
  return withOptions;
}
