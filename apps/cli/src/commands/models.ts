import { priceListOf } from '@llm-lens/executor';
import { loadPricingCatalog, type ModelPrice } from '@llm-lens/providers-core';
import Table from 'cli-table3';
import type { Argv } from 'yargs';
import { EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';
import { priceBookFromArgs } from '../pricing.js';
import { createColors } from '../render/format.js';

export const command = 'models';
export const describe =
  'List the models a provider type has prices for (USD per million tokens), from the built-in catalog and --pricing';

export function builder(extensions: CliExtensions) {
  const types = extensions.registry.providerFactories.map((f) => f.type);
  return (yargs: Argv) =>
    yargs
      .option('provider', {
        alias: 'p',
        type: 'string',
        choices: types,
        demandOption: true,
        describe: 'Provider type',
      })
      .option('pricing', {
        type: 'string',
        describe: 'YAML/JSON file of prices that override or extend the catalog',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print JSON instead of a table',
      })
      .example('$0 models -p anthropic', 'Claude models and their list prices')
      .example(
        '$0 models -p openai-compatible --pricing my-prices.yaml',
        'Prices you gave for a self-hosted server',
      );
}

function usd(value: number | undefined): string {
  return value === undefined ? '—' : `$${value}`;
}

export async function handler(
  args: { provider: string; pricing?: string | undefined; json: boolean },
  extensions: CliExtensions,
): Promise<number> {
  const factory = extensions.registry.providerFactory(args.provider);
  const book = await priceBookFromArgs(args);
  const priceList = priceListOf(factory, book);
  const entries: ModelPrice[] = book.entriesFor(priceList, [factory.type]);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ provider: factory.type, price_list: priceList ?? null, models: entries }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  const colors = createColors(process.stdout);
  if (entries.length === 0) {
    process.stdout.write(
      priceList === undefined
        ? `${factory.type} serves whatever models its server hosts, so the catalog has no prices for it and their cost is reported as unknown. Give yours with --pricing FILE (prices: [{ provider: ${factory.type}, model: NAME, input: USD per 1M tokens, output: USD per 1M tokens }]).\n`
        : `The catalog has no models for ${factory.type}; give prices with --pricing FILE.\n`,
    );
    return EXIT.ok;
  }
  const table = new Table({
    head: ['model', 'input', 'cached input', 'output', 'as of', 'note'],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'right', 'right', 'right', 'left', 'left'],
  });
  for (const entry of entries) {
    table.push([
      entry.model,
      usd(entry.input),
      usd(entry.cached_input),
      usd(entry.output),
      entry.as_of ?? (args.pricing === undefined ? '' : 'your file'),
      entry.note ?? '',
    ]);
  }
  const sources = [...new Set(entries.map((e) => e.source).filter((s) => s !== undefined))];
  process.stdout.write(
    `${table.toString()}\n${colors.dim(`USD per million tokens. Catalog compiled ${loadPricingCatalog().compiled}${sources.length > 0 ? ` from ${sources.join(', ')}` : ''}; prices change: override with --pricing FILE.`)}\n`,
  );
  return EXIT.ok;
}
