import { describe, expect, it } from 'vitest';
import { openaiCompatibleProviderFactory, openaiProviderFactory } from './openai-factories.js';
import { createOpenAIProvider } from './openai-provider.js';
import { ResponsesJsonDecoder } from './responses-json-decoder.js';
import { buildResponsesBody } from './responses-request.js';
import { ResponsesStreamDecoder } from './responses-stream-decoder.js';

describe('buildResponsesBody', () => {
  it('sends a string prompt as the input string, with the output cap and temperature', () => {
    expect(
      buildResponsesBody({
        model: 'gpt-4.1-mini',
        prompt: 'Say hello',
        stream: true,
        maxTokens: 64,
        temperature: 0.2,
      }),
    ).toEqual({
      model: 'gpt-4.1-mini',
      input: 'Say hello',
      stream: true,
      max_output_tokens: 64,
      temperature: 0.2,
    });
  });

  it('sends a message list as input messages in order, system messages included', () => {
    expect(
      buildResponsesBody({
        model: 'm',
        prompt: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'user', content: 'Bye' },
        ],
        stream: false,
      }),
    ).toEqual({
      model: 'm',
      input: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Bye' },
      ],
      stream: false,
    });
  });

  it('merges extraBody last, so it can ask for reasoning summaries or replace a field', () => {
    expect(
      buildResponsesBody({
        model: 'o4-mini',
        prompt: 'x',
        stream: true,
        maxTokens: 100,
        extraBody: { reasoning: { effort: 'low', summary: 'auto' }, max_output_tokens: 200 },
      }),
    ).toEqual({
      model: 'o4-mini',
      input: 'x',
      stream: true,
      max_output_tokens: 200,
      reasoning: { effort: 'low', summary: 'auto' },
    });
  });
});

describe("createOpenAIProvider with api: 'responses'", () => {
  const provider = createOpenAIProvider({
    id: 'openai',
    baseUrl: 'https://api.openai.com/v1/',
    apiKey: 'sk-test-responses',
    api: 'responses',
    // Chat-only settings do not leak into a Responses body.
    includeUsage: true,
    maxTokensField: 'max_completion_tokens',
  });

  it('posts to {base}/responses with the Responses body and the stream or JSON accept header', () => {
    const spec = provider.buildRequest({
      model: 'gpt-5',
      prompt: 'Hi',
      stream: true,
      maxTokens: 32,
    });
    expect(spec.url).toBe('https://api.openai.com/v1/responses');
    expect(spec.method).toBe('POST');
    expect(spec.headers).toEqual({
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: 'Bearer sk-test-responses',
    });
    expect(JSON.parse(spec.body!)).toEqual({
      model: 'gpt-5',
      input: 'Hi',
      stream: true,
      max_output_tokens: 32,
    });
    const json = provider.buildRequest({ model: 'gpt-5', prompt: 'Hi', stream: false });
    expect(json.headers.accept).toBe('application/json');
  });

  it('decodes with the Responses decoders', () => {
    expect(provider.createDecoder({ model: 'm', prompt: 'x', stream: true })).toBeInstanceOf(
      ResponsesStreamDecoder,
    );
    expect(provider.createDecoder({ model: 'm', prompt: 'x', stream: false })).toBeInstanceOf(
      ResponsesJsonDecoder,
    );
  });

  it('names the three valid apis when given another', () => {
    expect(() =>
      createOpenAIProvider({ api: 'response' as unknown as 'responses', name: 'my-openai' }),
    ).toThrow(
      'unknown api "response" for my-openai; expected "chat", "completions" or "responses"',
    );
  });
});

describe('the provider types with api: responses', () => {
  it('accept api: responses and build a provider that posts to /responses', async () => {
    const context = { env: { OPENAI_API_KEY: 'sk-from-env' }, baseDir: process.cwd() };
    for (const [factory, entry] of [
      [openaiProviderFactory, { api: 'responses' }],
      [openaiCompatibleProviderFactory, { api: 'responses', base_url: 'http://127.0.0.1:8000/v1' }],
    ] as const) {
      const parsed = factory.configSchema.parse(entry) as Record<string, unknown>;
      expect(parsed.api).toBe('responses');
      const settings = { name: factory.type, type: factory.type, models: ['m'], ...parsed };
      const instance = await factory.create(settings, context);
      const spec = instance.provider.buildRequest({ model: 'm', prompt: 'x', stream: true });
      expect(spec.url.endsWith('/v1/responses')).toBe(true);
      expect(JSON.parse(spec.body!)).toEqual({ model: 'm', input: 'x', stream: true });
    }
  });

  it('still reject an api they do not know', () => {
    expect(openaiProviderFactory.configSchema.safeParse({ api: 'assistants' }).success).toBe(false);
  });
});
