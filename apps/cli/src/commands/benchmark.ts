import { dirname, resolve } from 'node:path';
import {
  applyOverrides,
  type CliOverrides,
  type LensConfig,
  loadConfigFile,
} from '@llm-lens/config';
import { createTargets, type ProgressEvent, runBenchmark } from '@llm-lens/executor';
import type { FidelityCalibration, RecordSink, RunSummary } from '@llm-lens/metrics';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';
import { installInterruptHandlers } from '../interrupts.js';
import { checkOutputs, type OutputPlan, planOutputs } from '../outputs.js';
import { priceBookFromArgs } from '../pricing.js';
import { createColors } from '../render/format.js';
import { ProgressLine } from '../render/progress-line.js';
import { renderSummary } from '../render/summary-table.js';
import { TOOL_VERSION } from '../version.js';
import { runCalibration } from './calibrate.js';

export const command = 'benchmark';
export const describe =
  'Send many requests and report TTFT, ITL, TPOT, E2E, throughput and errors (default: the built-in simulator)';

/** Exit codes, for every command's --help. */
export const EXIT_CODES_EPILOG = `Exit codes:
  0    the run completed (failures within --max-error-rate)
  1    requests failed: a provider/model/scenario had no successful request, or more than
       --max-error-rate of the measured requests failed (the reason is printed)
  2    bad usage: a flag, a config file, an output path, a missing API key
  3    llm-lens itself failed (a bug; rerun with --debug and report the stack trace)
  130  interrupted (Ctrl-C or SIGTERM); every output is still written, marked incomplete`;

/** Flags shared by `benchmark`, `profile` and `calibrate`. */
export function targetOptions(yargs: Argv, extensions: CliExtensions) {
  const types = extensions.registry.providerFactories.map((f) => f.type);
  return yargs
    .option('config', {
      alias: 'c',
      type: 'string',
      describe: 'Config file (YAML, JSON or TOML); flags override it',
    })
    .option('provider', {
      alias: 'p',
      type: 'string',
      choices: types,
      describe: 'Provider type; without --provider and --config the built-in simulator is used',
    })
    .option('base-url', {
      type: 'string',
      describe: 'Base URL incl. version path, e.g. http://localhost:8000/v1',
    })
    .option('api', {
      type: 'string',
      choices: ['chat', 'completions', 'responses'],
      describe:
        'OpenAI-style API to call: Chat Completions (default), legacy Completions or the Responses API',
    })
    .option('api-key-env', {
      type: 'string',
      describe: 'Name of the env var holding the API key (default OPENAI_API_KEY for openai)',
    })
    .option('model', { alias: 'm', type: 'string', describe: 'Model to measure' })
    .option('prompt', { type: 'string', describe: 'Prompt text (sent as one user message)' })
    .option('prompt-file', { type: 'string', describe: 'Read the prompt from this file' })
    .option('max-tokens', { type: 'number', describe: 'Output token limit per request' })
    .option('temperature', { type: 'number', describe: 'Sampling temperature (0–2)' })
    .option('stream', {
      type: 'boolean',
      describe: 'Stream responses (use --no-stream for one JSON body)',
    })
    .option('timeout', {
      type: 'number',
      describe:
        "Per-request total timeout in ms for every scenario (default: the provider's timeouts.total_ms, else 120000)",
    })
    .option('ttft-timeout', {
      type: 'number',
      describe:
        'Fail a request with no token this many ms after dispatch (timeout_ttft; default none)',
    })
    .option('idle-timeout', {
      type: 'number',
      describe:
        'Fail a request whose response goes silent this many ms (timeout_idle; default none)',
    })
    .option('max-event-bytes', {
      type: 'number',
      describe:
        'Largest response line, event or body accepted; a larger one fails its request as protocol (default 8388608 = 8 MiB)',
    })
    .option('pricing', {
      type: 'string',
      describe:
        'YAML/JSON file of model prices in USD per million tokens ({ prices: [{ provider, model, input, output, cached_input }] }), over the built-in catalog',
    });
}

