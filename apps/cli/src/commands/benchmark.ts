import {
  applyOverrides,
  type CliOverrides,
  type LensConfig,
  loadConfigFile,
  type ProviderType,
} from '@llm-lens/config';
import type { RequestRecord } from '@llm-lens/core-timing';
import { type ProgressEvent, runBenchmark } from '@llm-lens/executor';
import { formatSummaryJson, JsonlRecordWriter, writeSummaryJson } from '@llm-lens/exporters-json';
import type { RunSummary } from '@llm-lens/metrics';
import { createTokenCounter } from '@llm-lens/providers-core';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';
import { installInterruptHandlers } from '../interrupts.js';
import { ErrorExamples } from '../render/error-examples.js';
import { createColors } from '../render/format.js';
import { ProgressLine } from '../render/progress-line.js';
import { renderSummary } from '../render/summary-table.js';
import { PROVIDER_TYPES, resolveTargets } from '../target-registry.js';
import { TOOL_VERSION } from '../version.js';

export const command = 'benchmark';
export const describe =
  'Send many requests and report TTFT, ITL, TPOT, E2E, throughput and errors (default: the built-in simulator)';

/** Flags shared by `benchmark` and `profile`. */
export function targetOptions(yargs: Argv) {
  return yargs
    .option('config', {
      alias: 'c',
      type: 'string',
      describe: 'Config file (YAML, JSON or TOML); flags override it',
    })
    .option('provider', {
      alias: 'p',
      type: 'string',
      choices: PROVIDER_TYPES as unknown as string[],
      describe: 'Provider type; without --provider and --config the built-in simulator is used',
    })
    .option('base-url', {
      type: 'string',
      describe: 'Base URL incl. version path, e.g. http://localhost:8000/v1',
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
      describe: 'Per-request total timeout in ms (default 120000)',
    });
}

export function builder(yargs: Argv) {
  return targetOptions(yargs)
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
      describe: 'Requests sent first and excluded from the statistics',
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      describe: 'Write the summary JSON to this file',
    })
    .option('records', {
      type: 'string',
      describe: 'Write one JSON line per request to this file, as requests finish',
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
    .example('$0 benchmark', 'Simulator: 20 requests at concurrency 4, no API key needed')
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
    );
}

export interface BenchmarkArgs {
  config?: string | undefined;
  provider?: string | undefined;
  baseUrl?: string | undefined;
  apiKeyEnv?: string | undefined;
  model?: string | undefined;
  prompt?: string | undefined;
  promptFile?: string | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  stream?: boolean | undefined;
  timeout?: number | undefined;
  requests?: number | undefined;
  concurrency?: number | undefined;
  warmup?: number | undefined;
  output?: string | undefined;
  records?: string | undefined;
  recordTokens?: boolean | undefined;
  json?: boolean | undefined;
  maxErrorRate?: number | undefined;
  grace?: number | undefined;
}

/** Loads the config (or the built-in default) and layers the flags over it. */
export async function configFromArgs(args: BenchmarkArgs): Promise<LensConfig> {
  const overrides: CliOverrides = {
    provider: args.provider as ProviderType | undefined,
    baseUrl: args.baseUrl,
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
    timeoutMs: args.timeout,
    output: args.output,
    records: args.records,
    recordTokens: args.recordTokens,
    maxErrorRate: args.maxErrorRate,
  };
  const base = args.config === undefined ? undefined : await loadConfigFile(args.config);
  return applyOverrides(base, overrides);
}

export async function handler(args: BenchmarkArgs): Promise<number> {
  const config = await configFromArgs(args);
  const resolved = await resolveTargets(config);
  const records = config.outputs.records
    ? new JsonlRecordWriter(config.outputs.records, { recordTokens: config.outputs.record_tokens })
    : undefined;
  const progress = new ProgressLine(process.stderr);
  const interrupts = installInterruptHandlers(() => progress.clear());
  const colors = createColors(process.stdout);
  const errorExamples = new ErrorExamples();
  if (!args.json) {
    for (const [name, where] of resolved.endpoints) {
      process.stderr.write(`${name}: ${where}\n`);
    }
  }
  let summary: RunSummary;
  try {
    summary = await runBenchmark(config, {
      targets: resolved.targets,
      signal: interrupts.stop,
      cancelSignal: interrupts.cancel,
      graceMs: args.grace ?? 10_000,
      // Progress is computed on the event loop that stamps responses: only when it is drawn.
      ...(progress.enabled ? { onProgress: (event: ProgressEvent) => progress.update(event) } : {}),
      onRecord: (record) => {
        const safe = redactRecord(record, resolved.secrets);
        errorExamples.add(safe);
        records?.write(safe);
      },
      tokenCounterFor: (model) => createTokenCounter(model),
      meta: { toolVersion: TOOL_VERSION },
    });
  } finally {
    progress.clear();
    interrupts.dispose();
    await records?.close();
    await resolved.close();
  }
  const interrupted = interrupts.stop.aborted;
  if (interrupted && summary.complete) summary.complete = false;
  if (config.outputs.summary) writeSummaryJson(config.outputs.summary, summary);
  if (args.json) process.stdout.write(formatSummaryJson(summary));
  else process.stdout.write(renderSummary(summary, colors, errorExamples));
  if (!args.json) {
    const written = [config.outputs.summary, config.outputs.records].filter(Boolean);
    if (written.length > 0) process.stderr.write(`Wrote ${written.join(', ')}\n`);
  }
  if (interrupted) return EXIT.interrupted;
  return exceedsErrorRate(summary, config.outputs.max_error_rate) ? EXIT.failedRequests : EXIT.ok;
}

/**
 * Masks any API key a server echoed back into an error message. Keys are never put into
 * records by us; this guards against servers that quote the credential they rejected.
 */
function redactRecord(record: RequestRecord, secrets: readonly string[]): RequestRecord {
  const message = record.errorMessage;
  if (message === undefined || !secrets.some((s) => message.includes(s))) return record;
  let redacted = message;
  for (const secret of secrets) redacted = redacted.split(secret).join('[redacted]');
  return { ...record, errorMessage: redacted };
}

/** Whether failed measured requests exceed the allowed share in any group. */
export function exceedsErrorRate(summary: RunSummary, maxErrorRate: number): boolean {
  let total = 0;
  let failed = 0;
  for (const group of summary.groups) {
    total += group.requests.total;
    failed += group.requests.failed;
  }
  if (total === 0) return false;
  return failed / total > maxErrorRate;
}

export { CliError };
