import { randomUUID } from 'node:crypto';
import { compareRuns, renderComparisonText } from '@llm-lens/comparison';
import type { LensConfig } from '@llm-lens/config';
import { createTargets, runBenchmark } from '@llm-lens/executor';
import type { HistoryStore } from '@llm-lens/history';
import type { GroupSummary, RunSummary } from '@llm-lens/metrics';
import type { ProviderSettings } from '@llm-lens/providers-core';
import Table from 'cli-table3';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';
import { installInterruptHandlers } from '../interrupts.js';
import { outputOptions } from '../output-options.js';
import {
  checkOutputs,
  type OutputFlags,
  openOutputs,
  pathVariablesOf,
  planOutputs,
} from '../outputs.js';
import { priceBookFromArgs } from '../pricing.js';
import {
  type Colors,
  createColors,
  formatMs,
  formatPercent,
  formatRate,
  formatUsd,
} from '../render/format.js';
import { ProgressLine } from '../render/progress-line.js';
import { historyLocation, loadRunSide, openHistoryAt } from '../run-sides.js';
import { TOOL_VERSION } from '../version.js';
import {
  type BenchmarkArgs,
  baseDirOf,
  configFromArgs,
  EXIT_CODES_EPILOG,
  failureReason,
  minTokensWarnings,
} from './benchmark.js';

export const command = 'compare [base] [new]';
export const describe =
  'Compare two finished runs with statistics (BASE NEW), or run the same workload on several provider:model targets, interleaved (-t)';

/** Rounds the requests are split into when --rounds is not given (fewer when there are fewer requests). */
const DEFAULT_ROUNDS = 5;

export function builder(extensions: CliExtensions) {
  const types = extensions.registry.providerFactories.map((f) => f.type);
  return (yargs: Argv) =>
    outputOptions(yargs, extensions)
      .positional('base', {
        type: 'string',
        describe:
          'The earlier run: a summary (.json), records (.jsonl), a run file (.msgpack), history:latest or history:<tag|run id>',
      })
      .positional('new', {
        type: 'string',
        describe: 'The run to judge against it, in the same forms',
      })
      .option('history', {
        type: 'string',
        describe: 'The results history for history:... (a SQLite file or a postgres:// URL)',
      })
      .option('seed', {
        type: 'number',
        describe: 'Seed of the bootstrap resampling (the same seed gives the same intervals)',
      })
      .option('targets', {
        alias: 't',
        type: 'string',
        describe: `Run live: a comma-separated TARGET:MODEL list; TARGET is a provider type (${types.join(', ')}) or a provider name from --config; add @BASE_URL to point a type at a server (openai-compatible:llama3@http://localhost:8000/v1)`,
      })
      .option('config', {
        alias: 'c',
        type: 'string',
        describe:
          'Config file: its first scenario is the workload, its providers can be named in --targets',
      })
      .option('requests', {
        alias: 'n',
        type: 'number',
        describe: 'Measured requests per target (default 20)',
      })
      .option('concurrency', {
        alias: 'C',
        type: 'number',
        describe: 'Requests in flight per target (default 1)',
      })
      .option('warmup', {
        alias: 'w',
        type: 'number',
        describe: 'Warm-up requests per target, left out (default 1)',
      })
      .option('rounds', {
        type: 'number',
        describe: `Split each target's requests into this many rounds, run in turn, so drift over time hits every target alike (default ${DEFAULT_ROUNDS})`,
      })
      .option('prompt', { type: 'string', describe: 'Prompt text (sent as one user message)' })
      .option('prompt-file', { type: 'string', describe: 'Read the prompt from this file' })
      .option('max-tokens', { type: 'number', describe: 'Output token limit per request' })
      .option('min-tokens', {
        type: 'number',
        describe:
          'Ask for at least this many output tokens (min_tokens + ignore_eos); only vLLM-compatible targets take it, the others are warned about',
      })
      .option('temperature', { type: 'number', describe: 'Sampling temperature' })
      .option('stream', {
        type: 'boolean',
        describe: 'Stream responses (--no-stream for one JSON body)',
      })
      .option('timeout', { type: 'number', describe: 'Per-request total timeout, ms' })
      .option('pricing', {
        type: 'string',
        describe: 'YAML/JSON file of model prices over the built-in catalog',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the summary JSON instead of the table',
      })
      .example(
        '$0 compare -t openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest -n 30',
        'Two hosted models, same prompt and schedule, interleaved',
      )
      .example(
        '$0 compare -t mock:fast-model,openai-compatible:llama3@http://localhost:8000/v1',
        'The simulator against a local server',
      )
      .epilog(EXIT_CODES_EPILOG);
}

export interface CompareArgs extends BenchmarkArgs {
  targets?: string | undefined;
  base?: string | undefined;
  new?: string | undefined;
  history?: string | undefined;
  rounds?: number | undefined;
}

/** One `--targets` item: who (a type or a configured provider name), which model, where. */
export interface TargetSpec {
  target: string;
  model: string;
  baseUrl?: string;
}

