import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LensConfig } from '@llm-lens/config';
import type { RequestRecord } from '@llm-lens/core-timing';
import { autoWorkers, createTargets, runPlan } from '@llm-lens/executor';
import type { FidelityCalibration } from '@llm-lens/metrics';
import {
  clientErrorAgainstWriteLog,
  errorPercentiles,
  readWriteLogFile,
  spawnSimulator,
} from '@llm-lens/providers-mock';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';

export const command = 'calibrate';
export const describe =
  "Measure this machine's own client error (TTFT and chunk-gap) against the simulator at a given load, in a few seconds";

/** The load a calibration runs. */
export interface CalibrationPlan {
  concurrency: number;
  /** Tokens per stream (one per event). */
  tokens: number;
  itlMs: number;
  ttftMs: number;
  workers: number;
}

export function builder(extensions: CliExtensions) {
  const recordFormat = extensions.exporters.find((f) => f.createRecordSink !== undefined);
  return (yargs: Argv) =>
    yargs
      .option('concurrency', {
        alias: 'C',
        type: 'number',
        default: 64,
        describe: 'Streams in flight at once',
      })
      .option('tokens', {
        type: 'number',
        default: 32,
        describe: 'Tokens per stream (one per event)',
      })
      .option('itl', { type: 'number', default: 20, describe: 'Gap between token events, ms' })
      .option('ttft', { type: 'number', default: 100, describe: 'Time to first token, ms' })
      .option('workers', {
        type: 'string',
        default: '1',
        describe: 'Load threads: a number or "auto", as for benchmark',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
      .example('$0 calibrate -C 256', "The client's error at 256 concurrent streams")
      .example(
        '$0 benchmark -c llm-lens.yaml --calibrate',
        "Calibrate at the run's own load first, and keep the result in the summary",
      )
      .epilog(
        `The simulator runs in a child process; every stream starts with the others (a warm-up wave, then a measured one), carries no per-chunk usage and is counted with the offline tokenizer, and records are written to a temporary ${recordFormat?.format ?? 'records'} file, as in a real run. The error is the client's stamp minus the simulator's own log of when it wrote each token.`,
      );
}

interface CalibrateArgs {
  concurrency: number;
  tokens: number;
  itl: number;
  ttft: number;
  workers: string;
  json: boolean;
}

export async function handler(args: CalibrateArgs, extensions: CliExtensions): Promise<number> {
  for (const [flag, value, min] of [
    ['--concurrency', args.concurrency, 1],
    ['--tokens', args.tokens, 2],
  ] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new CliError(`${flag}: must be an integer >= ${min}, got ${value}`);
    }
  }
  for (const [flag, value] of [
    ['--itl', args.itl],
    ['--ttft', args.ttft],
  ] as const) {
    if (!(value >= 0)) throw new CliError(`${flag}: must be a number of ms >= 0, got ${value}`);
  }
  const workers =
    args.workers.trim() === 'auto'
      ? autoWorkers(args.concurrency)
      : /^\s*\d+\s*$/.test(args.workers) && Number(args.workers) >= 1
        ? Number(args.workers)
        : undefined;
  if (workers === undefined) {
    throw new CliError(
      `--workers: must be a positive integer or "auto", got ${JSON.stringify(args.workers)}`,
    );
  }
  const result = await calibrate(
    {
      concurrency: args.concurrency,
      tokens: args.tokens,
      itlMs: args.itl,
      ttftMs: args.ttft,
      workers,
    },
    extensions,
  );
  if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${calibrationLine(result)}\n`);
  return EXIT.ok;
}

/** The calibration as one line. */
export function calibrationLine(c: FidelityCalibration): string {
  const dist = (d: { p50: number; p99: number; max: number }) =>
    `p50 ${d.p50} / p99 ${d.p99} / max ${d.max} ms`;
  return (
    `client error on this machine at C=${c.concurrency} (${c.stream_tokens}-token streams, ITL ${c.itl_ms} ms, ${c.workers} worker${c.workers === 1 ? '' : 's'}): ` +
    `TTFT ${dist(c.ttft_error_ms)}; chunk gap ${dist(c.chunk_gap_error_ms)} (${c.requests} requests, ${c.gaps} gaps joined with the simulator's log)`
  );
}

/**
 * The load a run plans, for `benchmark --calibrate`: its largest concurrency and worker
 * count, streams as long as its max_tokens (at most 64, so it takes seconds), and the
 * simulator's ITL when the run measures the simulator, else 20 ms.
 */
export function calibrationPlanFor(config: LensConfig): CalibrationPlan {
  const concurrency = Math.max(...config.scenarios.map((s) => s.concurrency));
  const maxTokens = Math.min(64, Math.max(2, ...config.scenarios.map((s) => s.max_tokens ?? 64)));
  const mock = config.providers.find((p) => p.type === 'mock')?.mock as
    | { itl_ms?: { distribution: string; value_ms?: number; mean_ms?: number; median_ms?: number } }
    | undefined;
  const itl = mock?.itl_ms;
  const itlMs = itl?.value_ms ?? itl?.mean_ms ?? itl?.median_ms ?? 20;
  const workers = config.workers === 'auto' ? autoWorkers(concurrency) : config.workers;
  return { concurrency, tokens: maxTokens, itlMs, ttftMs: 100, workers };
}

/** Runs a calibration at the load of `config` (see {@link calibrationPlanFor}) and prints its line on stderr. */
export async function runCalibration(
  config: LensConfig,
  extensions: CliExtensions,
  options: { quiet: boolean },
): Promise<FidelityCalibration> {
  const plan = calibrationPlanFor(config);
  if (!options.quiet) process.stderr.write(`calibrating at C=${plan.concurrency} ...\n`);
  const result = await calibrate(plan, extensions);
  if (!options.quiet) process.stderr.write(`${calibrationLine(result)}\n`);
  return result;
}

/**
 * Measures the client's own error: the simulator in a child process writes `tokens`-token
 * streams at `itlMs`, logging when it wrote each token; a warm-up wave of `concurrency`
 * streams, then a measured one, all starting together, go through the full path a run
 * takes (offline tokenizer, records written to a file, the same worker count); each
 * measured request is joined with the log.
 */
export async function calibrate(
  plan: CalibrationPlan,
  extensions: CliExtensions,
): Promise<FidelityCalibration> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-lens-calibrate-'));
  const writeLogFile = join(dir, 'writes.jsonl');
  try {
    const simulator = await spawnSimulator({
      ttftMs: plan.ttftMs,
      itlMs: plan.itlMs,
      outputTokens: plan.tokens,
      mode: 'independent',
      seed: 1,
      writeLogFile,
    });
    const records: RequestRecord[] = [];
    try {
      const resolved = await createTargets(
        [
          {
            name: 'calibration',
            type: 'openai-compatible',
            models: ['mock-model'],
            base_url: simulator.baseUrl,
            api: 'chat',
          },
        ],
        extensions.registry,
        { maxConcurrency: plan.concurrency },
      );
      const recordFormat = extensions.exporters.find((f) => f.extensions.includes('.jsonl'));
      try {
        await runPlan(
          {
            targets: resolved.targets,
            scenarios: [
              {
                name: 'calibration',
                prompt: 'Calibrate.',
                requests: plan.concurrency,
                concurrency: plan.concurrency,
                warmup: plan.concurrency,
                stream: true,
                maxTokens: plan.tokens,
              },
            ],
          },
          {
            registry: extensions.registry,
            workers: plan.workers,
            tokenizer: 'offline',
            sinks:
              recordFormat?.createRecordSink === undefined
                ? []
                : [recordFormat.createRecordSink({ path: join(dir, 'records.jsonl') })],
            onRecord: (record) => {
              if (!record.isWarmup) records.push(record);
            },
          },
        );
      } finally {
        await resolved.close();
      }
    } finally {
      await simulator.close();
    }
    const error = clientErrorAgainstWriteLog(records, readWriteLogFile(writeLogFile));
    if (error.joined === 0) {
      throw new CliError(
        `calibration failed: none of the ${records.length} measured requests matched the simulator's log (did every request fail?)`,
        EXIT.failedRequests,
      );
    }
    return {
      concurrency: plan.concurrency,
      stream_tokens: plan.tokens,
      itl_ms: plan.itlMs,
      ttft_ms: plan.ttftMs,
      workers: plan.workers,
      ttft_error_ms: errorPercentiles(error.ttftErrorsMs),
      chunk_gap_error_ms: errorPercentiles(error.gapErrorsMs),
      requests: error.joined,
      gaps: error.gapErrorsMs.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
