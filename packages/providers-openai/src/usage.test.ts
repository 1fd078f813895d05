import { describe, expect, it } from 'vitest';
import { toUsage } from './usage.js';

const reason = (field: string, shown: string): string =>
  `usage ignored: ${field} ${shown} is not a token count (expected a whole number from 0 to 1000000000)`;

describe('toUsage', () => {
  it('maps counts and their details', () => {
    expect(
      toUsage({
        prompt_tokens: 1400,
        completion_tokens: 84,
        total_tokens: 1484,
        completion_tokens_details: { reasoning_tokens: 64 },
        prompt_tokens_details: { cached_tokens: 1280 },
      }),
    ).toEqual({
      inputTokens: 1400,
      outputTokens: 84,
      reasoningTokens: 64,
      cachedInputTokens: 1280,
    });
  });

  it('treats absent and null counts as not reported, and null usage as no usage', () => {
    expect(toUsage({ completion_tokens: 3, prompt_tokens: null })).toEqual({ outputTokens: 3 });
    expect(toUsage({ completion_tokens_details: null, prompt_tokens_details: 'n/a' })).toEqual({});
    expect(toUsage(null)).toBeUndefined();
    expect(toUsage(undefined)).toBeUndefined();
  });

  it('ignores the whole report when a count is not a token count, and says which', () => {
    expect(toUsage({ prompt_tokens: 5, completion_tokens: 1e300 })).toEqual({
      ignoredReason: reason('completion_tokens', '1e+300'),
    });
    expect(toUsage({ completion_tokens: 1e20 })).toEqual({
      ignoredReason: reason('completion_tokens', '100000000000000000000'),
    });
    expect(toUsage({ completion_tokens: 2 ** 53 })).toEqual({
      ignoredReason: reason('completion_tokens', '9007199254740992'),
    });
    expect(toUsage({ completion_tokens: 26.5 })).toEqual({
      ignoredReason: reason('completion_tokens', '26.5'),
    });
    expect(toUsage({ prompt_tokens: 1e308, completion_tokens: 7 })).toEqual({
      ignoredReason: reason('prompt_tokens', '1e+308'),
    });
    expect(toUsage({ prompt_tokens: 5, completion_tokens: '12' })).toEqual({
      ignoredReason: reason('completion_tokens', '"12" (a string)'),
    });
    expect(toUsage({ completion_tokens: -3 })).toEqual({
      ignoredReason: reason('completion_tokens', '-3'),
    });
  });

  it('checks the detail counts too', () => {
    expect(
      toUsage({ completion_tokens: 10, completion_tokens_details: { reasoning_tokens: 0.5 } }),
    ).toEqual({ ignoredReason: reason('completion_tokens_details.reasoning_tokens', '0.5') });
    expect(toUsage({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 1e10 } })).toEqual({
      ignoredReason: reason('prompt_tokens_details.cached_tokens', '10000000000'),
    });
  });

  it('counts reasoning into output tokens where completion_tokens leaves it out (xAI)', () => {
    // total = prompt + completion + reasoning: Grok's convention.
    expect(
      toUsage({
        prompt_tokens: 291,
        completion_tokens: 26,
        total_tokens: 513,
        completion_tokens_details: { reasoning_tokens: 196 },
      }),
    ).toEqual({
      inputTokens: 291,
      outputTokens: 222,
      reportedOutputTokens: 26,
      reasoningTokens: 196,
    });
    // total = prompt + completion: OpenAI's, DeepSeek's, OpenRouter's; nothing is added.
    expect(
      toUsage({
        prompt_tokens: 13,
        completion_tokens: 50,
        total_tokens: 63,
        completion_tokens_details: { reasoning_tokens: 50 },
      }),
    ).toEqual({ inputTokens: 13, outputTokens: 50, reasoningTokens: 50 });
    // No total: more reasoning than completion tokens can only mean it was left out.
    expect(
      toUsage({ completion_tokens: 10, completion_tokens_details: { reasoning_tokens: 30 } }),
    ).toEqual({ outputTokens: 40, reportedOutputTokens: 10, reasoningTokens: 30 });
  });
});