/** Parses `--targets`; every item needs a target and a model. */
export function parseTargets(text: string): TargetSpec[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new CliError('--targets: name at least one TARGET:MODEL');
  return items.map((item) => {
    const at = item.indexOf('@');
    const head = at === -1 ? item : item.slice(0, at);
    const baseUrl = at === -1 ? undefined : item.slice(at + 1);
    const colon = head.indexOf(':');
    if (colon <= 0 || colon === head.length - 1 || baseUrl === '') {
      throw new CliError(
        `--targets: "${item}" is not TARGET:MODEL[@BASE_URL] (e.g. openai:gpt-4o-mini, anthropic:claude-3-5-haiku-latest, openai-compatible:llama3@http://localhost:8000/v1)`,
      );
    }
    const spec: TargetSpec = { target: head.slice(0, colon), model: head.slice(colon + 1) };
    if (baseUrl !== undefined) spec.baseUrl = baseUrl;
    return spec;
  });
}

/** One provider entry per target, named so that every row of the table is told apart. */
export function providersForTargets(
  specs: readonly TargetSpec[],
  configured: readonly ProviderSettings[],
  types: readonly string[],
): ProviderSettings[] {
  const used = new Map<string, number>();
  return specs.map((spec) => {
    const fromConfig = configured.find((p) => p.name === spec.target);
    if (fromConfig === undefined && !types.includes(spec.target)) {
      const names = configured.map((p) => p.name);
      throw new CliError(
        `--targets: "${spec.target}" is neither a provider type (${types.join(', ')})${names.length > 0 ? ` nor a provider of the config (${names.join(', ')})` : ''}`,
      );
    }
    const base: ProviderSettings = fromConfig ?? {
      name: spec.target,
      type: spec.target,
      models: [],
    };
    const seen = (used.get(base.name) ?? 0) + 1;
    used.set(base.name, seen);
    const settings: ProviderSettings = {
      ...base,
      name: seen === 1 ? base.name : `${base.name}#${seen}`,
      models: [spec.model],
    };
    if (spec.baseUrl !== undefined) settings.base_url = spec.baseUrl;
    return settings;
  });
}

export async function handler(args: CompareArgs, extensions: CliExtensions): Promise<number> {
  if (args.base !== undefined || args.new !== undefined) {
    if (args.targets !== undefined) {
      throw new CliError(
        'compare: give either two finished runs (compare BASE NEW) or targets to run (-t), not both',
      );
    }
    return compareFinishedRuns(args);
  }
  if (args.targets === undefined) {
    throw new CliError(
      'compare: give two finished runs to judge (llm-lens compare base.json new.json), or targets to run side by side (-t openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest)',
    );
  }
  const specs = parseTargets(args.targets);
  const types = extensions.registry.providerFactories.map((f) => f.type);
  // The workload: the config's first scenario (or the defaults), with the flags over it.
  const base = await configFromArgs(
    {
      ...args,
      provider: undefined,
      baseUrl: undefined,
      model: undefined,
      concurrency: args.concurrency ?? (args.config === undefined ? 1 : undefined),
      warmup: args.warmup ?? (args.config === undefined ? 1 : undefined),
      workers: '1',
    },
    extensions,
  );
  const scenario = base.scenarios[0];
  if (scenario === undefined) throw new CliError('compare needs a scenario: the config has none');
  // Every target runs the one workload, whatever providers the scenario was limited to.
  const { providers: _limitedTo, ...workload } = scenario;
  const config: LensConfig = {
    ...base,
    providers: providersForTargets(
      specs,
      args.config === undefined ? [] : base.providers,
      types,
    ) as LensConfig['providers'],
    scenarios: [workload],
  };
  if (scenario.requests === undefined) {
    throw new CliError(
      `compare splits a number of requests into interleaved rounds; scenario ${JSON.stringify(scenario.name)} has a duration and no request count: set --requests (or requests: in the config) instead`,
    );
  }
  const rounds = args.rounds ?? Math.min(DEFAULT_ROUNDS, Math.max(1, scenario.requests));
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new CliError(`--rounds: must be a whole number >= 1, got ${args.rounds}`);
  }
  const runId = randomUUID();
  const outputs = planOutputs(
    config,
    args as unknown as OutputFlags,
    extensions.exporters,
    pathVariablesOf(config, runId),
  );
  checkOutputs(outputs);
  const opened = openOutputs(outputs, args as unknown as OutputFlags, {
    recordTokens: config.outputs.record_tokens,
    runId,
  });
  const resolved = await createTargets(config.providers, extensions.registry, {
    baseDir: baseDirOf(args),
    maxConcurrency: scenario.concurrency,
    prices: await priceBookFromArgs(args),
  });
  const progress = new ProgressLine(process.stderr);
  const interrupts = installInterruptHandlers(() => progress.clear());
  let summary: RunSummary;
  try {
    const { sinks } = opened;
    if (!args.json) {
      for (const [name, where] of resolved.endpoints) process.stderr.write(`${name}: ${where}\n`);
      process.stderr.write(
        `Same workload on ${specs.length} targets: ${scenario.requests} requests each at concurrency ${scenario.concurrency}, in ${rounds} interleaved rounds\n`,
      );
    }
    // A target that drops min_tokens generates other lengths: the comparison is not like for like.
    for (const warning of minTokensWarnings(config, resolved.targets)) {
      process.stderr.write(`${warning}\n`);
    }
    summary = await runBenchmark(config, {
      targets: resolved.targets,
      registry: extensions.registry,
      sinks,
      secrets: resolved.secrets,
      tokenizer: 'offline',
      workers: 1,
      interleaveRounds: rounds,
      // A config's budget holds here too; it is never silently dropped.
      ...(config.max_cost_usd === undefined ? {} : { maxCostUsd: config.max_cost_usd }),
      signal: interrupts.stop,
      cancelSignal: interrupts.cancel,
      ...(progress.enabled ? { onProgress: (event) => progress.update(event) } : {}),
      meta: { toolVersion: TOOL_VERSION, runId },
    });
  } finally {
    progress.clear();
    interrupts.dispose();
    await resolved.close();
  }
  const interrupted = interrupts.stop.aborted;
  if (interrupted && summary.complete) summary.complete = false;
  await opened.finish(summary);
  if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else process.stdout.write(renderComparison(summary, createColors(process.stdout)));
  if (interrupted) return EXIT.interrupted;
  const failure = failureReason(summary, config.outputs.max_error_rate);
  if (failure !== undefined) {
    process.stderr.write(`error: ${failure}\n`);
    return EXIT.failedRequests;
  }
  return EXIT.ok;
}

