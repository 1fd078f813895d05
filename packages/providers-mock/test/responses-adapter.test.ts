import {
  HttpTransport,
  type Provider,
  type ProviderRequestInput,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { type ExchangeResult, exchangeOnce } from '@llm-lens/providers-core/testing';
import { createOpenAIProvider } from '@llm-lens/providers-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mockProviderFactory,
  type RunningSimulator,
  type SimulatorOptions,
  simulatedText,
  simulatedTokenText,
  startSimulator,
} from '../src/index.js';

// The OpenAI adapter with api: 'responses' against the simulator's Responses API over real
// HTTP. These live here because the simulator depends on the adapter package, not the
// other way round.

let transport: HttpTransport;

beforeAll(() => {
  transport = new HttpTransport();
});

afterAll(async () => {
  await transport.close();
});

async function withSimulator<T>(
  options: SimulatorOptions,
  use: (sim: RunningSimulator, provider: Provider) => Promise<T>,
  providerOptions: { apiKey?: string } = {},
): Promise<T> {
  const sim = await startSimulator({ ttftMs: 2, itlMs: 1, outputTokens: 12, seed: 1, ...options });
  try {
    const provider = createOpenAIProvider({
      id: 'openai-compatible',
      name: 'simulated-responses',
      baseUrl: sim.baseUrl,
      api: 'responses',
      ...providerOptions,
    });
    return await use(sim, provider);
  } finally {
    await sim.close();
  }
}

function tokenEvents(result: ExchangeResult): StreamEvent[] {
  return result.events.filter(
    (e) => e.text.length > 0 || e.reasoningText.length > 0 || e.toolText.length > 0,
  );
}

const joined = (events: StreamEvent[], field: 'text' | 'reasoningText'): string =>
  events.map((e) => e[field]).join('');

// "Say twelve words": 4 + 3 prompt tokens by the simulator's estimate.
const streaming: ProviderRequestInput = {
  model: 'mock-model',
  prompt: 'Say twelve words',
  stream: true,
  maxTokens: 64,
};
const PROMPT_TOKENS = 7;