export function builder(extensions: CliExtensions) {
  const summaryFormats = extensions.exporters
    .filter((f) => f.createSummaryExporter)
    .map((f) => f.format);
  const recordFormats = extensions.exporters.filter((f) => f.createRecordSink).map((f) => f.format);
  return (yargs: Argv) =>
    targetOptions(yargs, extensions)
      .option('requests', {
        alias: 'n',
        type: 'number',
        describe: 'Measured requests per provider/model/scenario (default 20)',
      })
      .option('concurrency', {
        alias: 'C',
        type: 'number',
        describe: 'Requests in flight at once (default 4 on the simulator, 1 in configs)',
      })
      .option('warmup', {
        alias: 'w',
        type: 'number',
        describe:
          'Requests sent first and left out of the statistics (default 2 on the simulator, 0 in configs)',
      })
      .option('workers', {
        type: 'string',
        describe:
          'Threads that generate the load: a number, or "auto" (from the cores and the concurrency). Default 1',
      })
      .option('output', {
        alias: 'o',
        type: 'string',
        describe: 'Write the summary to this file (format from its extension)',
      })
      .option('export', {
        type: 'string',
        choices: summaryFormats,
        describe: 'Format of --output when its extension does not say',
      })
      .option('records', {
        type: 'string',
        describe:
          'Write one record per request to this file, as requests finish (format from its extension)',
      })
      .option('records-format', {
        type: 'string',
        choices: recordFormats,
        describe: 'Format of --records when its extension does not say',
      })
      .option('record-tokens', {
        type: 'boolean',
        describe: "Include every token event's arrival offset in --records",
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the summary JSON to stdout instead of the table',
      })
      .option('max-error-rate', {
        type: 'number',
        describe:
          'Exit 1 when the share of failed measured requests exceeds this (0–1, default 1 = never)',
      })
      .option('grace', {
        type: 'number',
        default: 10_000,
        describe: 'After Ctrl-C, ms to let in-flight requests finish',
      })
      .option('calibrate', {
        type: 'boolean',
        default: false,
        describe:
          "First measure this machine's own client error at the run's load (a few seconds, see `llm-lens calibrate`)",
      })
      .example(
        '$0 benchmark',
        'Simulator: 20 requests at concurrency 4 after 2 warm-up requests, no API key needed',
      )
      .example(
        '$0 benchmark -p openai-compatible --base-url http://localhost:8000/v1 -m meta-llama/Llama-3.1-8B-Instruct -n 200 -C 32',
        'A local vLLM server at concurrency 32',
      )
      .example(
        'OPENAI_API_KEY=... $0 benchmark -p openai -m gpt-4o-mini --records runs/r.jsonl -o runs/summary.json',
        'OpenAI, keeping every request and the summary',
      )
      .example(
        '$0 benchmark -c llm-lens.yaml --json > summary.json',
        'From a config file, JSON to stdout',
      )
      .epilog(EXIT_CODES_EPILOG);
}

export interface BenchmarkArgs {
  config?: string | undefined;
  provider?: string | undefined;
  baseUrl?: string | undefined;
  api?: string | undefined;
  apiKeyEnv?: string | undefined;
  model?: string | undefined;
  prompt?: string | undefined;
  promptFile?: string | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  stream?: boolean | undefined;
  timeout?: number | undefined;
  ttftTimeout?: number | undefined;
  idleTimeout?: number | undefined;
  maxEventBytes?: number | undefined;
  pricing?: string | undefined;
  requests?: number | undefined;
  concurrency?: number | undefined;
  warmup?: number | undefined;
  workers?: string | undefined;
  output?: string | undefined;
  export?: string | undefined;
  records?: string | undefined;
  recordsFormat?: string | undefined;
  recordTokens?: boolean | undefined;
  json?: boolean | undefined;
  maxErrorRate?: number | undefined;
  grace?: number | undefined;
  calibrate?: boolean | undefined;
}

/** `--workers` as given: a positive integer or `auto`. */
function workersFlag(text: string | undefined): number | 'auto' | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === 'auto') return 'auto';
  if (/^\s*\d+\s*$/.test(text) && Number(text) >= 1) return Number(text);
  throw new CliError(
    `--workers: must be a positive integer or "auto", got ${JSON.stringify(text)}`,
  );
}

/** Loads the config (or the built-in default) and layers the flags over it. */
export async function configFromArgs(
  args: BenchmarkArgs,
  extensions: CliExtensions,
): Promise<LensConfig> {
  const overrides: CliOverrides = {
    provider: args.provider,
    baseUrl: args.baseUrl,
    api: args.api,
    apiKeyEnv: args.apiKeyEnv,
    model: args.model,
    prompt: args.prompt,
    promptFile: args.promptFile,
    requests: args.requests,
    concurrency: args.concurrency,
    warmup: args.warmup,
    maxTokens: args.maxTokens,
    temperature: args.temperature,
    stream: args.stream,
    timeout: args.timeout,
    ttftTimeout: args.ttftTimeout,
    idleTimeout: args.idleTimeout,
    maxEventBytes: args.maxEventBytes,
    output: args.output,
    records: args.records,
    recordTokens: args.recordTokens,
    maxErrorRate: args.maxErrorRate,
    workers: workersFlag(args.workers),
  };
  const base =
    args.config === undefined
      ? undefined
      : await loadConfigFile(args.config, { extensions: extensions.config });
  return applyOverrides(base, overrides, { extensions: extensions.config });
}

