import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, simulatedText, startSimulator } from '../src/index.js';

let sim: RunningSimulator;
let client: OpenAI;

beforeAll(async () => {
  sim = await startSimulator({ ttftMs: 5, itlMs: 1, outputTokens: 12, seed: 1 });
  client = new OpenAI({ baseURL: sim.baseUrl, apiKey: 'test', maxRetries: 0 });
});

afterAll(async () => {
  await sim.close();
});

describe('the official openai client against the simulator', () => {
  it('streams a chat completion with the full text, finish reason and usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'Say twelve words' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let roleChunks = 0;
    const finishReasons: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    const ids = new Set<string>();
    for await (const chunk of stream) {
      ids.add(chunk.id);
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (choice === undefined) continue;
      if (choice.delta.role === 'assistant') roleChunks++;
      text += choice.delta.content ?? '';
      finishReasons.push(choice.finish_reason);
    }
    expect(text).toBe(simulatedText(12));
    expect(roleChunks).toBe(1);
    expect(finishReasons.filter((reason) => reason !== null)).toEqual(['stop']);
    expect(finishReasons.at(-1)).toBe('stop');
    expect(usage).toEqual({
      prompt_tokens: 4 + 3,
      completion_tokens: 12,
      total_tokens: 19,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^chatcmpl-/);
  });

  it('returns a non-streaming chat completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'any-model-id',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 5,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('any-model-id');
    expect(completion.choices[0]?.message.content).toBe(simulatedText(5));
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(5);
    expect(completion.usage?.prompt_tokens).toBe(5);
  });

  it('streams and returns legacy completions', async () => {
    const stream = await client.completions.create({
      model: 'mock-model',
      prompt: 'once upon a time',
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(simulatedText(12));
    expect(usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 12, total_tokens: 16 });

    const completion = await client.completions.create({
      model: 'mock-model',
      prompt: 'x',
      max_tokens: 3,
    });
    expect(completion.choices[0]?.text).toBe(simulatedText(3));
    expect(completion.choices[0]?.finish_reason).toBe('length');
  });

  it('lists the mock model', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(['mock-model']);
    expect((await client.models.retrieve('mock-model')).id).toBe('mock-model');
  });

  it('reports the echoed request id the client sent', async () => {
    const { data, response } = await client.chat.completions
      .create(
        { model: 'mock-model', messages: [], max_tokens: 1 },
        { headers: { 'x-request-id': 'client-chosen-id' } },
      )
      .withResponse();
    expect(response.headers.get('x-request-id')).toBe('client-chosen-id');
    expect(data.id).toBe('chatcmpl-client-chosen-id');
  });
});
