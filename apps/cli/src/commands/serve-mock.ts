import {
  parseLatencySpec,
  type SimulatorOptions,
  serveSimulatorUntilSignal,
} from '@llm-lens/providers-mock';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';

export const command = 'serve-mock';
export const describe = 'Run the built-in OpenAI-compatible simulator as a standalone server';

export function builder(yargs: Argv) {
  return yargs
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
    .option('port', { type: 'number', default: 8000, describe: 'Port (0 = any free port)' })
    .option('ttft', {
      type: 'string',
      default: '150',
      describe: 'TTFT in ms: "200", "normal:200,20" or "lognormal:200,0.3"',
    })
    .option('itl', {
      type: 'string',
      default: '20',
      describe: 'Inter-token latency in ms, same forms as --ttft',
    })
    .option('output-tokens', {
      type: 'string',
      default: '64',
      describe: 'Tokens per response: "64" or a range "32-128"',
    })
    .option('tokens-per-event', {
      type: 'number',
      default: 1,
      describe: 'Tokens per stream event (>1 mimics speculative decoding)',
    })
    .option('reasoning-tokens', {
      type: 'number',
      default: 0,
      describe: 'Reasoning tokens streamed before the answer',
    })
    .option('mode', {
      type: 'string',
      choices: ['independent', 'lockstep'],
      default: 'independent',
      describe: 'lockstep = one decode clock for all streams, like a batching server',
    })
    .option('seed', { type: 'number', describe: 'Seed for latency sampling and fault injection' })
    .option('rate-limit-rate', {
      type: 'number',
      default: 0,
      describe: 'Share of requests answered 429 with Retry-After (0–1)',
    })
    .option('server-error-rate', {
      type: 'number',
      default: 0,
      describe: 'Share of requests answered 500 (0–1)',
    })
    .option('drop-rate', {
      type: 'number',
      default: 0,
      describe: 'Share of streams cut mid-way (0–1)',
    })
    .option('stall-rate', {
      type: 'number',
      default: 0,
      describe: 'Share of streams that pause mid-way (0–1)',
    })
    .option('stall-ms', { type: 'number', default: 2000, describe: 'Length of a stall, ms' })
    .option('write-log', {
      type: 'string',
      describe: 'Append one JSON line per request with the time each token was written',
    })
    .example(
      '$0 serve-mock --port 8000',
      'Then point any OpenAI client at http://127.0.0.1:8000/v1',
    )
    .example(
      '$0 serve-mock --ttft lognormal:300,0.4 --itl normal:25,5 --mode lockstep',
      'A noisier, batching server',
    );
}

interface ServeMockArgs {
  host: string;
  port: number;
  ttft: string;
  itl: string;
  outputTokens: string;
  tokensPerEvent: number;
  reasoningTokens: number;
  mode: string;
  seed?: number | undefined;
  rateLimitRate: number;
  serverErrorRate: number;
  dropRate: number;
  stallRate: number;
  stallMs: number;
  writeLog?: string | undefined;
}

function parseFlag<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new CliError(`--${flag}: ${(error as Error).message}`);
  }
}

function parseOutputTokens(text: string): SimulatorOptions['outputTokens'] {
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(text.trim());
  if (range) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    if (min >= 1 && max >= min) return { min, max };
  } else if (/^\d+$/.test(text.trim()) && Number(text) >= 1) {
    return Number(text);
  }
  throw new Error(`must be a positive integer or a range like "32-128", got "${text}"`);
}

export async function handler(args: ServeMockArgs): Promise<number> {
  for (const flag of ['rateLimitRate', 'serverErrorRate', 'dropRate', 'stallRate'] as const) {
    const value = args[flag];
    if (!(value >= 0 && value <= 1)) {
      const name = flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      throw new CliError(`--${name}: must be a number between 0 and 1, got ${value}`);
    }
  }
  const options: SimulatorOptions = {
    host: args.host,
    port: args.port,
    ttftMs: parseFlag('ttft', () => parseLatencySpec(args.ttft)),
    itlMs: parseFlag('itl', () => parseLatencySpec(args.itl)),
    outputTokens: parseFlag('output-tokens', () => parseOutputTokens(args.outputTokens)),
    tokensPerEvent: args.tokensPerEvent,
    reasoningTokens: args.reasoningTokens,
    mode: args.mode as 'independent' | 'lockstep',
    faults: {
      rateLimitRate: args.rateLimitRate,
      serverErrorRate: args.serverErrorRate,
      dropRate: args.dropRate,
      stallRate: args.stallRate,
      stallMs: args.stallMs,
    },
  };
  if (args.seed !== undefined) options.seed = args.seed;
  if (args.writeLog !== undefined) {
    options.recordWrites = true;
    options.writeLogFile = args.writeLog;
  }
  await serveSimulatorUntilSignal(options, {
    onReady: (url) => {
      process.stdout.write(
        `Simulator listening on ${url} — OpenAI-compatible base URL ${url}/v1 (Ctrl-C to stop)\n`,
      );
    },
  });
  return EXIT.ok;
}
