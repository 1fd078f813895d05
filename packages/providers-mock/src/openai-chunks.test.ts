import { describe, expect, it } from 'vitest';
import type { CompletionRequest } from './completion-request.js';
import { ChunkEncoder, completionBody, DONE_EVENT } from './openai-chunks.js';

function request(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    endpoint: 'chat',
    model: 'my "model"',
    stream: true,
    includeUsage: false,
    continuousUsage: false,
    maxTokens: undefined,
    minTokens: undefined,
    ignoreEos: false,
    promptTokens: 10,
    supportsReasoning: true,
    ...overrides,
  };
}

function parseEvent(event: string): Record<string, unknown> {
  expect(event.startsWith('data: ')).toBe(true);
  expect(event.endsWith('\n\n')).toBe(true);
  return JSON.parse(event.slice(6, -2)) as Record<string, unknown>;
}

describe('ChunkEncoder', () => {
  it('builds a chat role chunk that carries no token', () => {
    const chunk = parseEvent(new ChunkEncoder(request(), 'chatcmpl-r1', 1700000000).roleChunk());
    expect(chunk).toEqual({
      id: 'chatcmpl-r1',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'my "model"',
      system_fingerprint: 'fp_llm_lens_mock',
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: '' },
          logprobs: null,
          finish_reason: null,
        },
      ],
    });
  });

  it('builds content and reasoning chunks with the finish reason only on the last', () => {
    const encoder = new ChunkEncoder(request(), 'chatcmpl-r1', 1);
    const content = parseEvent(encoder.tokenChunk(false, 1, 2, null, 2));
    expect(content.choices).toEqual([
      { index: 0, delta: { content: ' quick brown' }, logprobs: null, finish_reason: null },
    ]);
    const reasoning = parseEvent(encoder.tokenChunk(true, 0, 1, 'length', 3));
    expect(reasoning.choices).toEqual([
      { index: 0, delta: { reasoning_content: ' the' }, logprobs: null, finish_reason: 'length' },
    ]);
    expect('usage' in content).toBe(false);
  });

  it('adds usage null to every chunk with include_usage, like OpenAI', () => {
    const encoder = new ChunkEncoder(request({ includeUsage: true }), 'chatcmpl-r1', 1);
    expect(parseEvent(encoder.tokenChunk(false, 0, 1, null, 1)).usage).toBeNull();
    expect(
      parseEvent(encoder.usageChunk({ promptTokens: 10, completionTokens: 5, reasoningTokens: 2 })),
    ).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        completion_tokens_details: { reasoning_tokens: 2 },
      },
    });
  });

  it('adds cumulative usage to every chunk with continuous usage stats', () => {
    const encoder = new ChunkEncoder(
      request({ includeUsage: true, continuousUsage: true }),
      'chatcmpl-r1',
      1,
    );
    expect(parseEvent(encoder.roleChunk()).usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: 0,
      total_tokens: 10,
    });
    expect(parseEvent(encoder.tokenChunk(false, 0, 3, null, 7)).usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: 7,
      total_tokens: 17,
    });
  });

  it('builds legacy completion chunks with the token in choices[0].text', () => {
    const encoder = new ChunkEncoder(request({ endpoint: 'completions' }), 'cmpl-r1', 1);
    const chunk = parseEvent(encoder.tokenChunk(false, 0, 1, 'stop', 1));
    expect(chunk.object).toBe('text_completion');
    expect(chunk.choices).toEqual([
      { index: 0, text: ' the', logprobs: null, finish_reason: 'stop' },
    ]);
  });

  it('builds a mid-stream error event and the DONE marker', () => {
    const encoder = new ChunkEncoder(request(), 'chatcmpl-r1', 1);
    const error = { message: 'boom', type: 'server_error', param: null, code: 'x' };
    expect(parseEvent(encoder.errorEvent(error))).toEqual({ error });
    expect(DONE_EVENT).toBe('data: [DONE]\n\n');
  });
});

describe('completionBody', () => {
  it('builds a non-streaming chat completion with reasoning and usage', () => {
    const body = JSON.parse(
      completionBody(
        request({ stream: false }),
        'chatcmpl-r2',
        5,
        { reasoning: ' the', content: ' quick' },
        'stop',
        { promptTokens: 3, completionTokens: 2, reasoningTokens: 1 },
      ),
    );
    expect(body).toMatchObject({
      id: 'chatcmpl-r2',
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: ' quick', reasoning_content: ' the' },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
  });

  it('builds a non-streaming legacy completion', () => {
    const body = JSON.parse(
      completionBody(
        request({ endpoint: 'completions', stream: false }),
        'cmpl-r3',
        5,
        { reasoning: '', content: ' the' },
        'length',
        { promptTokens: 1, completionTokens: 1, reasoningTokens: 0 },
      ),
    );
    expect(body.object).toBe('text_completion');
    expect(body.choices).toEqual([
      { text: ' the', index: 0, logprobs: null, finish_reason: 'length' },
    ]);
  });
});
