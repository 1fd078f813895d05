import { readFileSync } from 'node:fs';
import { listOf, nonNegativeNumber, strictObject, text } from '@llm-lens/config-fields';

/** One model's list prices, USD per million tokens. */
export interface ModelPrice {
  /** Catalog section (`openai`, `anthropic`, ...) or, in a pricing file, a provider name or type. */
  provider?: string;
  /** Model id; also prices dated or versioned ids that extend it (`gpt-4o` → `gpt-4o-2024-08-06`). */
  model: string;
  input: number;
  output: number;
  /** Cached (prompt-cache hit) input; without it, cached tokens cost `input`. */
  cached_input?: number;
  /** Reasoning / thinking tokens, when billed apart from output; without it, `output`. */
  reasoning?: number;
  /** Where the figures come from, and when they were published or confirmed there. */
  source?: string;
  as_of?: string;
  note?: string;
}

const priceEntrySchema = strictObject(
  {
    provider: text('a provider name, type or catalog section').optional(),
    model: text('a model id'),
    input: nonNegativeNumber('a price in USD per million tokens (>= 0)'),
    output: nonNegativeNumber('a price in USD per million tokens (>= 0)'),
    cached_input: nonNegativeNumber('a price in USD per million tokens (>= 0)').optional(),
    reasoning: nonNegativeNumber('a price in USD per million tokens (>= 0)').optional(),
    source: text('a URL or description').optional(),
    as_of: text('a date').optional(),
    note: text('a note').optional(),
  },
  'a price entry: { model, input, output } in USD per million tokens',
);

/** The shape of a `--pricing` file: `{ prices: [{ provider?, model, input, output, ... }] }`. */
export const pricingFileSchema = strictObject(
  { prices: listOf(priceEntrySchema, 'a list of price entries', true) },
  'an object with a prices list: { prices: [{ model, input, output }] }',
);

/** Token counts of one request, as a record holds them. */
export interface TokenUsageForCost {
  /** All prompt tokens, cached ones included. */
  inputTokens: number | undefined;
  cachedInputTokens?: number | undefined;
  /** Generated tokens, reasoning included. */
  outputTokens: number | undefined;
  reasoningTokens?: number | undefined;
}

/**
 * USD for one request at `price`; undefined when the input or output count is unknown (a
 * cost from half the tokens would look exact and be wrong).
 */
export function requestCostUsd(price: ModelPrice, usage: TokenUsageForCost): number | undefined {
  const { inputTokens, outputTokens } = usage;
  if (inputTokens === undefined || outputTokens === undefined) return undefined;
  const cached = Math.min(usage.cachedInputTokens ?? 0, inputTokens);
  const reasoning =
    price.reasoning === undefined ? 0 : Math.min(usage.reasoningTokens ?? 0, outputTokens);
  const microUsd =
    (inputTokens - cached) * price.input +
    cached * (price.cached_input ?? price.input) +
    (outputTokens - reasoning) * price.output +
    reasoning * (price.reasoning ?? price.output);
  return microUsd / 1e6;
}

// Region prefixes of Bedrock cross-region inference profiles: `us.anthropic.claude-…`.
const BEDROCK_PROFILE_PREFIX = /^(?:us|eu|apac|jp|au|ca|us-gov|global)\./;
// A dated or versioned id extends its base id: `-2024-08-06`, `-20250929-v1:0`, `:0`, `@001`,
// `-latest`. A suffix that is a word (`-mini`, `-audio-preview`) is another model.
const ID_EXTENSION = /^[-:@.](?:\d|v\d|latest\b)/;

function extendsId(model: string, base: string): boolean {
  return model.startsWith(base) && ID_EXTENSION.test(model.slice(base.length));
}

/** Finds the entry for `model` in `entries`: exact id first, else the longest base id it extends. */
function findPrice(entries: readonly ModelPrice[], model: string): ModelPrice | undefined {
  const candidates = [model];
  const unprefixed = model.replace(BEDROCK_PROFILE_PREFIX, '');
  if (unprefixed !== model) candidates.push(unprefixed);
  for (const id of candidates) {
    const exact = entries.find((entry) => entry.model === id);
    if (exact !== undefined) return exact;
  }
  let best: ModelPrice | undefined;
  for (const id of candidates) {
    for (const entry of entries) {
      if (
        extendsId(id, entry.model) &&
        (best === undefined || entry.model.length > best.model.length)
      ) {
        best = entry;
      }
    }
  }
  return best;
}

/** Who a target is, for a price lookup. */
export interface PricedTarget {
  /** The provider entry's name (`openai`, `my-gateway`). */
  providerName: string;
  /** Its type (`openai`, `azure`, `openai-compatible`). */
  providerType: string;
  /** The catalog section its type is priced from (`openai` for azure), if any. */
  priceList: string | undefined;
  model: string;
}

/**
 * The built-in catalog plus a user's price entries. A user entry matches a target when its
 * `provider` is the target's name, type or price list (or it has none), and wins over the
 * catalog; catalog entries match the target's price list only, so an OpenAI-compatible
 * server hosting `gpt-4o` is never priced as OpenAI.
 */
export class PriceBook {
  readonly catalog: readonly ModelPrice[];
  readonly overrides: readonly ModelPrice[];

  constructor(catalog: readonly ModelPrice[], overrides: readonly ModelPrice[] = []) {
    this.catalog = catalog;
    this.overrides = overrides;
  }

  /** The built-in catalog (packages/providers-core/pricing-catalog.json) and `overrides`. */
  static withCatalog(overrides: readonly ModelPrice[] = []): PriceBook {
    return new PriceBook(loadPricingCatalog().entries, overrides);
  }

  lookup(target: PricedTarget): ModelPrice | undefined {
    const names = [target.providerName, target.providerType, target.priceList];
    const override = findPrice(
      this.overrides.filter(
        (entry) => entry.provider === undefined || names.includes(entry.provider),
      ),
      target.model,
    );
    if (override !== undefined) return override;
    if (target.priceList === undefined) return undefined;
    return findPrice(
      this.catalog.filter((entry) => entry.provider === target.priceList),
      target.model,
    );
  }

  /** Catalog and override entries of one catalog section or provider, for `llm-lens models`. */
  entriesFor(priceList: string | undefined, names: readonly string[] = []): ModelPrice[] {
    const wanted = new Set([priceList, ...names].filter((name) => name !== undefined));
    const overrides = this.overrides.filter(
      (entry) => entry.provider === undefined || wanted.has(entry.provider),
    );
    const catalog = this.catalog.filter(
      (entry) => entry.provider === priceList && !overrides.some((o) => o.model === entry.model),
    );
    return [...overrides, ...catalog];
  }
}

/** The built-in catalog file. */
export interface PricingCatalog {
  description: string;
  compiled: string;
  entries: ModelPrice[];
}

let catalog: PricingCatalog | undefined;

/** Reads the catalog shipped with this package (once). */
export function loadPricingCatalog(): PricingCatalog {
  catalog ??= JSON.parse(
    readFileSync(new URL('../pricing-catalog.json', import.meta.url), 'utf8'),
  ) as PricingCatalog;
  return catalog;
}

/** The one-line hint printed where a model has no price. */
export function unknownPriceHint(target: PricedTarget): string {
  return `no price for ${target.providerName}/${target.model}: cost is unknown, not 0; give one with --pricing FILE (entries { provider: ${target.providerName}, model: ${target.model}, input: USD per 1M tokens, output: USD per 1M tokens })`;
}
