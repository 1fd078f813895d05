import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from './completion-request.js';

describe('parseCompletionRequest', () => {
  it('reads a streaming chat body with usage options', () => {
    const parsed = parseCompletionRequest(
      'chat',
      JSON.stringify({
        model: 'gpt-x',
        messages: [{ role: 'user', content: 'one two three' }],
        stream: true,
        stream_options: { include_usage: true, continuous_usage_stats: true },
        max_tokens: 12,
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      request: {
        endpoint: 'chat',
        model: 'gpt-x',
        stream: true,
        includeUsage: true,
        continuousUsage: true,
        maxTokens: 12,
        minTokens: undefined,
        ignoreEos: false,
        promptTokens: 7,
        supportsReasoning: true,
      },
    });
  });

  it('prefers max_completion_tokens over max_tokens', () => {
    const parsed = parseCompletionRequest(
      'chat',
      '{"model":"m","messages":[],"max_tokens":50,"max_completion_tokens":9}',
    );
    expect(parsed.ok && parsed.request.maxTokens).toBe(9);
  });

  it('ignores continuous_usage_stats without include_usage, as vLLM does', () => {
    const parsed = parseCompletionRequest(
      'chat',
      '{"model":"m","messages":[],"stream":true,"stream_options":{"continuous_usage_stats":true}}',
    );
    expect(parsed.ok && [parsed.request.includeUsage, parsed.request.continuousUsage]).toEqual([
      false,
      false,
    ]);
  });

  it('reads a legacy completion with a string prompt', () => {
    const parsed = parseCompletionRequest('completions', '{"model":"m","prompt":"say hi to me"}');
    expect(parsed.ok && parsed.request).toMatchObject({
      endpoint: 'completions',
      stream: false,
      promptTokens: 4,
    });
  });

  it.each([
    ['not json', 'chat', '{model:', 'We could not parse the JSON body', null],
    ['an array body', 'chat', '[1]', 'must be a JSON object', null],
    ['a missing model', 'chat', '{"messages":[]}', 'you must provide a model parameter', 'model'],
    [
      'missing messages',
      'chat',
      '{"model":"m"}',
      "Missing required parameter: 'messages'",
      'messages',
    ],
    [
      'a missing prompt',
      'completions',
      '{"model":"m"}',
      "Missing required parameter: 'prompt'",
      'prompt',
    ],
    [
      'max_tokens 0',
      'chat',
      '{"model":"m","messages":[],"max_tokens":0}',
      "Invalid 'max_tokens'",
      'max_tokens',
    ],
    [
      'a non-boolean stream',
      'chat',
      '{"model":"m","messages":[],"stream":"yes"}',
      "'stream'",
      'stream',
    ],
    [
      'stream_options without stream',
      'chat',
      '{"model":"m","messages":[],"stream_options":{"include_usage":true}}',
      "only allowed when 'stream' is enabled",
      'stream_options',
    ],
  ] as const)('rejects %s with a 400 problem', (_name, endpoint, body, message, param) => {
    const parsed = parseCompletionRequest(endpoint, body);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem.message).toContain(message);
    expect(parsed.problem.param).toBe(param);
  });
});
