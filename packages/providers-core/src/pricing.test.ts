import { describe, expect, it } from 'vitest';
import {
  loadPricingCatalog,
  type ModelPrice,
  PriceBook,
  pricingFileSchema,
  requestCostUsd,
} from './pricing.js';

const target = (
  providerType: string,
  model: string,
  priceList: string | undefined = providerType,
) => ({
  providerName: providerType,
  providerType,
  priceList,
  model,
});

describe('pricing catalog', () => {
  it('ships entries with a source and an as-of date for every section', () => {
    const { entries, compiled } = loadPricingCatalog();
    expect(compiled).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const section of ['openai', 'anthropic', 'google', 'cohere', 'bedrock']) {
      expect(entries.some((e) => e.provider === section)).toBe(true);
    }
    for (const entry of entries) {
      expect(entry.source).toMatch(/^https:\/\//);
      expect(entry.as_of).toMatch(/^\d{4}-\d{2}/);
      expect(pricingFileSchema.safeParse({ prices: [entry] }).success).toBe(true);
    }
  });

  it('prices dated snapshots and Bedrock inference profiles from their base id, longest first', () => {
    const book = PriceBook.withCatalog();
    expect(book.lookup(target('openai', 'gpt-4o-mini-2024-07-18'))?.model).toBe('gpt-4o-mini');
    expect(book.lookup(target('openai', 'gpt-4o-2024-08-06'))?.model).toBe('gpt-4o');
    expect(book.lookup(target('anthropic', 'claude-sonnet-4-5-20250929'))?.model).toBe(
      'claude-sonnet-4-5',
    );
    expect(
      book.lookup(target('bedrock', 'us.anthropic.claude-haiku-4-5-20251001-v1:0'))?.model,
    ).toBe('anthropic.claude-haiku-4-5');
    expect(book.lookup(target('anthropic', 'claude-3-5-haiku-latest'))?.model).toBe(
      'claude-3-5-haiku',
    );
    expect(book.lookup(target('openai', 'gpt-4o-minis'))).toBeUndefined();
    expect(book.lookup(target('openai', 'gpt-4o-audio-preview'))).toBeUndefined();
  });

  it('never prices a model hosted by a server without a price list, unless the user does', () => {
    const book = PriceBook.withCatalog();
    expect(book.lookup(target('openai-compatible', 'gpt-4o', undefined))).toBeUndefined();
    const mine: ModelPrice = {
      provider: 'vllm-local',
      model: 'llama-3.1-8b',
      input: 0.02,
      output: 0.05,
    };
    const withMine = PriceBook.withCatalog([mine]);
    expect(
      withMine.lookup({
        providerName: 'vllm-local',
        providerType: 'openai-compatible',
        priceList: undefined,
        model: 'llama-3.1-8b',
      }),
    ).toBe(mine);
    expect(
      withMine.lookup({
        providerName: 'other',
        providerType: 'openai-compatible',
        priceList: undefined,
        model: 'llama-3.1-8b',
      }),
    ).toBeUndefined();
  });

  it('lets a user entry override the catalog', () => {
    const cheaper: ModelPrice = { provider: 'openai', model: 'gpt-4o', input: 1, output: 2 };
    expect(PriceBook.withCatalog([cheaper]).lookup(target('openai', 'gpt-4o'))).toBe(cheaper);
  });
});

describe('requestCostUsd', () => {
  const price: ModelPrice = { model: 'm', input: 2, cached_input: 0.5, output: 8 };

  it('charges cached input at the cached price and the rest at list prices', () => {
    // 1000 input of which 400 cached, 500 output: 600×2 + 400×0.5 + 500×8 = 5400 µ$
    expect(
      requestCostUsd(price, { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 500 }),
    ).toBeCloseTo(0.0054, 10);
  });

  it('charges reasoning at its own price only when the entry has one', () => {
    const usage = { inputTokens: 0, outputTokens: 100, reasoningTokens: 60 };
    expect(requestCostUsd(price, usage)).toBeCloseTo(0.0008, 10);
    expect(requestCostUsd({ ...price, reasoning: 1 }, usage)).toBeCloseTo((40 * 8 + 60) / 1e6, 10);
  });

  it('is unknown, not 0, without both counts', () => {
    expect(requestCostUsd(price, { inputTokens: undefined, outputTokens: 10 })).toBeUndefined();
    expect(requestCostUsd(price, { inputTokens: 10, outputTokens: undefined })).toBeUndefined();
  });
});
