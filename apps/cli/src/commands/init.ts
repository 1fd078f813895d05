import { existsSync, writeFileSync } from 'node:fs';
import { STARTER_CONFIG_YAML } from '@llm-lens/config';
import { createParentDirectories, outputPathProblem } from '@llm-lens/metrics';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';

export const command = 'init';
export const describe = 'Write a commented starter config file';

export function builder() {
  return (yargs: Argv) =>
    yargs
      .option('file', {
        type: 'string',
        default: 'llm-lens.yaml',
        describe: 'Where to write the config',
      })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing file' })
      .example('$0 init', 'Write ./llm-lens.yaml')
      .example('$0 init --file bench/vllm.yaml', 'Write it somewhere else')
      .example('$0 validate --config llm-lens.yaml', 'Then check it');
}

export async function handler(args: { file: string; force: boolean }): Promise<number> {
  if (existsSync(args.file) && !args.force) {
    throw new CliError(
      `--file: ${args.file} already exists; pass --force to overwrite it or choose another path with --file.`,
    );
  }
  const problem = outputPathProblem(args.file);
  if (problem !== undefined) throw new CliError(`--file: ${args.file} ${problem}`);
  try {
    createParentDirectories(args.file);
    writeFileSync(args.file, STARTER_CONFIG_YAML);
  } catch (error) {
    throw new CliError(`--file: cannot write ${args.file}: ${(error as Error).message}`);
  }
  process.stdout.write(
    `Wrote ${args.file}. Edit it, then run: llm-lens benchmark --config ${args.file}\n`,
  );
  return EXIT.ok;
}
