import { accessSync, constants } from 'node:fs';
import { LensConfigError, loadConfigFile } from '@llm-lens/config';
import { missingCredentials } from '@llm-lens/providers-core';
import type { Argv } from 'yargs';
import { EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';
import { baseDirOf } from './benchmark.js';

export const command = 'validate';
export const describe =
  'Check a config file: every problem with its path, and warnings for credentials that are not set';

export function builder() {
  return (yargs: Argv) =>
    yargs
      .option('config', {
        alias: 'c',
        type: 'string',
        demandOption: true,
        describe: 'Config file (YAML, JSON or TOML)',
      })
      .example('$0 validate --config llm-lens.yaml', 'Prints "ok" or one line per problem');
}

export async function handler(
  args: { config: string },
  extensions: CliExtensions,
): Promise<number> {
  try {
    const config = await loadConfigFile(args.config, { extensions: extensions.config });
    const models = config.providers.reduce((n, p) => n + p.models.length, 0);
    process.stdout.write(
      `${args.config}: ok — ${config.providers.length} provider(s), ${models} model(s), ${config.scenarios.length} scenario(s)\n`,
    );
    const baseDir = baseDirOf(args);
    for (const provider of config.providers) {
      const factory = extensions.registry.providerFactory(provider.type);
      const problems = missingCredentials(
        factory.credentials(provider, { baseDir }),
        process.env,
        isReadable,
      );
      for (const problem of problems) {
        process.stderr.write(
          `warning: provider "${provider.name}": ${problem}; benchmark will fail until it is\n`,
        );
      }
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof LensConfigError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

function isReadable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
