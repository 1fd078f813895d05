import { closestMatch } from '@llm-lens/config-fields';
import yargs from 'yargs';
import { CliError, EXIT } from './cli-error.js';
import {
  type CliExtensions,
  loadCliExtensions,
  pluginArgs,
  resolveProviderModule,
} from './cli-extensions.js';
import * as benchmark from './commands/benchmark.js';
import * as calibrate from './commands/calibrate.js';
import * as coldstart from './commands/coldstart.js';
import * as compare from './commands/compare.js';
import * as doctor from './commands/doctor.js';
import * as exportCommand from './commands/export.js';
import * as history from './commands/history.js';
import * as init from './commands/init.js';
import * as models from './commands/models.js';
import * as profile from './commands/profile.js';
import * as providers from './commands/providers.js';
import * as report from './commands/report.js';
import * as serveMock from './commands/serve-mock.js';
import * as trend from './commands/trend.js';
import * as validate from './commands/validate.js';
import { nonNumericFlagProblems } from './number-flags.js';
import { TOOL_VERSION } from './version.js';

const COMMANDS = [
  'benchmark',
  'compare',
  'profile',
  'calibrate',
  'coldstart',
  'export',
  'report',
  'history',
  'trend',
  'providers',
  'models',
  'doctor',
  'init',
  'validate',
  'serve-mock',
] as const;

/**
 * Runs the CLI with the given arguments and resolves to the process exit code.
 * Errors are printed as one `error: ...` paragraph (a stack trace only with --debug).
 */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const resolved = await resolveProviderModule(argv, await loadCliExtensions(pluginArgs(argv)));
    return await runCommand(resolved.argv, resolved.extensions);
  } catch (error) {
    return reportError(error, debug);
  }
}

