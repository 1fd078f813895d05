import type { Argv } from 'yargs';
import { EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';
import { createColors } from '../render/format.js';

export const command = 'providers';
export const describe =
  'List the installed provider types, the package each comes from and the environment variables it reads';

export function builder() {
  return (yargs: Argv) =>
    yargs
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print JSON instead of a table',
      })
      .example('$0 providers', 'What --provider accepts, and what each needs')
      .example('$0 providers --plugin ./my-adapter.mjs', 'Including the types a plugin adds');
}

/** One installed provider type, as `providers` reports it. */
export interface ProviderListing {
  type: string;
  description: string;
  package: string;
  env: Array<{ name: string; description: string }>;
  price_list: string | null;
}

/** The installed provider types in registry order (packages by name, then plugins). */
export function listProviders(extensions: CliExtensions): ProviderListing[] {
  return extensions.registry.providerFactories.map((factory) => ({
    type: factory.type,
    description: factory.description,
    package: extensions.providerSources.get(factory.type) ?? 'registered in code',
    env: factory.envVars.map((v) => ({ name: v.name, description: v.description })),
    price_list: factory.priceList ?? null,
  }));
}

export async function handler(args: { json: boolean }, extensions: CliExtensions): Promise<number> {
  const listing = listProviders(extensions);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
    return EXIT.ok;
  }
  const colors = createColors(process.stdout);
  const lines: string[] = [];
  const typeWidth = Math.max(...listing.map((p) => p.type.length));
  for (const provider of listing) {
    lines.push(`${colors.bold(provider.type.padEnd(typeWidth))}  ${provider.description}`);
    const indent = ' '.repeat(typeWidth + 2);
    lines.push(colors.dim(`${indent}package ${provider.package}`));
    for (const variable of provider.env) {
      lines.push(`${indent}${variable.name}: ${variable.description}`);
    }
  }
  lines.push(
    '',
    colors.dim(
      'Use one with --provider TYPE. `llm-lens doctor --provider TYPE` checks its credentials and endpoint; `llm-lens models --provider TYPE` lists known models and prices.',
    ),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