describe("createOpenAIProvider({ api: 'responses' }) against the simulator", () => {
  it('streams one token event per delta with exact usage and the end marker', async () => {
    await withSimulator({}, async (_sim, provider) => {
      const result = await exchangeOnce(transport, provider, streaming);
      expect(result.status).toBe(200);
      expect(result.failure).toBeUndefined();
      expect(result.httpError).toBeUndefined();
      expect(result.streamErrors).toEqual([]);
      const tokens = tokenEvents(result);
      expect(tokens.map((e) => e.text)).toEqual(
        Array.from({ length: 12 }, (_, i) => simulatedTokenText(i)),
      );
      expect(joined(result.events, 'reasoningText')).toBe('');
      expect(result.events.filter((e) => e.usage !== undefined).map((e) => e.usage)).toEqual([
        { inputTokens: PROMPT_TOKENS, outputTokens: 12, reasoningTokens: 0, cachedInputTokens: 0 },
      ]);
      expect(result.sawEndMarker).toBe(true);
    });
  });

  it('reads a non-streaming response as one event with the text and usage', async () => {
    await withSimulator({}, async (_sim, provider) => {
      const result = await exchangeOnce(transport, provider, { ...streaming, stream: false });
      expect(result.status).toBe(200);
      expect(result.events).toEqual([
        {
          text: simulatedText(12),
          reasoningText: '',
          toolText: '',
          usage: {
            inputTokens: PROMPT_TOKENS,
            outputTokens: 12,
            reasoningTokens: 0,
            cachedInputTokens: 0,
          },
        },
      ]);
      expect(result.sawEndMarker).toBe(true);
    });
  });

  it('streams the reasoning summary first when extraBody asks for reasoning', async () => {
    await withSimulator({ reasoningTokens: 5, tokensPerEvent: 2 }, async (_sim, provider) => {
      const reasoning = { reasoning: { effort: 'low', summary: 'auto' } };
      const result = await exchangeOnce(transport, provider, {
        ...streaming,
        extraBody: reasoning,
      });
      const tokens = tokenEvents(result);
      // 5 reasoning tokens in 3 events, then 12 answer tokens in 6.
      expect(tokens).toHaveLength(9);
      expect(tokens.slice(0, 3).every((e) => e.text === '' && e.reasoningText !== '')).toBe(true);
      expect(tokens.slice(3).every((e) => e.reasoningText === '' && e.text !== '')).toBe(true);
      expect(joined(tokens, 'reasoningText')).toBe(simulatedText(5));
      expect(joined(tokens, 'text')).toBe(simulatedText(12));
      expect(result.events.findLast((e) => e.usage !== undefined)?.usage).toEqual({
        inputTokens: PROMPT_TOKENS,
        outputTokens: 17,
        reasoningTokens: 5,
        cachedInputTokens: 0,
      });
      expect(result.sawEndMarker).toBe(true);

      const json = await exchangeOnce(transport, provider, {
        ...streaming,
        stream: false,
        extraBody: reasoning,
      });
      expect(json.events).toEqual([
        {
          text: simulatedText(12),
          reasoningText: simulatedText(5),
          toolText: '',
          usage: {
            inputTokens: PROMPT_TOKENS,
            outputTokens: 17,
            reasoningTokens: 5,
            cachedInputTokens: 0,
          },
        },
      ]);
    });
  });

  it('completes at response.incomplete when max_output_tokens cuts the answer', async () => {
    await withSimulator({ outputTokens: 20 }, async (_sim, provider) => {
      const result = await exchangeOnce(transport, provider, { ...streaming, maxTokens: 16 });
      expect(joined(result.events, 'text')).toBe(simulatedText(16));
      expect(result.events.findLast((e) => e.usage !== undefined)?.usage?.outputTokens).toBe(16);
      expect(result.streamErrors).toEqual([]);
      expect(result.sawEndMarker).toBe(true);
    });
  });

  it('classifies a 400 for a max_output_tokens below 16 as a persistent client error', async () => {
    await withSimulator({}, async (_sim, provider) => {
      const result = await exchangeOnce(transport, provider, { ...streaming, maxTokens: 8 });
      expect(result.status).toBe(400);
      expect(result.events).toEqual([]);
      expect(result.httpError).toEqual({
        errorClass: 'client_error',
        message:
          "HTTP 400: Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 8 instead.",
        persistent: true,
      });
    });
  });

  it('classifies the rejected key as auth without repeating the key', async () => {
    await withSimulator(
      {},
      async (_sim, provider) => {
        const result = await exchangeOnce(transport, provider, streaming, {
          secrets: ['invalid-key'],
        });
        expect(result.status).toBe(401);
        expect(result.httpError).toEqual({
          errorClass: 'auth',
          message:
            'HTTP 401: Incorrect API key provided. You can find your API key in your account settings (simulated). (check the API key and its permissions for simulated-responses)',
          persistent: true,
        });
      },
      { apiKey: 'invalid-key' },
    );
  });

  it('classifies a 429 as rate_limited and says how long to wait', async () => {
    await withSimulator(
      { faults: { rateLimitRate: 1, retryAfterS: 2 } },
      async (_sim, provider) => {
        const result = await exchangeOnce(transport, provider, streaming);
        expect(result.status).toBe(429);
        expect(result.headers['retry-after']).toBe('2');
        expect(result.httpError).toEqual({
          errorClass: 'rate_limited',
          message:
            'HTTP 429: Rate limit reached for mock-model (simulated). Please try again in 2s.; retry after 2 s',
        });
      },
    );
  });

  it('classifies a 500 as server_error', async () => {
    await withSimulator({ faults: { serverErrorRate: 1 } }, async (_sim, provider) => {
      const result = await exchangeOnce(transport, provider, streaming);
      expect(result.status).toBe(500);
      expect(result.httpError).toEqual({
        errorClass: 'server_error',
        message: 'HTTP 500: The server had an error while processing your request (simulated).',
      });
    });
  });

  it('reports a mid-stream failure once, as server_error, after the tokens before it', async () => {
    await withSimulator({ faults: { midStreamErrorRate: 1 } }, async (_sim, provider) => {
      const result = await exchangeOnce(transport, provider, streaming);
      expect(result.status).toBe(200);
      expect(joined(result.events, 'text')).toBe(simulatedText(6));
      expect(result.streamErrors).toEqual([
        {
          errorClass: 'server_error',
          message:
            'error in stream: The model stopped generating because of a server error (simulated). (type server_error, code server_error)',
        },
      ]);
      // response.failed ends the stream: the failure is the error, not an interrupted stream.
      expect(result.sawEndMarker).toBe(true);
      expect(result.failure).toBeUndefined();
    });
  });

  it('has no end marker when the connection drops mid-stream', async () => {
    // ITL 10 ms lets each event reach the client before the socket is destroyed.
    await withSimulator({ itlMs: 10, faults: { dropRate: 1 } }, async (_sim, provider) => {
      const result = await exchangeOnce(transport, provider, streaming);
      expect(result.status).toBe(200);
      expect(joined(result.events, 'text')).toBe(simulatedText(6));
      expect(result.failure).toBeInstanceOf(Error);
      expect(result.sawEndMarker).toBe(false);
      expect(result.streamErrors).toEqual([]);
    });
  });
});

describe("type: mock with api: 'responses'", () => {
  it('measures the simulator through the Responses API', async () => {
    const settings = {
      name: 'sim',
      type: 'mock',
      models: ['m'],
      ...mockProviderFactory.configSchema.parse({
        api: 'responses',
        mock: { ttft_ms: 2, itl_ms: 1, output_tokens: 4, seed: 2 },
      }),
    };
    const instance = await mockProviderFactory.create(settings, { env: {}, baseDir: '.' });
    try {
      expect(instance.portable?.settings).toMatchObject({ api: 'responses' });
      const input = { model: 'm', prompt: 'hi', stream: true };
      expect(instance.provider.buildRequest(input).url).toMatch(/\/v1\/responses$/);
      const result = await exchangeOnce(transport, instance.provider, input);
      expect(joined(result.events, 'text')).toBe(simulatedText(4));
      expect(result.sawEndMarker).toBe(true);
    } finally {
      await instance.close?.();
    }
  });
});
