import { HttpTransport, type ProviderRequestInput } from '@llm-lens/providers-core';
import { exchangeOnce } from '@llm-lens/providers-core/testing';
import {
  type RunningSimulator,
  type SimulatorOptions,
  simulatedText,
  startSimulator,
} from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCohereProvider, providerFactories } from '../src/index.js';

const API_KEY = 'co-lens-integration-4567';

const transport = new HttpTransport();
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ ttftMs: 2, itlMs: 1, outputTokens: 8, seed: 1 });
});

afterAll(async () => {
  await transport.close();
  await sim.close();
});

/** 2 messages × 4 framing tokens + 5 words, as the simulator counts a prompt. */
const PROMPT_TOKENS = 13;
const input = (extra: Partial<ProviderRequestInput> = {}): ProviderRequestInput => ({
  model: 'command-a-03-2025',
  prompt: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Tell a story' },
  ],
  stream: true,
  ...extra,
});

async function withSimulator<T>(
  options: SimulatorOptions,
  use: (simulator: RunningSimulator) => Promise<T>,
): Promise<T> {
  const simulator = await startSimulator({ ttftMs: 1, itlMs: 1, outputTokens: 6, ...options });
  try {
    return await use(simulator);
  } finally {
    await simulator.close();
  }
}

const joined = (events: { text: string }[]) => events.map((e) => e.text).join('');
const reasoning = (events: { reasoningText: string }[]) =>
  events.map((e) => e.reasoningText).join('');

