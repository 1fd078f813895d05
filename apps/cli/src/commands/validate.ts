import { LensConfigError, loadConfigFile } from '@llm-lens/config';
import type { Argv } from 'yargs';
import { EXIT } from '../cli-error.js';

export const command = 'validate';
export const describe = 'Check a config file and print every problem with its path';

export function builder(yargs: Argv) {
  return yargs
    .option('config', {
      alias: 'c',
      type: 'string',
      demandOption: true,
      describe: 'Config file (YAML, JSON or TOML)',
    })
    .example('$0 validate --config llm-lens.yaml', 'Prints "ok" or one line per problem');
}

export async function handler(args: { config: string }): Promise<number> {
  try {
    const config = await loadConfigFile(args.config);
    const models = config.providers.reduce((n, p) => n + p.models.length, 0);
    process.stdout.write(
      `${args.config}: ok — ${config.providers.length} provider(s), ${models} model(s), ${config.scenarios.length} scenario(s)\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof LensConfigError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
