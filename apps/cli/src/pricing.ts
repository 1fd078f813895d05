import { loadDataFile } from '@llm-lens/config';
import { PriceBook, pricingFileSchema } from '@llm-lens/providers-core';

/** The built-in price catalog, extended and overridden by `--pricing FILE` when given. */
export async function priceBookFromArgs(args: {
  pricing?: string | undefined;
}): Promise<PriceBook> {
  if (args.pricing === undefined) return PriceBook.withCatalog();
  const file = await loadDataFile(args.pricing, pricingFileSchema, {
    label: '--pricing file',
    hint: 'write YAML or JSON like `prices: [{ provider: openai, model: gpt-4o, input: 2.5, output: 10 }]` (USD per million tokens)',
  });
  return PriceBook.withCatalog(file.prices);
}