describe('Cohere provider against the simulator speaking Chat v2', () => {
  it('streams the full text, one token event per delta, with usage from message-end', async () => {
    const provider = createCohereProvider({ baseUrl: sim.url, apiKey: API_KEY });
    const result = await exchangeOnce(transport, provider, input(), { secrets: [API_KEY] });
    expect(result.status).toBe(200);
    expect(result.failure).toBeUndefined();
    expect(joined(result.events)).toBe(simulatedText(8));
    expect(result.events.filter((e) => e.text.length > 0)).toHaveLength(8);
    expect(result.events.filter((e) => e.usage).map((e) => e.usage)).toEqual([
      { inputTokens: PROMPT_TOKENS, outputTokens: 8 },
    ]);
    expect(result.sawEndMarker).toBe(true);
    expect(result.streamErrors).toEqual([]);
  });

  it('decodes a non-streaming chat, capped by max_tokens', async () => {
    const provider = createCohereProvider({ baseUrl: `${sim.url}/v2/`, apiKey: API_KEY });
    const result = await exchangeOnce(transport, provider, input({ stream: false, maxTokens: 5 }));
    expect(result.status).toBe(200);
    expect(result.events).toEqual([
      {
        text: simulatedText(5),
        reasoningText: '',
        toolText: '',
        usage: { inputTokens: PROMPT_TOKENS, outputTokens: 5 },
      },
    ]);
    expect(result.sawEndMarker).toBe(true);
  });

  it('reads thinking as reasoning before the answer, with output tokens covering both', async () => {
    await withSimulator({ reasoningTokens: 4, outputTokens: 3 }, async (thinking) => {
      const provider = createCohereProvider({
        baseUrl: thinking.url,
        thinking: { type: 'enabled', tokenBudget: 64 },
      });
      const streamed = await exchangeOnce(transport, provider, input());
      const kinds = streamed.events
        .filter((e) => e.text.length > 0 || e.reasoningText.length > 0)
        .map((e) => (e.reasoningText.length > 0 ? 'reasoning' : 'text'));
      expect(kinds).toEqual([
        'reasoning',
        'reasoning',
        'reasoning',
        'reasoning',
        'text',
        'text',
        'text',
      ]);
      expect(reasoning(streamed.events)).toBe(simulatedText(4));
      expect(joined(streamed.events)).toBe(simulatedText(3));
      expect(streamed.events.findLast((e) => e.usage)?.usage).toEqual({
        inputTokens: PROMPT_TOKENS,
        outputTokens: 7,
      });
      const whole = await exchangeOnce(transport, provider, input({ stream: false }));
      expect(whole.events[0]).toMatchObject({
        text: simulatedText(3),
        reasoningText: simulatedText(4),
      });
      const disabled = createCohereProvider({
        baseUrl: thinking.url,
        thinking: { type: 'disabled' },
      });
      const plain = await exchangeOnce(transport, disabled, input());
      expect(reasoning(plain.events)).toBe('');
      expect(joined(plain.events)).toBe(simulatedText(3));
    });
  });

  it('classifies a refused body as client_error and a rejected key as auth', async () => {
    const provider = createCohereProvider({ baseUrl: sim.url, apiKey: API_KEY });
    const refused = await exchangeOnce(transport, provider, input({ maxTokens: 0 }));
    expect(refused.status).toBe(400);
    expect(refused.httpError).toEqual({
      errorClass: 'client_error',
      message: 'HTTP 400: invalid request: max_tokens must be a positive integer',
      persistent: true,
    });
    const rejected = createCohereProvider({ baseUrl: sim.url, apiKey: 'invalid-key' });
    const result = await exchangeOnce(transport, rejected, input(), { secrets: ['invalid-key'] });
    expect(result.status).toBe(401);
    expect(result.httpError).toEqual({
      errorClass: 'auth',
      message:
        'HTTP 401: invalid api token (simulated) (check the API key and its permissions for cohere)',
      persistent: true,
    });
  });

  it('classifies 429 as rate_limited with the Retry-After wait, and 500 as server_error', async () => {
    await withSimulator({ faults: { rateLimitRate: 1, retryAfterS: 2 } }, async (limited) => {
      const provider = createCohereProvider({ baseUrl: limited.url });
      const result = await exchangeOnce(transport, provider, input());
      expect(result.status).toBe(429);
      expect(result.httpError).toEqual({
        errorClass: 'rate_limited',
        message:
          'HTTP 429: Rate limit reached for command-a-03-2025 (simulated). Please try again in 2s.; retry after 2 s',
      });
    });
    await withSimulator({ faults: { serverErrorRate: 1 } }, async (failing) => {
      const provider = createCohereProvider({ baseUrl: failing.url });
      const result = await exchangeOnce(transport, provider, input({ stream: false }));
      expect(result.status).toBe(500);
      expect(result.httpError).toEqual({
        errorClass: 'server_error',
        message: 'HTTP 500: The server had an error while processing your request (simulated).',
      });
    });
  });

  it('reports a generation that fails mid-stream as a server_error stream error', async () => {
    await withSimulator({ faults: { midStreamErrorRate: 1 } }, async (failing) => {
      const provider = createCohereProvider({ baseUrl: failing.url });
      const result = await exchangeOnce(transport, provider, input());
      expect(result.status).toBe(200);
      expect(joined(result.events)).toBe(simulatedText(3));
      expect(result.streamErrors).toEqual([
        {
          errorClass: 'server_error',
          message:
            'error in stream: The model stopped generating because of a server error (simulated).',
        },
      ]);
      expect(result.events.some((e) => e.usage !== undefined)).toBe(false);
      // The stream ended as Cohere ends it, with message-end: the failure is the error's.
      expect(result.sawEndMarker).toBe(true);
    });
  });

  it('sees a dropped connection as a transport failure without the end marker', async () => {
    await withSimulator({ faults: { dropRate: 1 } }, async (dropping) => {
      const provider = createCohereProvider({ baseUrl: dropping.url });
      const result = await exchangeOnce(transport, provider, input());
      expect(result.status).toBe(200);
      expect(joined(result.events)).toBe(simulatedText(3));
      expect(result.failure).toBeInstanceOf(Error);
      expect(result.sawEndMarker).toBe(false);
    });
  });
});