const ms = (value: number | undefined): string => formatMs(value);

/** The side-by-side table: one row per target, the columns users compare providers on. */
export function renderComparison(summary: RunSummary, colors: Colors): string {
  const table = new Table({
    head: [
      'target',
      'TTFT p50',
      'TTFT p95',
      'ITL p50',
      'TPOT p50',
      'E2E p95',
      'tok/s p50',
      'cost/request',
      'success',
    ],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  const rows = summary.groups.map((group: GroupSummary) => [
    `${group.provider}:${group.model}`,
    ms(group.ttft?.p50),
    ms(group.ttft?.p95),
    ms(group.itl?.p50),
    ms(group.tpot?.p50),
    ms(group.e2e?.p95),
    formatRate(group.output_tokens_per_s?.p50),
    group.cost === null ? colors.dim('unknown') : formatUsd(group.cost.per_request_usd),
    group.success_rate === 1 ? formatPercent(1) : colors.yellow(formatPercent(group.success_rate)),
  ]);
  for (const row of rows) table.push(row);
  const notes = [
    colors.dim(
      'Latencies in ms. ITL is per token; TPOT is (last − first token) / (output tokens − 1); tok/s is output tokens / E2E per request.',
    ),
  ];
  if (summary.groups.some((g) => g.cost === null)) {
    notes.push(colors.dim('Cost unknown: no price for that model; add one with --pricing FILE.'));
  }
  for (const group of summary.groups) {
    const errors = Object.entries(group.errors);
    if (errors.length === 0) continue;
    notes.push(
      colors.yellow(
        `${group.provider}:${group.model}: ${errors.map(([cls, n]) => `${cls} ${n}`).join(', ')}${group.error_examples[errors[0]![0]] === undefined ? '' : ` (first: ${group.error_examples[errors[0]![0]]})`}`,
      ),
    );
  }
  if (summary.fidelity.client_bound === true) {
    notes.push(colors.red('CLIENT-BOUND: numbers may describe this machine, not the APIs.'));
  }
  if (!summary.complete) notes.push(colors.yellow('Run interrupted: results are partial.'));
  return `${table.toString()}\n${notes.join('\n')}\n`;
}

/**
 * `compare BASE NEW`: each group matched by provider/model/scenario, side by side, with a
 * verdict from a seeded bootstrap and Mann–Whitney test when both runs have records, and
 * from the labelled conservative rule when one is a summary alone.
 */
async function compareFinishedRuns(args: CompareArgs): Promise<number> {
  if (args.base === undefined || args.new === undefined) {
    throw new CliError(
      'compare: give both runs, BASE then NEW (llm-lens compare base.json new.json)',
    );
  }
  let store: HistoryStore | undefined;
  const history = async () => {
    store ??= await openHistoryAt(historyLocation(args.history));
    return store;
  };
  try {
    const base = await loadRunSide(args.base, 'BASE', history);
    const next = await loadRunSide(args.new, 'NEW', history);
    const comparison = compareRuns(base.input, next.input, {
      ...(args.seed === undefined ? {} : { seed: args.seed }),
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
    } else {
      const colors = createColors(process.stdout);
      process.stdout.write(
        renderComparisonText(comparison, {
          styleVerdict: (verdict, text) =>
            verdict === 'worse'
              ? colors.red(text)
              : verdict === 'better'
                ? colors.green(text)
                : text,
        }),
      );
    }
    return EXIT.ok;
  } finally {
    await store?.close();
  }
}
