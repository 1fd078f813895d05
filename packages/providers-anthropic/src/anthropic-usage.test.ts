import { describe, expect, it } from 'vitest';
import { toAnthropicUsage } from './anthropic-usage.js';

describe('toAnthropicUsage', () => {
  it('adds cached prompt tokens to the input and keeps output as reported', () => {
    expect(
      toAnthropicUsage({
        input_tokens: 10,
        cache_read_input_tokens: 30,
        cache_creation_input_tokens: 5,
        output_tokens: 42,
      }),
    ).toEqual({ inputTokens: 45, cachedInputTokens: 30, outputTokens: 42 });
  });

  it('takes the thinking share of the output as the reasoning count', () => {
    expect(
      toAnthropicUsage({ output_tokens: 42, output_tokens_details: { thinking_tokens: 30 } }),
    ).toEqual({ outputTokens: 42, reasoningTokens: 30 });
    expect(toAnthropicUsage({ output_tokens: 42, output_tokens_details: null })).toEqual({
      outputTokens: 42,
    });
  });

  it('drops the whole report when the thinking count is not a token count', () => {
    expect(
      toAnthropicUsage({ output_tokens: 42, output_tokens_details: { thinking_tokens: 1e300 } }),
    ).toEqual({
      ignoredReason: expect.stringMatching(
        /^usage ignored: output_tokens_details\.thinking_tokens 1e\+300 is not a token count/,
      ),
    });
  });
});
