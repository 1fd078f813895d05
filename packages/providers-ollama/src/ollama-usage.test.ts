import { describe, expect, it } from 'vitest';
import { toOllamaServerTimings, toOllamaUsage } from './ollama-usage.js';

describe('toOllamaUsage', () => {
  it('maps prompt_eval_count to input and eval_count to output', () => {
    expect(toOllamaUsage({ prompt_eval_count: 17, eval_count: 50 })).toEqual({
      inputTokens: 17,
      outputTokens: 50,
    });
  });

  it('leaves an absent count unreported, and a line without counts without usage', () => {
    expect(toOllamaUsage({ eval_count: 3 })).toEqual({ outputTokens: 3 });
    expect(toOllamaUsage({ done: true })).toBeUndefined();
  });

  it('drops the whole report when a count is not a token count', () => {
    expect(toOllamaUsage({ prompt_eval_count: 17, eval_count: '50' })).toEqual({
      ignoredReason:
        'usage ignored: eval_count "50" (a string) is not a token count (expected a whole number from 0 to 1000000000)',
    });
    expect(toOllamaUsage({ prompt_eval_count: -1, eval_count: 5 })?.ignoredReason).toContain(
      'prompt_eval_count -1',
    );
  });
});

describe('toOllamaServerTimings', () => {
  it('converts the four durations from ns to ms under *_ms names', () => {
    expect(
      toOllamaServerTimings({
        total_duration: 1_897_385_625,
        load_duration: 1_631_208,
        prompt_eval_duration: 313_560_000,
        eval_duration: 1_577_990_000,
      }),
    ).toEqual({
      total_duration_ms: 1897.385625,
      load_duration_ms: 1.631208,
      prompt_eval_duration_ms: 313.56,
      eval_duration_ms: 1577.99,
    });
  });

  it('leaves out durations that are absent or not non-negative numbers', () => {
    expect(
      toOllamaServerTimings({ total_duration: 5e6, load_duration: -1, eval_duration: '7' }),
    ).toEqual({ total_duration_ms: 5 });
    expect(toOllamaServerTimings({ eval_count: 3 })).toBeUndefined();
  });
});