async function runCommand(argv: string[], extensions: CliExtensions): Promise<number> {
  let exitCode: number = EXIT.ok;
  const first = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : undefined;
  if (first !== undefined && !(COMMANDS as readonly string[]).includes(first)) {
    const guess = closestMatch(first, COMMANDS) ?? COMMANDS.find((c) => c.startsWith(first));
    throw new CliError(
      `unknown command "${first}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; commands: ${COMMANDS.join(', ')}. Run "llm-lens --help" for usage.`,
    );
  }
  const parser = yargs(argv)
    .scriptName('llm-lens')
    .usage(
      'llm-lens — measure how fast LLM APIs really are (TTFT, ITL, TPOT, E2E, throughput, errors)\n\nUsage: $0 <command> [options]',
    )
    .command(benchmark.command, benchmark.describe, benchmark.builder(extensions), async (args) => {
      exitCode = await benchmark.handler(args as benchmark.BenchmarkArgs, extensions);
    })
    .command(compare.command, compare.describe, compare.builder(extensions), async (args) => {
      exitCode = await compare.handler(args as unknown as compare.CompareArgs, extensions);
    })
    .command(profile.command, profile.describe, profile.builder(extensions), async (args) => {
      exitCode = await profile.handler(args as Parameters<typeof profile.handler>[0], extensions);
    })
    .command(calibrate.command, calibrate.describe, calibrate.builder(extensions), async (args) => {
      exitCode = await calibrate.handler(
        args as unknown as Parameters<typeof calibrate.handler>[0],
        extensions,
      );
    })
    .command(coldstart.command, coldstart.describe, coldstart.builder(extensions), async (args) => {
      exitCode = await coldstart.handler(args as coldstart.ColdStartArgs, extensions);
    })
    .command(
      exportCommand.command,
      exportCommand.describe,
      exportCommand.builder(extensions),
      async (args) => {
        exitCode = await exportCommand.handler(
          args as unknown as exportCommand.ExportArgs,
          extensions,
        );
      },
    )
    .command(history.command, history.describe, history.builder(), async (args) => {
      exitCode = await history.handler(args as unknown as history.HistoryArgs);
    })
    .command(trend.command, trend.describe, trend.builder(), async (args) => {
      exitCode = await trend.handler(args as unknown as trend.TrendArgs);
    })
    .command(report.command, report.describe, report.builder(), async (args) => {
      exitCode = await report.handler(args as unknown as report.ReportArgs, extensions);
    })
    .command(providers.command, providers.describe, providers.builder(), async (args) => {
      exitCode = await providers.handler(args as unknown as { json: boolean }, extensions);
    })
    .command(models.command, models.describe, models.builder(extensions), async (args) => {
      exitCode = await models.handler(
        args as unknown as Parameters<typeof models.handler>[0],
        extensions,
      );
    })
    .command(doctor.command, doctor.describe, doctor.builder(extensions), async (args) => {
      exitCode = await doctor.handler(
        args as unknown as Parameters<typeof doctor.handler>[0],
        extensions,
      );
    })
    .command(init.command, init.describe, init.builder(), async (args) => {
      exitCode = await init.handler(args as unknown as Parameters<typeof init.handler>[0]);
    })
    .command(validate.command, validate.describe, validate.builder(), async (args) => {
      exitCode = await validate.handler(
        args as unknown as Parameters<typeof validate.handler>[0],
        extensions,
      );
    })
    .command(serveMock.command, serveMock.describe, serveMock.builder(), async (args) => {
      exitCode = await serveMock.handler(
        args as unknown as Parameters<typeof serveMock.handler>[0],
      );
    })
    .option('debug', { type: 'boolean', describe: 'Print stack traces for errors', global: true })
    .option('plugin', {
      type: 'string',
      array: true,
      describe:
        'Load providers, load patterns or output formats from this module (a path or a package); repeatable',
      global: true,
    })
    .middleware((args) => {
      const problems = nonNumericFlagProblems(argv, args);
      if (problems.length > 0) {
        throw new CliError(
          `invalid command-line flags (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.join('\n')}`,
        );
      }
    })
    .example('$0 benchmark', 'Benchmark the built-in simulator (no API key needed)')
    .example(
      '$0 benchmark --provider openai-compatible --base-url http://localhost:8000/v1 --model my-model',
      'Benchmark a local vLLM / Ollama / llama.cpp server',
    )
    .example(
      '$0 compare -t openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest',
      'Two providers side by side, same workload, interleaved',
    )
    .example('$0 providers', 'Installed provider types and the environment variables they read')
    .example('$0 init && $0 benchmark --config llm-lens.yaml', 'Start from a commented config file')
    .demandCommand(1, `Name a command: ${COMMANDS.join(', ')}.`)
    .strict()
    .version(TOOL_VERSION)
    .alias('version', ['v', 'V'])
    .alias('h', 'help')
    .epilog(benchmark.EXIT_CODES_EPILOG)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new CliError(
        `${message}\nRun "llm-lens --help" (or "llm-lens <command> --help") for usage.`,
      );
    });
  await parser.parseAsync();
  return exitCode;
}

function reportError(error: unknown, debug: boolean): number {
  if (error instanceof CliError) {
    process.stderr.write(`error: ${error.message}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const coded = error as { code?: unknown; message?: unknown; stack?: unknown };
  if (typeof coded?.code === 'string' && coded.code.startsWith('LENS_')) {
    process.stderr.write(`error: ${String(coded.message)}\n`);
    if (debug) process.stderr.write(`${String(coded.stack)}\n`);
    return coded.code === 'LENS_EXECUTOR_WORKER_FAILED' ? EXIT.crash : EXIT.usage;
  }
  process.stderr.write(
    `error: llm-lens failed unexpectedly: ${error instanceof Error ? error.message : String(error)}\n` +
      (debug
        ? `${(error as Error).stack}\n`
        : 'This is a bug in llm-lens: run again with --debug and report the stack trace.\n'),
  );
  return EXIT.crash;
}
