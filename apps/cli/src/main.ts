import yargs from 'yargs';
import { CliError, EXIT } from './cli-error.js';
import * as benchmark from './commands/benchmark.js';
import * as init from './commands/init.js';
import * as profile from './commands/profile.js';
import * as serveMock from './commands/serve-mock.js';
import * as validate from './commands/validate.js';
import { nonNumericFlagProblems } from './number-flags.js';
import { TOOL_VERSION } from './version.js';

/**
 * Runs the CLI with the given arguments and resolves to the process exit code.
 * Errors are printed as one `error: ...` paragraph (a stack trace only with --debug).
 */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const debug = argv.includes('--debug');
  const parser = yargs(argv)
    .scriptName('llm-lens')
    .usage(
      'llm-lens — measure how fast LLM APIs really are (TTFT, ITL, TPOT, E2E, throughput, errors)\n\nUsage: $0 <command> [options]',
    )
    .command(benchmark.command, benchmark.describe, benchmark.builder, async (args) => {
      exitCode = await benchmark.handler(args);
    })
    .command(profile.command, profile.describe, profile.builder, async (args) => {
      exitCode = await profile.handler(args);
    })
    .command(init.command, init.describe, init.builder, async (args) => {
      exitCode = await init.handler(args);
    })
    .command(validate.command, validate.describe, validate.builder, async (args) => {
      exitCode = await validate.handler(args);
    })
    .command(serveMock.command, serveMock.describe, serveMock.builder, async (args) => {
      exitCode = await serveMock.handler(args);
    })
    .option('debug', { type: 'boolean', describe: 'Print stack traces for errors', global: true })
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
    .example('$0 init && $0 benchmark --config llm-lens.yaml', 'Start from a commented config file')
    .demandCommand(1, 'Name a command: benchmark, profile, init, validate or serve-mock.')
    .strict()
    .recommendCommands()
    .version(TOOL_VERSION)
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new CliError(
        `${message}\nRun "llm-lens --help" (or "llm-lens <command> --help") for usage.`,
      );
    });
  try {
    await parser.parseAsync();
    return exitCode;
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`error: ${error.message}\n`);
      if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    const coded = error as { code?: unknown; message?: unknown; stack?: unknown };
    if (typeof coded?.code === 'string' && coded.code.startsWith('LENS_')) {
      process.stderr.write(`error: ${String(coded.message)}\n`);
      if (debug) process.stderr.write(`${String(coded.stack)}\n`);
      return EXIT.usage;
    }
    process.stderr.write(
      `error: ${error instanceof Error ? error.message : String(error)}\n` +
        (debug ? `${(error as Error).stack}\n` : 'Run again with --debug for a stack trace.\n'),
    );
    return EXIT.failedRequests;
  }
}
