// `pnpm fuzz`: serves hostile and broken responses to the real llm-lens CLI and checks every
// record against the reference decoder. See README.md next to this folder.
//
//   pnpm fuzz                          10,000 mutated streams + every edge case, C = 25
//   pnpm fuzz --seed 123 --case 4567   replays one case (or a comma list; edge:<name> too)
//   pnpm fuzz --count 2000 --concurrency 50 --protocol openai-chat
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runCampaign } from './campaign.mjs';
import { CLI_PATH } from './cli-runner.mjs';
import { PROTOCOLS } from './protocols/index.mjs';
import { formatFailure, formatSummary } from './report.mjs';

const USAGE = `usage: pnpm fuzz [--count N] [--seed S] [--concurrency C] [--case K[,K...]]
                 [--batch N] [--timeout MS] [--protocol NAME] [--no-edge] [--cli PATH]
  --count        mutated streams (default 10000)
  --seed         32-bit seed (default: random, printed)
  --concurrency  requests in flight in the CLI (default 25)
  --case         replay only these cases: mutated case numbers, or edge:<name>
  --batch        cases per CLI run (default 500)
  --timeout      the CLI's per-request --timeout, ms (default 15000)
  --protocol     ${Object.keys(PROTOCOLS).join(', ')} (default openai-chat)
  --no-edge      skip the edge cases
  --cli          the llm-lens bin script to test (default: this workspace's apps/cli)`;

function parse(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '10000' },
      seed: { type: 'string' },
      concurrency: { type: 'string', default: '25' },
      case: { type: 'string' },
      batch: { type: 'string', default: '500' },
      timeout: { type: 'string', default: '15000' },
      protocol: { type: 'string', default: 'openai-chat' },
      'no-edge': { type: 'boolean', default: false },
      cli: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const whole = (name, value, min) => {
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number < min) {
      throw new Error(`--${name} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
    }
    return number;
  };
  const protocol = PROTOCOLS[values.protocol];
  if (protocol === undefined) {
    throw new Error(
      `--protocol must be one of ${Object.keys(PROTOCOLS).join(', ')}, got ${values.protocol}`,
    );
  }
  return {
    help: values.help,
    protocol,
    count: whole('count', values.count, 0),
    seed:
      values.seed === undefined
        ? Math.floor(Math.random() * 2 ** 32)
        : whole('seed', values.seed, 0) >>> 0,
    concurrency: whole('concurrency', values.concurrency, 1),
    batchSize: whole('batch', values.batch, 1),
    timeoutMs: whole('timeout', values.timeout, 1),
    withEdgeCases: !values['no-edge'],
    cliPath: values.cli === undefined ? CLI_PATH : resolve(values.cli),
    only: values.case
      ?.split(',')
      .map((key) => key.trim())
      .filter((key) => key.length > 0),
  };
}

async function main() {
  let options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`error: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const built = new URL('../dist/index.js', pathToFileURL(options.cliPath));
  if (!existsSync(options.cliPath) || !existsSync(built)) {
    console.error(
      `error: no built CLI at ${options.cliPath} (it needs ${fileURLToPath(built)}): run pnpm build first`,
    );
    return 2;
  }
  console.log(`fuzzing ${options.protocol.name} with seed ${options.seed}`);
  const result = await runCampaign({ ...options, log: (line) => console.error(line) });
  for (const failure of result.failures) console.log(formatFailure(options.seed, failure));
  console.log(formatSummary(result));
  return result.failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();
