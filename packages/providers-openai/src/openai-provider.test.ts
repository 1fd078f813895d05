import { LensProviderError } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { OpenAIJsonDecoder } from './json-decoder.js';
import { createOpenAIProvider } from './openai-provider.js';
import { OpenAIStreamDecoder } from './stream-decoder.js';

const bodyOf = (spec: { body?: string }): Record<string, unknown> =>
  JSON.parse(spec.body ?? 'null');

describe('createOpenAIProvider', () => {
  it('builds a streaming chat request with usage requested and a bearer key', () => {
    const provider = createOpenAIProvider({ apiKey: 'sk-test' });
    expect(provider.id).toBe('openai');
    expect(provider.name).toBe('openai');
    const spec = provider.buildRequest({
      model: 'gpt-4o-mini',
      prompt: 'Say hi',
      stream: true,
      maxTokens: 64,
      temperature: 0,
    });
    expect(spec.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(spec.method).toBe('POST');
    expect(spec.headers).toEqual({
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: 'Bearer sk-test',
    });
    expect(bodyOf(spec)).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hi' }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      temperature: 0,
    });
  });

  it('sends no Authorization header and no stream_options when not streaming', () => {
    const provider = createOpenAIProvider({
      id: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:8000/v1/',
    });
    expect(provider.name).toBe('openai-compatible');
    const spec = provider.buildRequest({ model: 'm', prompt: 'x', stream: false });
    expect(spec.url).toBe('http://127.0.0.1:8000/v1/chat/completions');
    expect(spec.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(bodyOf(spec)).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: false,
    });
  });

  it('omits stream_options when includeUsage is false and uses max_completion_tokens when asked', () => {
    const provider = createOpenAIProvider({
      includeUsage: false,
      maxTokensField: 'max_completion_tokens',
    });
    const body = bodyOf(
      provider.buildRequest({ model: 'o3', prompt: 'x', stream: true, maxTokens: 5 }),
    );
    expect(body.stream_options).toBeUndefined();
    expect(body.max_completion_tokens).toBe(5);
    expect(body.max_tokens).toBeUndefined();
  });

  it('sends min_tokens with ignore_eos to OpenAI-compatible servers only', () => {
    const input = { model: 'm', prompt: 'x', stream: true, maxTokens: 64, minTokens: 64 };
    const compatible = createOpenAIProvider({ id: 'openai-compatible', baseUrl: 'http://h/v1' });
    expect(compatible.supportsMinTokens).toBe(true);
    expect(bodyOf(compatible.buildRequest(input))).toMatchObject({
      max_tokens: 64,
      min_tokens: 64,
      ignore_eos: true,
    });
    // OpenAI's own API refuses fields it does not know: nothing is added.
    const openai = createOpenAIProvider();
    expect(openai.supportsMinTokens).toBeUndefined();
    const body = bodyOf(openai.buildRequest(input));
    expect(body.min_tokens).toBeUndefined();
    expect(body.ignore_eos).toBeUndefined();
    // The Responses API has no such field, whatever the server.
    const responses = createOpenAIProvider({ id: 'openai-compatible', api: 'responses' });
    expect(bodyOf(responses.buildRequest(input)).min_tokens).toBeUndefined();
  });

  it('passes a message list through and merges extraBody last', () => {
    const provider = createOpenAIProvider({ baseUrl: 'http://h:8000/v1' });
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'Hi' },
    ];
    const body = bodyOf(
      provider.buildRequest({
        model: 'm',
        prompt: messages,
        stream: true,
        maxTokens: 10,
        extraBody: {
          ignore_eos: true,
          max_tokens: 20,
          stream_options: { include_usage: true, continuous_usage_stats: true },
        },
      }),
    );
    expect(body.messages).toEqual(messages);
    expect(body.ignore_eos).toBe(true);
    expect(body.max_tokens).toBe(20);
    expect(body.stream_options).toEqual({ include_usage: true, continuous_usage_stats: true });
  });

  it('builds legacy completions requests with a prompt', () => {
    const provider = createOpenAIProvider({ api: 'completions', baseUrl: 'http://h/v1//' });
    const spec = provider.buildRequest({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'The capital of France is',
      stream: true,
    });
    expect(spec.url).toBe('http://h/v1/completions');
    expect(bodyOf(spec)).toEqual({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'The capital of France is',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(() =>
      provider.buildRequest({ model: 'm', prompt: [{ role: 'user', content: 'x' }], stream: true }),
    ).toThrow(LensProviderError);
  });

  it('lets custom headers replace defaults whatever their case', () => {
    const provider = createOpenAIProvider({
      apiKey: 'sk-a',
      headers: { Authorization: 'Bearer other', 'OpenAI-Organization': 'org-1' },
    });
    const spec = provider.buildRequest({ model: 'm', prompt: 'x', stream: true });
    expect(spec.headers).toEqual({
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: 'Bearer other',
      'openai-organization': 'org-1',
    });
    // Each request gets its own header object.
    spec.headers['x-request-id'] = '1';
    expect(
      provider.buildRequest({ model: 'm', prompt: 'x', stream: true }).headers['x-request-id'],
    ).toBeUndefined();
  });

  it('rejects a base URL that is not http(s) with a config error', () => {
    let thrown: unknown;
    try {
      createOpenAIProvider({ baseUrl: 'localhost:8000/v1' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LensProviderError);
    expect((thrown as LensProviderError).code).toBe('LENS_PROVIDER_CONFIG');
    expect((thrown as LensProviderError).message).toBe(
      'baseUrl "localhost:8000/v1" is not an http(s) URL; expected e.g. https://api.openai.com/v1 or http://localhost:8000/v1',
    );
  });

  it('creates a stream decoder for streaming requests and a JSON decoder otherwise', () => {
    const provider = createOpenAIProvider();
    expect(provider.createDecoder({ model: 'm', prompt: 'x', stream: true })).toBeInstanceOf(
      OpenAIStreamDecoder,
    );
    expect(provider.createDecoder({ model: 'm', prompt: 'x', stream: false })).toBeInstanceOf(
      OpenAIJsonDecoder,
    );
  });

  it('gives each decoder its media type and the maxEventBytes it is asked for', () => {
    const provider = createOpenAIProvider();
    const stream = provider.createDecoder(
      { model: 'm', prompt: 'x', stream: true },
      { maxEventBytes: 16 },
    );
    const json = provider.createDecoder(
      { model: 'm', prompt: 'x', stream: false },
      { maxEventBytes: 16 },
    );
    expect(stream.expectedContentType).toBe('text/event-stream');
    expect(json.expectedContentType).toBe('application/json');
    const body = new TextEncoder().encode(`data: ${'x'.repeat(11)}`); // 17 characters
    expect(() => stream.push(body, () => {})).toThrow('maximum event size of 16 bytes');
    expect(() => json.push(body, () => {})).toThrow('maximum event size of 16 bytes');
  });

  it('classifies HTTP errors with the provider name in auth hints', () => {
    const provider = createOpenAIProvider({ name: 'my-vllm', id: 'openai-compatible' });
    expect(provider.classifyHttpError(401, {}, '{"error":{"message":"bad key"}}')).toEqual({
      errorClass: 'auth',
      message: 'HTTP 401: bad key (check the API key and its permissions for my-vllm)',
      persistent: true,
    });
    expect(provider.classifyHttpError(429, { 'retry-after': '1' }, '').message).toContain(
      'retry after 1 s',
    );
    expect(provider.classifyStreamError({ message: 'x', type: 'server_error' }).errorClass).toBe(
      'server_error',
    );
  });
});
