import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { renderComparisonText } from '@llm-lens/comparison';
import {
  applyOverrides,
  type CliOverrides,
  type LensConfig,
  loadConfigFile,
} from '@llm-lens/config';
import {
  type BenchmarkTarget,
  type ConversationPlan,
  type ConversationTurnPlan,
  createTargets,
  type ProgressEvent,
  type PromptItemPlan,
  runBenchmark,
  type ScenarioConversations,
  type ScenarioPrompts,
  scenarioMaxInFlight,
} from '@llm-lens/executor';
import { ThresholdMonitor } from '@llm-lens/gates';
import type { FidelityCalibration, RunSummary } from '@llm-lens/metrics';
import {
  ServerMetricsError,
  type ServerMetricsScrape,
  startServerMetrics,
} from '@llm-lens/server-metrics';
import {
  type Conversation,
  loadConversationSet,
  loadPromptSet,
  loadReplayLog,
  type PromptItem,
  preparePromptItems,
} from '@llm-lens/workloads';
import type { Argv } from 'yargs';
import { BaselinePlan, DEFAULT_REGRESSIONS } from '../baseline-run.js';
import { CliError, EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';
import {
  AbortOnFailSink,
  type GatePlan,
  hasGates,
  judgeRun,
  planGates,
  renderGatesTable,
  writeGateOutputs,
} from '../gates-run.js';
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
  4    a threshold (--threshold) or a regression check against --baseline failed
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
    .option('min-tokens', {
      type: 'number',
      describe:
        'Ask for at least this many output tokens (min_tokens + ignore_eos), so every request generates the same length; with --max-tokens equal, exactly that many. Only vLLM-compatible servers (openai-compatible, the simulator) take it; others are warned about',
    })
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
  return (yargs: Argv) =>
    outputOptions(targetOptions(yargs, extensions), extensions)
      .option('prompts', {
        type: 'string',
        describe:
          'A different prompt per request from a dataset: .jsonl ({prompt} or {messages} per line), .json (ShareGPT), anything else one prompt per line',
      })
      .option('input-tokens', {
        type: 'string',
        describe:
          "Synthetic prompts of this many tokens in the model's vocabulary: 512, 512±128 (normal), 256..768 (uniform)",
      })
      .option('output-tokens', {
        type: 'string',
        describe:
          'Output length (max_tokens) of each request of --prompts or --input-tokens, same forms',
      })
      .option('replay', {
        type: 'string',
        describe:
          'Replay a JSONL log of production requests ({timestamp, prompt or messages, max_tokens} per line) at its original gaps',
      })
      .option('time-scale', {
        type: 'number',
        describe:
          'With --replay: play the log this many times as fast (2 halves every gap; default 1)',
      })
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
      .option('warmup-duration', {
        type: 'string',
        describe:
          'Warm up for this long (e.g. 30s) at the concurrency, unmeasured; with --warmup N, whichever ends first',
      })
      .option('cooldown', {
        type: 'string',
        describe:
          'Keep the load on, unmeasured, for up to this long after the measured phase stops sending (e.g. 10s), so its last requests see the same load',
      })
      .option('duration', {
        type: 'string',
        describe:
          'Length of the measured phase (e.g. 30s, 5m, or seconds); without --requests, no request cap',
      })
      .option('load', {
        type: 'string',
        choices: extensions.registry.loadPatterns.map((p) => p.type),
        describe:
          'How requests are scheduled: closed (a new one as one finishes, -C in flight; the default), open (--rate per second), burst (waves of -C at once, --pause apart)',
      })
      .option('rate', {
        type: 'number',
        describe:
          'Open loop: requests per second, sent on schedule whether or not earlier ones finished (implies --load open)',
      })
      .option('arrival', {
        type: 'string',
        choices: ['constant', 'poisson'],
        describe:
          'Open loop: evenly spaced arrivals (default) or Poisson arrivals (random, seeded)',
      })
      .option('seed', {
        type: 'number',
        describe:
          'Open loop: seed of the Poisson arrivals, so two runs send at the same times (default 1)',
      })
      .option('max-in-flight', {
        type: 'number',
        describe:
          'Open loop: at most this many requests in flight; later arrivals wait, and still count their latency from their arrival (default: no cap)',
      })
      .option('pause', {
        type: 'string',
        describe: 'Burst: time between the end of one wave and the next (e.g. 2s; default 1s)',
      })
      .option('sweep', {
        type: 'string',
        describe:
          'Run each scenario at several load levels and find the knee: concurrency=1,2,4,8 (closed loop) or rate=1..20:step=2 (open loop; also 1..64:x2)',
      })
      .option('slo', {
        type: 'string',
        array: true,
        describe:
          'A per-request bound for goodput, NAME=MS, repeatable: ttft_ms, tpot_ms, e2e_ms, ttft_from_schedule_ms, e2e_from_schedule_ms (e.g. --slo ttft_ms=500 --slo tpot_ms=50)',
      })
      .option('connection-mode', {
        type: 'string',
        choices: ['keep-alive', 'new'],
        describe:
          "How requests use connections (every provider's connection_mode): keep-alive reuses them (default); new opens one per request, so every record has dns, connect and tls",
      })
      .option('http2', {
        type: 'boolean',
        describe:
          "Offer HTTP/2 by ALPN on https endpoints (every provider's http2); each record that opened a connection says which protocol it got",
      })
      .option('max-attempts', {
        type: 'number',
        describe:
          "Attempts per request, the first included (1 = no retries; every provider's retries.max_attempts). Retried: rate_limited, server_error, network, timeout_connect (retries.retry_on), after a backoff with full jitter, or the server's Retry-After when longer. Each attempt is its own record, linked by first_request_id; the statistics count a request once, by its last attempt",
      })
      .option('rpm', {
        type: 'number',
        describe:
          "Client-side rate limit: at most N requests per minute to each provider (every provider's rate_limits.requests_per_minute; split across --workers). Default none",
      })
      .option('tpm', {
        type: 'number',
        describe:
          "Client-side rate limit: at most N tokens per minute to each provider, input + max_tokens estimated before sending (every provider's rate_limits.tokens_per_minute). Default none",
      })
      .option('max-cost', {
        type: 'number',
        describe:
          "Budget in USD: stop dispatching before the estimated spend would pass it, and say so. Each request counts at its worst case (input + max_tokens at the model's price) until its real cost is known. Needs a price for every model (the catalog or --pricing) and max_tokens in every scenario",
      })
      .option('repeat', {
        type: 'number',
        describe:
          'Run the whole benchmark this many times and report each statistic across the runs: mean, spread and a 95% confidence interval, so a difference between two configs can be told from noise (default 1)',
      })
      .option('saturation-guard', {
        type: 'boolean',
        describe:
          'Stop a measured phase once it is past saturation, and say so: its error rate above 50% in 2 windows of 5 s in a row, or its latency from the schedule rising 3 windows in a row to twice where it was (settings: saturation_guard in the config)',
      })
      .option('server-metrics', {
        type: 'string',
        describe:
          "Scrape the server's Prometheus endpoint during the run (vLLM, TGI, llama.cpp; e.g. http://localhost:8000/metrics) and report its own view beside ours",
      })
      .option('server-metrics-interval', {
        type: 'number',
        describe: 'Milliseconds between two scrapes of --server-metrics (default 1000)',
      })
      .option('workers', {
        type: 'string',
        describe:
          'Threads that generate the load: a number, or "auto" (from the cores and the concurrency). Default 1',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the summary JSON to stdout instead of the table',
      })
      .option('threshold', {
        type: 'string',
        array: true,
        requiresArg: true,
        describe:
          "Fail the run (exit 4) unless a group statistic meets a limit, repeatable: 'ttft.p95<800', 'success_rate>=0.99', 'openai:gpt-4o-mini/e2e.p99<4s' (thresholds: in the config)",
      })
      .option('abort-on-fail', {
        type: 'boolean',
        describe:
          'Stop dispatching as soon as a threshold can no longer pass (certain from the planned count, or failing over 100 samples)',
      })
      .option('junit', {
        type: 'string',
        describe: 'Write JUnit XML: a test case per threshold and per regression check',
      })
      .option('markdown', {
        type: 'string',
        describe:
          'Write a Markdown summary for a pull request (results, thresholds, the comparison); also appended to $GITHUB_STEP_SUMMARY when set',
      })
      .option('baseline', {
        type: 'string',
        describe:
          'Compare the run with an earlier one (a summary, records or .msgpack run file; history:latest or history:<tag|run id>) and fail (exit 4) on a significant regression',
      })
      .option('regression', {
        type: 'string',
        array: true,
        requiresArg: true,
        describe: `A tolerance against --baseline, repeatable: 'ttft.p95:+10%', 'e2e.p50:+50ms'; a regression is past it AND statistically significant (default ${DEFAULT_REGRESSIONS.join(', ')})`,
      })
      .option('save', {
        type: 'boolean',
        describe: 'Save the run to the results history (history: true in the config)',
      })
      .option('history', {
        type: 'string',
        describe:
          'The results history: a SQLite file (default ~/.local/share/llm-lens/history.db) or a postgres:// URL',
      })
      .option('tag', {
        type: 'string',
        array: true,
        requiresArg: true,
        describe: 'Label the saved run (repeatable), to find it later: --baseline history:<tag>',
      })
      .option('save-records', {
        type: 'boolean',
        describe:
          'Save the per-request records with the run (large; lets a later --baseline use the full statistics)',
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
        '$0 benchmark --rate 10 --arrival poisson --duration 60s',
        'Open loop on the simulator: Poisson arrivals at 10 requests/s for one minute',
      )
      .example(
        '$0 benchmark --load burst -C 16 -n 64 --pause 2s',
        'Four waves of 16 simultaneous requests, 2 s apart',
      )
      .example(
        '$0 benchmark --sweep concurrency=1,2,4,8,16,32 -n 40',
        'Where does the server saturate? One run per concurrency level, then the knee',
      )
      .example(
        '$0 benchmark --rate 5 --duration 2m --slo ttft_ms=500 --slo tpot_ms=50',
        'Goodput: how many requests per second met both bounds',
      )
      .example(
        '$0 benchmark -p openai -m gpt-4o-mini -n 500 -C 32 --max-attempts 4 --rpm 500',
        'Retry 429s, 5xx and network errors (up to 4 attempts), never more than 500 requests/min',
      )
      .example(
        '$0 benchmark -p openai -m gpt-4o-mini --duration 10m --rate 5 --max-tokens 256 --max-cost 2.50',
        'Stop sending before the run could cost more than $2.50',
      )
      .example(
        '$0 benchmark --repeat 5 -n 100 -C 8',
        'Five runs of the same benchmark: each statistic with its spread and 95% confidence interval',
      )
      .example(
        '$0 benchmark --sweep rate=2,4,8,16,32 --duration 30s --saturation-guard',
        'A rate sweep that cuts a level short once requests queue up faster than they are served',
      )
      .example(
        'OPENAI_API_KEY=... $0 benchmark -p openai -m gpt-4o-mini --records runs/r.jsonl -o runs/summary.json',
        'OpenAI, keeping every request and the summary',
      )
      .example(
        '$0 benchmark -p openai-compatible --base-url http://localhost:8000/v1 -m my-model --input-tokens 1024 --max-tokens 256 --min-tokens 256',
        'Fixed output lengths on vLLM: every request generates exactly 256 tokens',
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
  minTokens?: number | undefined;
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
  duration?: string | undefined;
  prompts?: string | undefined;
  inputTokens?: string | undefined;
  outputTokens?: string | undefined;
  replay?: string | undefined;
  timeScale?: number | undefined;
  warmupDuration?: string | undefined;
  cooldown?: string | undefined;
  load?: string | undefined;
  rate?: number | undefined;
  arrival?: string | undefined;
  seed?: number | undefined;
  maxInFlight?: number | undefined;
  pause?: string | undefined;
  sweep?: string | undefined;
  slo?: string[] | undefined;
  connectionMode?: string | undefined;
  http2?: boolean | undefined;
  maxAttempts?: number | undefined;
  rpm?: number | undefined;
  tpm?: number | undefined;
  maxCost?: number | undefined;
  repeat?: number | undefined;
  saturationGuard?: boolean | undefined;
  serverMetrics?: string | undefined;
  serverMetricsInterval?: number | undefined;
  workers?: string | undefined;
  output?: string | undefined;
  export?: string[] | undefined;
  records?: string | undefined;
  recordsFormat?: string | undefined;
  recordTokens?: boolean | undefined;
  json?: boolean | undefined;
  threshold?: string[] | undefined;
  abortOnFail?: boolean | undefined;
  junit?: string | undefined;
  markdown?: string | undefined;
  baseline?: string | undefined;
  regression?: string[] | undefined;
  save?: boolean | undefined;
  history?: string | undefined;
  tag?: string[] | undefined;
  saveRecords?: boolean | undefined;
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
    duration: args.duration,
    prompts: args.prompts,
    inputTokens: args.inputTokens,
    outputTokens: args.outputTokens,
    replay: args.replay,
    timeScale: args.timeScale,
    warmupDuration: args.warmupDuration,
    cooldown: args.cooldown,
    load: args.load,
    rate: args.rate,
    arrival: args.arrival,
    seed: args.seed,
    maxInFlight: args.maxInFlight,
    pause: args.pause,
    sweep: args.sweep,
    slo: args.slo,
    connectionMode: args.connectionMode,
    http2: args.http2,
    maxAttempts: args.maxAttempts,
    rpm: args.rpm,
    tpm: args.tpm,
    maxCost: args.maxCost,
    repeat: args.repeat,
    saturationGuard: args.saturationGuard,
    maxTokens: args.maxTokens,
    minTokens: args.minTokens,
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

/**
 * The most requests the config's scenarios can have in flight, which sizes each target's
 * connection pool; undefined (no limit) when an open loop has no `max_in_flight`.
 */
export function maxInFlightOf(config: LensConfig, extensions: CliExtensions): number | undefined {
  const most = Math.max(
    ...config.scenarios.map((s) => {
      const { type, ...settings } = s.load;
      const concurrency = Math.max(s.concurrency, ...(s.sweep?.concurrency ?? []));
      return scenarioMaxInFlight(
        {
          concurrency,
          requests: s.requests ?? Number.POSITIVE_INFINITY,
          ...(s.cooldown === undefined ? {} : { cooldownMs: s.cooldown * 1000 }),
          // A rate sweep runs open loops, capped only by the scenario's max_in_flight.
          load: s.sweep?.rate === undefined ? { type, settings } : { type: 'open', settings },
        },
        extensions.registry,
      );
    }),
  );
  return Number.isFinite(most) ? most : undefined;
}

/** Prompts prepared per scenario: at most this many, then they repeat. */
export const MAX_PREPARED_PROMPTS = 10_000;

/**
 * The prompts of each scenario with a `prompts:` source, read and built before the run
 * (synthetic prompts cost about a millisecond each, never to be paid while requests are in
 * flight): as many as its warm-up and measured requests need, at most
 * {@link MAX_PREPARED_PROMPTS}. Synthetic lengths are counted in the vocabulary of the first
 * provider's first model unless the source names a model.
 */
export async function loadScenarioPrompts(
  config: LensConfig,
  baseDir: string,
): Promise<Map<string, ScenarioPrompts>> {
  const prompts = new Map<string, ScenarioPrompts>();
  const model = config.providers[0]?.models[0];
  for (const [index, scenario] of config.scenarios.entries()) {
    if (scenario.replay !== undefined) {
      const log = await loadReplayLog(scenario.replay.path, {
        baseDir,
        ...(scenario.replay.time_scale === undefined
          ? {}
          : { timeScale: scenario.replay.time_scale }),
        ...(scenario.replay.max_entries === undefined
          ? {}
          : { maxEntries: scenario.replay.max_entries }),
        field: `scenarios[${index}].replay.path`,
      });
      prompts.set(scenario.name, {
        description: log.description,
        items: log.entries.map(({ item }) => promptItemPlan(item)),
        offsetsMs: log.entries.map((entry) => entry.offsetMs),
      });
      continue;
    }
    if (scenario.prompts === undefined) continue;
    const set = await loadPromptSet(scenario.prompts, {
      baseDir,
      ...(model === undefined ? {} : { model }),
      field: `scenarios[${index}].prompts`,
    });
    prompts.set(scenario.name, {
      description: set.description,
      items: preparePromptItems(set, preparedCount(scenario, set.size)).map(promptItemPlan),
    });
  }
  return prompts;
}

/**
 * Items to prepare for a scenario before the run: one per warm-up and measured request
 * (or session), at most the distinct items of the set and {@link MAX_PREPARED_PROMPTS}.
 */
function preparedCount(scenario: LensConfig['scenarios'][number], size: number): number {
  const needed = scenario.warmup + (scenario.requests ?? Number.POSITIVE_INFINITY);
  return Math.max(1, Math.min(size, needed, MAX_PREPARED_PROMPTS));
}

/** What the executor needs of a workloads prompt item (the model and source stay behind). */
function promptItemPlan(item: PromptItem): PromptItemPlan {
  const plan: PromptItemPlan = { prompt: item.prompt };
  if (item.maxTokens !== undefined) plan.maxTokens = item.maxTokens;
  if (item.minTokens !== undefined) plan.minTokens = item.minTokens;
  return plan;
}

/**
 * The sessions of each scenario with a `conversations:` source, built before the run like
 * {@link loadScenarioPrompts}' prompts: one per warm-up and measured session, at most
 * {@link MAX_PREPARED_PROMPTS}, then they repeat.
 */
export async function loadScenarioConversations(
  config: LensConfig,
  baseDir: string,
): Promise<Map<string, ScenarioConversations>> {
  const conversations = new Map<string, ScenarioConversations>();
  const model = config.providers[0]?.models[0];
  for (const [index, scenario] of config.scenarios.entries()) {
    if (scenario.conversations === undefined) continue;
    const set = await loadConversationSet(scenario.conversations, {
      baseDir,
      ...(model === undefined ? {} : { model }),
      field: `scenarios[${index}].conversations`,
    });
    const items: ConversationPlan[] = [];
    for (let i = 0; i < preparedCount(scenario, set.size); i++) {
      items.push(conversationPlan(set.at(i)));
    }
    if (scenario.conversation_history === 'recorded') checkRecordedReplies(items, index);
    conversations.set(scenario.name, { description: set.description, items });
  }
  return conversations;
}

/**
 * `conversation_history: recorded` sends the dataset's replies as history: every turn before
 * a session's last needs one, or the history would hold empty assistant messages.
 */
function checkRecordedReplies(items: readonly ConversationPlan[], index: number): void {
  const missing = items.find((session) =>
    session.turns.slice(0, -1).some((turn) => turn.recordedReply === undefined),
  );
  if (missing === undefined) return;
  throw new CliError(
    `scenarios[${index}].conversation_history: recorded sends the dataset's replies as history, and ${missing.source} has a turn without one (synthetic conversations have none); use live, or a sharegpt source`,
  );
}

/** A workloads conversation as the executor's plain-data plan, without absent optionals. */
function conversationPlan(conversation: Conversation): ConversationPlan {
  const plan: ConversationPlan = {
    source: conversation.source,
    turns: conversation.turns.map((turn) => {
      const out: ConversationTurnPlan = { user: turn.user };
      if (turn.maxTokens !== undefined) out.maxTokens = turn.maxTokens;
      if (turn.minTokens !== undefined) out.minTokens = turn.minTokens;
      if (turn.recordedReply !== undefined) out.recordedReply = turn.recordedReply;
      return out;
    }),
    thinkTimeMs: [...conversation.thinkTimeMs],
  };
  if (conversation.system !== undefined) plan.system = conversation.system;
  return plan;
}

/**
 * One warning per provider whose adapter would drop a `min_tokens` that a scenario run
 * against it asks for (the scenario's key, or its prompts' or sessions' own lengths): its
 * outputs may then end early, and a comparison with a vLLM server would not be like for like.
 */
export function minTokensWarnings(
  config: LensConfig,
  targets: readonly BenchmarkTarget[],
  prompts: ReadonlyMap<string, ScenarioPrompts> = new Map(),
  conversations: ReadonlyMap<string, ScenarioConversations> = new Map(),
): string[] {
  const asking = config.scenarios.filter(
    (scenario) =>
      scenario.min_tokens !== undefined ||
      prompts.get(scenario.name)?.items.some((item) => item.minTokens !== undefined) === true ||
      conversations
        .get(scenario.name)
        ?.items.some((session) => session.turns.some((turn) => turn.minTokens !== undefined)) ===
        true,
  );
  const warned = new Set<string>();
  const warnings: string[] = [];
  for (const { provider } of targets) {
    if (provider.supportsMinTokens === true || warned.has(provider.name)) continue;
    const runsAgainst = asking.some(
      (scenario) => scenario.providers === undefined || scenario.providers.includes(provider.name),
    );
    if (!runsAgainst) continue;
    warned.add(provider.name);
    const type = config.providers.find((p) => p.name === provider.name)?.type ?? provider.id;
    warnings.push(
      `warning: min_tokens is not sent to ${provider.name} (${type}): only vLLM-compatible servers take it; its outputs may be shorter`,
    );
  }
  return warnings;
}

/**
 * Starts scraping `--server-metrics` and waits for the first scrape: the baseline the run's
 * histogram deltas start from, and the connection opened before any request is sent. A
 * first scrape that failed is a warning, not an error: the run measures the API regardless.
 */
async function startScrape(args: BenchmarkArgs): Promise<ServerMetricsScrape | undefined> {
  if (args.serverMetrics === undefined) return undefined;
  let scrape: ServerMetricsScrape;
  try {
    scrape = startServerMetrics({
      url: args.serverMetrics,
      ...(args.serverMetricsInterval === undefined
        ? {}
        : { intervalMs: args.serverMetricsInterval }),
    });
  } catch (error) {
    if (error instanceof ServerMetricsError) {
      throw new CliError(
        error.code === 'LENS_SERVER_METRICS_URL_INVALID'
          ? `--server-metrics: ${error.message.replace(/^server metrics URL: /, '')}`
          : `--server-metrics-interval: must be a whole number of milliseconds >= 1, got ${args.serverMetricsInterval}`,
      );
    }
    throw error;
  }
  const first = await scrape.firstScrape;
  if (!first.ok && !args.json) {
    process.stderr.write(
      `warning: --server-metrics: ${first.message}; the run goes on without the server's view until a scrape succeeds\n`,
    );
  }
  return scrape;
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
  const runId = randomUUID();
  const outputs = planOutputs(
    config,
    args as unknown as OutputFlags,
    extensions.exporters,
    pathVariablesOf(config, runId),
  );
  checkOutputs(outputs);
  const gates = planGates(config, args);
  const baseline = await BaselinePlan.open(config, args);
  const maxConcurrency = maxInFlightOf(config, extensions);
  let calibration: FidelityCalibration | undefined;
  if (args.calibrate) {
    calibration = await runCalibration(config, extensions, { quiet: args.json === true });
  }
  const prices = await priceBookFromArgs(args);
  // Datasets are read and synthetic prompts and sessions built now, before any connection is opened.
  const prompts = await loadScenarioPrompts(config, baseDirOf(args));
  const conversations = await loadScenarioConversations(config, baseDirOf(args));
  const resolved = await createTargets(config.providers, extensions.registry, {
    baseDir: baseDirOf(args),
    maxConcurrency,
    prices,
  });
  const progress = new ProgressLine(process.stderr);
  const interrupts = installInterruptHandlers(() => progress.clear());
  const colors = createColors(process.stdout);
  let summary: RunSummary;
  let scrape: ServerMetricsScrape | undefined;
  // Opened before the run: a bad format option fails here, before anything is sent.
  const opened = openOutputs(outputs, args as unknown as OutputFlags, {
    recordTokens: config.outputs.record_tokens,
    runId,
  });
  // --abort-on-fail stops dispatching like Ctrl-C does, without being an interrupt.
  const gateStop = new AbortController();
  const abortOnFail = gates.abortOnFail
    ? new AbortOnFailSink(monitorFor(gates, config), gateStop)
    : undefined;
  try {
    scrape = await startScrape(args);
    const sinks = [
      ...opened.sinks,
      ...baseline.sinks(),
      ...(abortOnFail === undefined ? [] : [abortOnFail]),
    ];
    if (!args.json) {
      for (const [name, where] of resolved.endpoints) process.stderr.write(`${name}: ${where}\n`);
      for (const [name, { description }] of prompts) {
        process.stderr.write(`prompts of ${name}: ${description}\n`);
      }
      for (const [name, { description }] of conversations) {
        process.stderr.write(`conversations of ${name}: ${description}\n`);
      }
    }
    // Even with --json: the numbers of such a provider are not what the config asked for.
    for (const warning of minTokensWarnings(config, resolved.targets, prompts, conversations)) {
      process.stderr.write(`${warning}\n`);
    }
    summary = await runBenchmark(config, {
      targets: resolved.targets,
      ...(prompts.size === 0 ? {} : { prompts }),
      ...(conversations.size === 0 ? {} : { conversations }),
      registry: extensions.registry,
      sinks,
      secrets: resolved.secrets,
      tokenizer: 'auto',
      signal:
        abortOnFail === undefined
          ? interrupts.stop
          : AbortSignal.any([interrupts.stop, gateStop.signal]),
      cancelSignal: interrupts.cancel,
      graceMs: args.grace ?? 10_000,
      // Progress is computed on the event loop that stamps responses: only when it is drawn.
      ...(progress.enabled ? { onProgress: (event: ProgressEvent) => progress.update(event) } : {}),
      ...(calibration === undefined ? {} : { calibration }),
      ...(config.max_cost_usd === undefined ? {} : { maxCostUsd: config.max_cost_usd }),
      meta: { toolVersion: TOOL_VERSION, runId },
    });
    if (scrape !== undefined) {
      summary.server_metrics = (await scrape.stop()) as unknown as Record<string, unknown>;
      scrape = undefined;
    }
  } finally {
    progress.clear();
    interrupts.dispose();
    await scrape?.stop();
    await resolved.close();
  }
  const interrupted = interrupts.stop.aborted;
  if (interrupted && summary.complete) summary.complete = false;
  const compared = baseline.compare(summary);
  const report = judgeRun(summary, gates, {
    aborted: abortOnFail?.breach,
    ...(compared === undefined
      ? {}
      : { baseline: compared.baseline, comparison: compared.table, regressions: compared.checks }),
  });
  const judged = hasGates(gates, report);
  if (judged) summary.gates = report as unknown as Record<string, unknown>;
  await opened.finish(summary);
  const gateFiles = writeGateOutputs(summary, gates, report);
  const saved = await baseline.finish(summary);
  if (saved !== undefined) gateFiles.push(saved);
  if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    process.stdout.write(renderSummary(summary, colors));
    if (compared !== undefined) {
      process.stdout.write(
        `\nAgainst the baseline ${baseline.baselineText}\n${renderComparisonText(compared.comparison)}`,
      );
    }
    if (judged) process.stdout.write(renderGatesTable(report, colors));
  }
  const destinations = [...opened.destinations, ...gateFiles];
  if (!args.json && destinations.length > 0) {
    process.stderr.write(`Wrote ${destinations.join(', ')}\n`);
  }
  if (interrupted) return EXIT.interrupted;
  const failure = failureReason(summary, config.outputs.max_error_rate);
  if (failure !== undefined) {
    process.stderr.write(`error: ${failure}\n`);
    return EXIT.failedRequests;
  }
  return report.passed ? EXIT.ok : EXIT.gateFailed;
}

/**
 * The live monitor of `--abort-on-fail`, told how many measured requests each group plans
 * when the plan is a plain count (no duration, no sweep): then a threshold that no outcome
 * of the remaining requests can save stops the run at once.
 */
function monitorFor(gates: GatePlan, config: LensConfig): ThresholdMonitor {
  const monitor = new ThresholdMonitor(gates.thresholds);
  const repeats = config.repeat ?? 1;
  for (const scenario of config.scenarios) {
    const planned =
      scenario.duration === undefined &&
      scenario.sweep === undefined &&
      scenario.requests !== undefined
        ? scenario.requests * repeats
        : null;
    for (const provider of config.providers) {
      if (scenario.providers !== undefined && !scenario.providers.includes(provider.name)) continue;
      for (const model of provider.models) {
        monitor.notePlanned(provider.name, model, scenario.name, planned);
      }
    }
  }
  return monitor;
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
