import { createTargets, planFromConfig, profileRequest } from '@llm-lens/executor';
import { recordToJson } from '@llm-lens/exporters-json';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';
import { priceBookFromArgs } from '../pricing.js';
import { createColors } from '../render/format.js';
import { renderProfile } from '../render/profile-timeline.js';
import {
  type BenchmarkArgs,
  baseDirOf,
  configFromArgs,
  EXIT_CODES_EPILOG,
  targetOptions,
} from './benchmark.js';

export const command = 'profile';
export const describe =
  'Send one request and show its full timeline: dns, connect, tls, ttfb, ttft, every token, e2e';

export function builder(extensions: CliExtensions) {
  return (yargs: Argv) =>
    targetOptions(yargs, extensions)
      .option('warmup', {
        alias: 'w',
        type: 'number',
        default: 1,
        describe:
          'Unmeasured requests sent first on a separate connection, so the profiled request runs on a warm process but still opens its own connection',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the request record (with every token offset) as JSON',
      })
      .example('$0 profile', 'One request to the built-in simulator')
      .example(
        '$0 profile -p openai-compatible --base-url http://localhost:11434/v1 -m llama3.2',
        'One request to a local Ollama server',
      )
      .epilog(
        EXIT_CODES_EPILOG.replace(
          '  1    requests failed',
          '  1    the profiled request failed; requests failed',
        ),
      );
}

export async function handler(
  args: BenchmarkArgs & { json?: boolean | undefined; warmup?: number | undefined },
  extensions: CliExtensions,
): Promise<number> {
  const warmups = args.warmup ?? 1;
  if (!Number.isInteger(warmups) || warmups < 0) {
    throw new CliError(`--warmup: must be a whole number >= 0, got ${args.warmup}`);
  }
  const config = await configFromArgs(
    { ...args, requests: 1, concurrency: 1, warmup: 0 },
    extensions,
  );
  const resolved = await createTargets(config.providers, extensions.registry, {
    baseDir: baseDirOf(args),
    prices: await priceBookFromArgs(args),
  });
  try {
    const plan = planFromConfig(config, resolved.targets);
    const target = plan.targets[0];
    const scenario = plan.scenarios[0];
    if (!target || !scenario) {
      throw new CliError('profile needs at least one provider model and one scenario.');
    }
    const record = await profileRequest(target, scenario, {
      warmups,
      tokenizer: 'offline',
      secrets: resolved.secrets,
    });
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify(recordToJson(record, { recordTokens: true }), null, 2)}\n`,
      );
    } else {
      const where = resolved.endpoints.get(target.provider.name) ?? '';
      process.stdout.write(renderProfile(record, where, createColors(process.stdout)));
    }
    return record.status === 'ok' ? EXIT.ok : EXIT.failedRequests;
  } finally {
    await resolved.close();
  }
}
