import { createWallClockAnchor, now } from '@llm-lens/core-timing';
import {
  executeRequest,
  planFromConfig,
  requestInput,
  requestTimeouts,
  TokenCountCache,
} from '@llm-lens/executor';
import { recordToJson } from '@llm-lens/exporters-json';
import { createTokenCounter, HttpTransport } from '@llm-lens/providers-core';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';
import { createColors } from '../render/format.js';
import { renderProfile } from '../render/profile-timeline.js';
import { resolveTargets } from '../target-registry.js';
import { type BenchmarkArgs, configFromArgs, targetOptions } from './benchmark.js';

export const command = 'profile';
export const describe =
  'Send one request and show its full timeline: dns, connect, tls, ttfb, ttft, every token, e2e';

export function builder(yargs: Argv) {
  return targetOptions(yargs)
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
    );
}

export async function handler(
  args: BenchmarkArgs & { json?: boolean | undefined; warmup?: number | undefined },
): Promise<number> {
  const warmups = args.warmup ?? 1;
  if (!Number.isInteger(warmups) || warmups < 0) {
    throw new CliError(`--warmup: must be a whole number ≥ 0, got ${args.warmup}`);
  }
  const config = await configFromArgs({ ...args, requests: 1, concurrency: 1, warmup: 0 });
  const resolved = await resolveTargets(config);
  try {
    const plan = planFromConfig(config, resolved.targets);
    const target = plan.targets[0];
    const scenario = plan.scenarios[0];
    if (!target || !scenario)
      throw new CliError('profile needs at least one provider model and one scenario.');
    const counter = createTokenCounter(target.model);
    counter.count('warm up'); // loads the vocabulary now, not during the profiled stream
    const input = requestInput(target, scenario);
    const timeouts = requestTimeouts(target, scenario);
    const anchor = createWallClockAnchor();
    if (warmups > 0) {
      const warmTransport = new HttpTransport();
      try {
        for (let i = 0; i < warmups; i++) {
          await executeRequest({
            provider: target.provider,
            transport: warmTransport,
            input,
            requestId: `profile-warmup-${i + 1}`,
            attempt: 1,
            scenario: scenario.name,
            isWarmup: true,
            scheduledNs: now(),
            anchor,
            timeouts,
            tokenCounter: undefined,
          });
        }
      } finally {
        await warmTransport.close();
      }
    }
    const record = await executeRequest({
      provider: target.provider,
      transport: target.transport,
      input,
      requestId: 'profile-1',
      attempt: 1,
      scenario: scenario.name,
      isWarmup: false,
      scheduledNs: now(),
      anchor,
      timeouts,
      tokenCounter: new TokenCountCache(counter),
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