describe('Cohere requests', () => {
  it('sends the bearer key, system messages in the list, limits, thinking, and options last', () => {
    const provider = createCohereProvider({
      apiKey: API_KEY,
      thinking: { type: 'enabled', tokenBudget: 256 },
      headers: { 'X-Client-Name': 'lens' },
    });
    const request = provider.buildRequest(
      input({
        maxTokens: 64,
        temperature: 0.2,
        extraBody: { seed: 7, thinking: { type: 'disabled' } },
      }),
    );
    expect(request.url).toBe('https://api.cohere.com/v2/chat');
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${API_KEY}`,
      'x-client-name': 'lens',
    });
    expect(JSON.parse(request.body!)).toEqual({
      model: 'command-a-03-2025',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Tell a story' },
      ],
      stream: true,
      max_tokens: 64,
      temperature: 0.2,
      thinking: { type: 'disabled' },
      seed: 7,
    });
    const plain = createCohereProvider().buildRequest({ model: 'm', prompt: 'hi', stream: false });
    expect(plain.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(JSON.parse(plain.body!)).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: false,
    });
  });

  it('checks the key with the model list, which generates nothing', () => {
    const provider = createCohereProvider({
      baseUrl: 'https://cohere.example/v2/',
      apiKey: API_KEY,
    });
    expect(provider.buildCheckRequest?.()).toEqual({
      url: 'https://cohere.example/v1/models?page_size=1&endpoint=chat',
      method: 'GET',
      headers: { accept: 'application/json', authorization: `Bearer ${API_KEY}` },
    });
  });

  it('refuses a base URL that is not http(s), without echoing its query', () => {
    expect(() => createCohereProvider({ baseUrl: 'ftp://x.invalid/?key=secret' })).toThrow(
      'baseUrl "ftp://x.invalid/" is not an http(s) URL; expected e.g. https://api.cohere.com',
    );
  });
});

describe('the cohere provider factory', () => {
  const factory = providerFactories.find((f) => f.type === 'cohere')!;
  const create = (settings: Record<string, unknown>, env: NodeJS.ProcessEnv) =>
    factory.create(
      { name: 'co', type: 'cohere', models: ['m'], ...factory.configSchema.parse(settings) },
      { env, baseDir: process.cwd() },
    );
  const bearer = async (env: NodeJS.ProcessEnv, settings: Record<string, unknown> = {}) =>
    (await create(settings, env)).provider.buildRequest({ model: 'm', prompt: 'x', stream: true })
      .headers.authorization;

  it('reads the key from CO_API_KEY, else COHERE_API_KEY, else the configured variable', async () => {
    const instance = await create({}, { CO_API_KEY: API_KEY });
    expect(instance.secrets).toEqual([API_KEY]);
    expect(instance.endpoint).toBe('https://api.cohere.com');
    expect(instance.provider.name).toBe('co');
    expect(await bearer({ CO_API_KEY: API_KEY })).toBe(`Bearer ${API_KEY}`);
    expect(await bearer({ COHERE_API_KEY: 'fallback-key' })).toBe('Bearer fallback-key');
    expect(await bearer({ CO_API_KEY: ' ', COHERE_API_KEY: 'fallback-key' })).toBe(
      'Bearer fallback-key',
    );
    expect(await bearer({ CO_API_KEY: API_KEY, COHERE_API_KEY: 'fallback-key' })).toBe(
      `Bearer ${API_KEY}`,
    );
    expect(await bearer({ MY_KEY: 'mine', CO_API_KEY: API_KEY }, { api_key_env: 'MY_KEY' })).toBe(
      'Bearer mine',
    );
    expect(
      factory.credentials({ name: 'co', type: 'cohere', models: [] }, { baseDir: '/' }),
    ).toEqual([{ env: 'CO_API_KEY', what: 'the API key' }]);
  });

  it('names the variable, never a key, when no key is set', async () => {
    await expect(create({}, { OTHER: API_KEY })).rejects.toThrow(
      'provider "co" needs an API key: set the environment variable CO_API_KEY',
    );
    await expect(create({}, { OTHER: API_KEY })).rejects.not.toThrow(API_KEY);
  });

  it('turns the thinking settings into the body field, and refuses a budget with thinking off', async () => {
    const body = async (settings: Record<string, unknown>) =>
      JSON.parse(
        (await create(settings, { CO_API_KEY: API_KEY })).provider.buildRequest({
          model: 'm',
          prompt: 'x',
          stream: true,
        }).body!,
      ).thinking;
    expect(await body({})).toBeUndefined();
    expect(await body({ thinking: 'disabled' })).toEqual({ type: 'disabled' });
    expect(await body({ thinking_token_budget: 1024 })).toEqual({
      type: 'enabled',
      token_budget: 1024,
    });
    expect(
      factory.configSchema.safeParse({ thinking: 'disabled', thinking_token_budget: 5 }).success,
    ).toBe(false);
    expect(factory.configSchema.safeParse({ thinking: 'maybe' }).success).toBe(false);
  });
});
