import { describe, expect, it } from 'vitest';
import { compileSelectors, PayloadReader, toErrorPayload } from './payload-reader.js';

const usageSelectors = compileSelectors({
  text: '$.t',
  usage: {
    input_tokens: '$.u.in',
    output_tokens: '$.u.out',
    reasoning_tokens: '$.u.think',
    cached_input_tokens: '$.u.cached',
  },
});

describe('PayloadReader', () => {
  it('emits nothing for payloads without text, usage or error', () => {
    const reader = new PayloadReader(usageSelectors, 'output_includes_reasoning');
    expect(reader.read({ role: 'assistant', t: '' })).toBeUndefined();
    expect(reader.read({ u: { in: null } })).toBeUndefined();
    expect(reader.read('ping')).toBeUndefined();
  });

  it('keeps output tokens as reported when they include reasoning', () => {
    const reader = new PayloadReader(usageSelectors, 'output_includes_reasoning');
    expect(reader.read({ u: { in: 10, out: 30, think: 20, cached: 4 } })?.usage).toEqual({
      inputTokens: 10,
      outputTokens: 30,
      reasoningTokens: 20,
      cachedInputTokens: 4,
    });
  });

  it('adds reasoning back when output tokens exclude it, keeping the reported count', () => {
    const reader = new PayloadReader(usageSelectors, 'output_excludes_reasoning');
    expect(reader.read({ u: { out: 10, think: 20 } })?.usage).toEqual({
      outputTokens: 30,
      reportedOutputTokens: 10,
      reasoningTokens: 20,
    });
    const noReasoning = new PayloadReader(usageSelectors, 'output_excludes_reasoning');
    expect(noReasoning.read({ u: { out: 10, think: 0 } })?.usage).toEqual({
      outputTokens: 10,
      reasoningTokens: 0,
    });
  });

  it('merges counts that arrive in different payloads, the later value winning', () => {
    const reader = new PayloadReader(usageSelectors, 'output_includes_reasoning');
    expect(reader.read({ u: { in: 7 } })?.usage).toEqual({ inputTokens: 7 });
    expect(reader.read({ t: 'x', u: { out: 1 } })).toEqual({
      text: 'x',
      reasoningText: '',
      toolText: '',
      usage: { inputTokens: 7, outputTokens: 1 },
    });
    expect(reader.read({ u: { out: 5 } })?.usage).toEqual({ inputTokens: 7, outputTokens: 5 });
  });

  it('ignores the whole report, for the rest of the response, once a count is not a token count', () => {
    const reader = new PayloadReader(usageSelectors, 'output_includes_reasoning');
    const reason =
      'usage ignored: usage.output_tokens ($.u.out) "12" (a string) is not a token count (expected a whole number from 0 to 1000000000)';
    expect(reader.read({ u: { in: 3, out: '12' } })?.usage).toEqual({ ignoredReason: reason });
    expect(reader.read({ u: { out: 12 } })?.usage).toEqual({ ignoredReason: reason });
  });

  it('reads the error selector: presence makes an error event', () => {
    const reader = new PayloadReader(
      compileSelectors({ text: '$.t', error: '$.error' }),
      'output_includes_reasoning',
    );
    expect(reader.read({ t: 'a', error: null })?.error).toBeUndefined();
    expect(reader.read({ error: '' })).toBeUndefined();
    expect(reader.read({ error: 'boom' })?.error).toEqual({ message: 'boom' });
  });
});

describe('toErrorPayload', () => {
  it('takes message, type and code from an object, and describes other values', () => {
    expect(toErrorPayload({ message: 'slow down', type: 'rate_limit', code: 429 }, '$.e')).toEqual({
      message: 'slow down',
      type: 'rate_limit',
      code: 429,
    });
    expect(toErrorPayload({ error: 'bad', code: 'E1' }, '$.e')).toEqual({
      message: 'bad',
      code: 'E1',
    });
    expect(toErrorPayload({ reason: 'x' }, '$.e')).toEqual({ message: '{"reason":"x"}' });
    expect(toErrorPayload(true, '$.failed')).toEqual({
      message: 'the server reported an error ($.failed is true)',
    });
    expect(toErrorPayload('x'.repeat(5000), '$.e').message).toHaveLength(1000);
  });
});
