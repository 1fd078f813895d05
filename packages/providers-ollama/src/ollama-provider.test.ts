import type { ProviderRequestInput } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { createOllamaProvider } from './ollama-provider.js';

const bodyOf = (
  input: Partial<ProviderRequestInput>,
  options: Parameters<typeof createOllamaProvider>[0] = {},
) => {
  const request = createOllamaProvider(options).buildRequest({
    model: 'llama3.2',
    prompt: 'Hi',
    stream: true,
    ...input,
  });
  return JSON.parse(request.body!) as Record<string, unknown>;
};

describe('createOllamaProvider buildRequest', () => {
  it('posts to /api/chat with the output limit and temperature as model options', () => {
    const provider = createOllamaProvider({ baseUrl: 'http://box:11434/' });
    const request = provider.buildRequest({
      model: 'llama3.2',
      prompt: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      stream: true,
      maxTokens: 64,
      temperature: 0.2,
    });
    expect(request.url).toBe('http://box:11434/api/chat');
    expect(request.method).toBe('POST');
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/x-ndjson',
    });
    expect(JSON.parse(request.body!)).toEqual({
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      stream: true,
      options: { num_predict: 64, temperature: 0.2 },
    });
  });

  it('always says stream: false for a non-streaming request, and sends no empty options', () => {
    const provider = createOllamaProvider();
    const request = provider.buildRequest({ model: 'm', prompt: 'Hi', stream: false });
    expect(request.url).toBe('http://127.0.0.1:11434/api/chat');
    expect(request.headers.accept).toBe('application/json');
    expect(JSON.parse(request.body!)).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: false,
    });
  });

  it('sends think and keep_alive when set', () => {
    expect(bodyOf({}, { think: true, keepAlive: '10m' })).toMatchObject({
      think: true,
      keep_alive: '10m',
    });
    expect(bodyOf({}, { think: 'high', keepAlive: -1 })).toMatchObject({
      think: 'high',
      keep_alive: -1,
    });
    expect(bodyOf({})).not.toHaveProperty('think');
  });

  it('merges extra body fields last, and extra options into the model options', () => {
    expect(
      bodyOf(
        { maxTokens: 32, extraBody: { think: true, options: { num_ctx: 8192, temperature: 0 } } },
        { think: false },
      ),
    ).toEqual({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      think: true,
      options: { num_predict: 32, num_ctx: 8192, temperature: 0 },
    });
  });

  it('sends the key as a bearer token and extra headers last, lower-cased', () => {
    const request = createOllamaProvider({
      apiKey: 'ollama-key-123',
      headers: { 'X-Team': 'perf' },
    }).buildRequest({ model: 'm', prompt: 'Hi', stream: true });
    expect(request.headers.authorization).toBe('Bearer ollama-key-123');
    expect(request.headers['x-team']).toBe('perf');
  });

  it('picks the NDJSON decoder for streams and the JSON decoder otherwise', () => {
    const provider = createOllamaProvider();
    const input = { model: 'm', prompt: 'Hi' };
    expect(provider.createDecoder({ ...input, stream: true }).expectedContentType).toBe(
      'application/x-ndjson',
    );
    expect(provider.createDecoder({ ...input, stream: false }).expectedContentType).toBe(
      'application/json',
    );
  });
});
