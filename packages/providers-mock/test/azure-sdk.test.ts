import { AuthenticationError, AzureOpenAI, OpenAI, RateLimitError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, simulatedText, startSimulator } from '../src/index.js';
import { REJECTED_CREDENTIAL } from '../src/protocols/wire-protocol.js';

const API_VERSION = '2024-10-21';
const DEPLOYMENT = 'gpt-4o-lens';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ ttftMs: 5, itlMs: 1, outputTokens: 12, seed: 1 });
});

afterAll(async () => {
  await sim.close();
});

function azureClient(options: { apiKey?: string; deployment?: string } = {}): AzureOpenAI {
  return new AzureOpenAI({
    endpoint: sim.url,
    apiKey: options.apiKey ?? 'azure-test-key',
    apiVersion: API_VERSION,
    deployment: options.deployment ?? DEPLOYMENT,
    maxRetries: 0,
  });
}

describe("the openai package's AzureOpenAI client against the simulator", () => {
  it('streams a chat completion from a deployment with the full text and usage', async () => {
    const stream = await azureClient().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Say twelve words' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunksWithoutChoices = 0;
    const models = new Set<string>();
    const finishReasons: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (choice === undefined) {
        chunksWithoutChoices++;
        continue;
      }
      models.add(chunk.model);
      text += choice.delta.content ?? '';
      if (choice.finish_reason !== null) finishReasons.push(choice.finish_reason);
    }
    expect(text).toBe(simulatedText(12));
    expect(finishReasons).toEqual(['stop']);
    // The prompt-filter chunk first, the usage chunk last.
    expect(chunksWithoutChoices).toBe(2);
    expect([...models]).toEqual([DEPLOYMENT]);
    expect(usage).toEqual({
      prompt_tokens: 4 + 3,
      completion_tokens: 12,
      total_tokens: 19,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('returns a non-streaming chat completion with the deployment as its model', async () => {
    const completion = await azureClient().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 5,
    });
    expect(completion.model).toBe(DEPLOYMENT);
    expect(completion.choices[0]?.message.content).toBe(simulatedText(5));
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(5);
  });

  it('puts the model in the path when no deployment is configured', async () => {
    const completion = await new AzureOpenAI({
      endpoint: sim.url,
      apiKey: 'azure-test-key',
      apiVersion: API_VERSION,
      maxRetries: 0,
    }).chat.completions.create({
      model: 'other-deployment',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 2,
    });
    expect(completion.model).toBe('other-deployment');
  });

  it('raises AuthenticationError when the key is rejected', async () => {
    const request = azureClient({ apiKey: REJECTED_CREDENTIAL }).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(request).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('raises RateLimitError with the retry-after header when the simulator rate-limits', async () => {
    const limited = await startSimulator({
      outputTokens: 3,
      faults: { rateLimitRate: 1, retryAfterS: 7 },
    });
    try {
      const client = new AzureOpenAI({
        endpoint: limited.url,
        apiKey: 'azure-test-key',
        apiVersion: API_VERSION,
        deployment: DEPLOYMENT,
        maxRetries: 0,
      });
      const error = await client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).headers.get('retry-after')).toBe('7');
      expect((error as RateLimitError).code).toBe('429');
    } finally {
      await limited.close();
    }
  });
});

describe("the openai package's OpenAI client against the simulator's Azure v1 API", () => {
  it('streams with the deployment name as the model and a bearer token', async () => {
    const client = new OpenAI({
      baseURL: `${sim.url}/openai/v1/`,
      apiKey: 'entra-token',
      maxRetries: 0,
    });
    const stream = await client.chat.completions.create({
      model: DEPLOYMENT,
      messages: [{ role: 'user', content: 'Say twelve words' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe(simulatedText(12));
    expect(usage?.completion_tokens).toBe(12);
  });
});