/** The directory provider settings' relative paths (api_key_file) are resolved against. */
export function baseDirOf(args: { config?: string | undefined }): string {
  return args.config === undefined ? process.cwd() : dirname(resolve(args.config));
}

export async function handler(args: BenchmarkArgs, extensions: CliExtensions): Promise<number> {
  if (args.grace !== undefined && !(args.grace >= 0)) {
    throw new CliError(`--grace: must be a number of ms >= 0, got ${args.grace}`);
  }
  const config = await configFromArgs(args, extensions);
  const outputs = planOutputs(config, args, extensions.exporters);
  checkOutputs(outputs);
  const maxConcurrency = Math.max(...config.scenarios.map((s) => s.concurrency));
  let calibration: FidelityCalibration | undefined;
  if (args.calibrate) {
    calibration = await runCalibration(config, extensions, { quiet: args.json === true });
  }
  const prices = await priceBookFromArgs(args);
  const resolved = await createTargets(config.providers, extensions.registry, {
    baseDir: baseDirOf(args),
    maxConcurrency,
    prices,
  });
  const progress = new ProgressLine(process.stderr);
  const interrupts = installInterruptHandlers(() => progress.clear());
  const colors = createColors(process.stdout);
  let summary: RunSummary;
  try {
    const sinks = openRecordSinks(outputs, config);
    if (!args.json) {
      for (const [name, where] of resolved.endpoints) process.stderr.write(`${name}: ${where}\n`);
    }
    summary = await runBenchmark(config, {
      targets: resolved.targets,
      registry: extensions.registry,
      sinks,
      secrets: resolved.secrets,
      tokenizer: 'offline',
      signal: interrupts.stop,
      cancelSignal: interrupts.cancel,
      graceMs: args.grace ?? 10_000,
      // Progress is computed on the event loop that stamps responses: only when it is drawn.
      ...(progress.enabled ? { onProgress: (event: ProgressEvent) => progress.update(event) } : {}),
      ...(calibration === undefined ? {} : { calibration }),
      meta: { toolVersion: TOOL_VERSION },
    });
  } finally {
    progress.clear();
    interrupts.dispose();
    await resolved.close();
  }
  const interrupted = interrupts.stop.aborted;
  if (interrupted && summary.complete) summary.complete = false;
  if (outputs.summary !== undefined) {
    await outputs.summary.format.createSummaryExporter!({ path: outputs.summary.path }).export(
      summary,
    );
  }
  if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else process.stdout.write(renderSummary(summary, colors));
  if (!args.json) {
    const written = [outputs.summary?.path, outputs.records?.path].filter(Boolean);
    if (written.length > 0) process.stderr.write(`Wrote ${written.join(', ')}\n`);
  }
  if (interrupted) return EXIT.interrupted;
  const failure = failureReason(summary, config.outputs.max_error_rate);
  if (failure !== undefined) {
    process.stderr.write(`error: ${failure}\n`);
    return EXIT.failedRequests;
  }
  return EXIT.ok;
}

function openRecordSinks(outputs: OutputPlan, config: LensConfig): RecordSink[] {
  const target = outputs.records;
  if (target === undefined) return [];
  try {
    return [
      target.format.createRecordSink!({
        path: target.path,
        recordTokens: config.outputs.record_tokens,
      }),
    ];
  } catch (error) {
    throw new CliError(
      `${target.origin}: cannot write ${target.path}: ${(error as Error).message}`,
    );
  }
}

/**
 * Why the run failed, in one line, or undefined: a group in which no measured request
 * succeeded, or more failed requests overall than `maxErrorRate` allows.
 */
export function failureReason(summary: RunSummary, maxErrorRate: number): string | undefined {
  const dead = summary.groups.filter(
    (g) => g.requests.succeeded === 0 && (g.requests.total > 0 || g.stopped_early !== null),
  );
  if (dead.length > 0) {
    const group = dead[0]!;
    const [errorClass, message] = Object.entries(group.error_examples)[0] ?? ['', ''];
    const what = `${group.provider}/${group.model}/${group.scenario}`;
    const more =
      dead.length > 1 ? ` (and ${dead.length - 1} more provider/model/scenario pairs)` : '';
    const why = errorClass === '' ? '' : `: ${errorClass}: ${message}`;
    return `no request succeeded for ${what}${more}${why}`;
  }
  let total = 0;
  let failed = 0;
  for (const group of summary.groups) {
    total += group.requests.total;
    failed += group.requests.failed;
  }
  if (total === 0 || failed / total <= maxErrorRate) return undefined;
  const percent = (n: number) => `${Number((n * 100).toFixed(1))}%`;
  return `${percent(failed / total)} of the measured requests failed (${failed} of ${total}), more than --max-error-rate ${percent(maxErrorRate)}`;
}
