import { describe, expect, it } from 'vitest';
import { toResponsesUsage } from './responses-usage.js';

describe('toResponsesUsage', () => {
  it('maps input, cached, output and reasoning tokens; output already holds the reasoning', () => {
    expect(
      toResponsesUsage({
        input_tokens: 32,
        input_tokens_details: { cached_tokens: 16 },
        output_tokens: 647,
        output_tokens_details: { reasoning_tokens: 640 },
        total_tokens: 679,
      }),
    ).toEqual({ inputTokens: 32, outputTokens: 647, reasoningTokens: 640, cachedInputTokens: 16 });
  });

  it('is undefined for the null usage of response.created and for non-objects', () => {
    expect(toResponsesUsage(null)).toBeUndefined();
    expect(toResponsesUsage(undefined)).toBeUndefined();
    expect(toResponsesUsage(12)).toBeUndefined();
  });

  it('keeps only what is reported', () => {
    expect(toResponsesUsage({ output_tokens: 3 })).toEqual({ outputTokens: 3 });
    expect(toResponsesUsage({})).toEqual({});
  });

  it('adds reasoning back when total_tokens shows output_tokens left it out', () => {
    expect(
      toResponsesUsage({
        input_tokens: 10,
        output_tokens: 20,
        output_tokens_details: { reasoning_tokens: 30 },
        total_tokens: 60,
      }),
    ).toEqual({ inputTokens: 10, outputTokens: 50, reportedOutputTokens: 20, reasoningTokens: 30 });
    // Without a total, more reasoning than output tokens can only mean the same.
    expect(
      toResponsesUsage({ output_tokens: 4, output_tokens_details: { reasoning_tokens: 9 } }),
    ).toEqual({ outputTokens: 13, reportedOutputTokens: 4, reasoningTokens: 9 });
  });

  it('drops the whole report when one count is not a token count', () => {
    expect(
      toResponsesUsage({
        input_tokens: 10,
        output_tokens: 5,
        input_tokens_details: { cached_tokens: '4' },
      }),
    ).toEqual({
      ignoredReason:
        'usage ignored: input_tokens_details.cached_tokens "4" (a string) is not a token count (expected a whole number from 0 to 1000000000)',
    });
    expect(toResponsesUsage({ input_tokens: -1, output_tokens: 5 })).toEqual({
      ignoredReason:
        'usage ignored: input_tokens -1 is not a token count (expected a whole number from 0 to 1000000000)',
    });
  });
});
