import { Cohere, CohereClientV2 } from 'cohere-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, simulatedText, startSimulator } from '../src/index.js';

let sim: RunningSimulator;
let client: CohereClientV2;

beforeAll(async () => {
  sim = await startSimulator({ ttftMs: 5, itlMs: 1, outputTokens: 12, seed: 1 });
  // `environment` (or `baseUrl`) is the API root; the SDK appends `v2/chat`.
  client = new CohereClientV2({ token: 'dummy', environment: sim.url, maxRetries: 0 });
});

afterAll(async () => {
  await sim.close();
});

const messages: Cohere.ChatMessages = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Say twelve words' },
];

describe('the official cohere-ai CohereClientV2 against the simulator', () => {
  it('streams a chat with the full text, in Cohere event order, and usage on message-end', async () => {
    const stream = await client.chatStream({ model: 'command-a-03-2025', messages });
    let text = '';
    const types: string[] = [];
    let end: Cohere.V2ChatStreamResponse.MessageEnd | undefined;
    for await (const event of stream) {
      if (types.at(-1) !== event.type) types.push(event.type);
      if (event.type === 'content-delta') text += event.delta?.message?.content?.text ?? '';
      if (event.type === 'message-end') end = event;
    }
    expect(text).toBe(simulatedText(12));
    expect(types).toEqual([
      'message-start',
      'content-start',
      'content-delta',
      'content-end',
      'message-end',
    ]);
    expect(end?.delta?.finishReason).toBe('COMPLETE');
    // Prompt: 2 messages × 4 framing tokens + 5 words processed, the 5 words billed.
    expect(end?.delta?.usage).toEqual({
      billedUnits: { inputTokens: 5, outputTokens: 12 },
      tokens: { inputTokens: 13, outputTokens: 12 },
    });
  });

  it('returns a non-streaming chat with the text, MAX_TOKENS at the cap, and usage', async () => {
    const response = await client.chat({ model: 'command-r', messages, maxTokens: 5 });
    expect(response.message.content).toEqual([{ type: 'text', text: simulatedText(5) }]);
    expect(response.finishReason).toBe('MAX_TOKENS');
    expect(response.usage).toEqual({
      billedUnits: { inputTokens: 5, outputTokens: 5 },
      tokens: { inputTokens: 13, outputTokens: 5 },
    });
  });

  it('streams thinking before the text when thinking is enabled, and leaves it out when disabled', async () => {
    const reasoning = await startSimulator({
      ttftMs: 1,
      itlMs: 1,
      outputTokens: 3,
      reasoningTokens: 4,
    });
    try {
      const thinkingClient = new CohereClientV2({
        token: 'dummy',
        environment: reasoning.url,
        maxRetries: 0,
      });
      const stream = await thinkingClient.chatStream({
        model: 'command-a-reasoning-08-2025',
        messages,
        thinking: { type: 'enabled', tokenBudget: 100 },
      });
      const parts: Array<[number | undefined, 'thinking' | 'text', string]> = [];
      let outputTokens: number | undefined;
      for await (const event of stream) {
        if (event.type === 'content-delta') {
          const content = event.delta?.message?.content;
          if (content?.thinking !== undefined)
            parts.push([event.index, 'thinking', content.thinking]);
          if (content?.text !== undefined) parts.push([event.index, 'text', content.text]);
        }
        if (event.type === 'message-end') outputTokens = event.delta?.usage?.tokens?.outputTokens;
      }
      expect(
        parts
          .filter(([, kind]) => kind === 'thinking')
          .map(([, , t]) => t)
          .join(''),
      ).toBe(simulatedText(4));
      expect(
        parts
          .filter(([, kind]) => kind === 'text')
          .map(([, , t]) => t)
          .join(''),
      ).toBe(simulatedText(3));
      // Thinking in block 0, all of it before the answer in block 1.
      expect(parts.map(([index, kind]) => `${index}:${kind}`)).toEqual([
        ...Array(4).fill('0:thinking'),
        ...Array(3).fill('1:text'),
      ]);
      expect(outputTokens).toBe(7);

      const plain = await thinkingClient.chat({
        model: 'command-a-reasoning-08-2025',
        messages,
        thinking: { type: 'disabled' },
      });
      expect(plain.message.content).toEqual([{ type: 'text', text: simulatedText(3) }]);
      const thought = await thinkingClient.chat({ model: 'command-a-reasoning-08-2025', messages });
      expect(thought.message.content).toEqual([
        { type: 'thinking', thinking: simulatedText(4) },
        { type: 'text', text: simulatedText(3) },
      ]);
    } finally {
      await reasoning.close();
    }
  });

  it('yields a failed generation as a message-end with finish reason ERROR and its message', async () => {
    const failing = await startSimulator({
      ttftMs: 1,
      itlMs: 1,
      outputTokens: 6,
      faults: { midStreamErrorRate: 1 },
    });
    try {
      const failingClient = new CohereClientV2({
        token: 'dummy',
        environment: failing.url,
        maxRetries: 0,
      });
      const stream = await failingClient.chatStream({ model: 'command-r', messages });
      let text = '';
      let end: Cohere.V2ChatStreamResponse.MessageEnd | undefined;
      for await (const event of stream) {
        if (event.type === 'content-delta') text += event.delta?.message?.content?.text ?? '';
        if (event.type === 'message-end') end = event;
      }
      expect(text).toBe(simulatedText(3));
      expect(end?.delta).toEqual({
        finishReason: 'ERROR',
        usage: {},
        error: 'The model stopped generating because of a server error (simulated).',
      });
    } finally {
      await failing.close();
    }
  });

  it('surfaces a 429 as TooManyRequestsError and a rejected key as UnauthorizedError', async () => {
    const limited = await startSimulator({ faults: { rateLimitRate: 1, retryAfterS: 3 } });
    try {
      const limitedClient = new CohereClientV2({
        token: 'dummy',
        environment: limited.url,
        maxRetries: 0,
      });
      const error = await limitedClient
        .chatStream({ model: 'command-r', messages })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Cohere.TooManyRequestsError);
      expect((error as Cohere.TooManyRequestsError).statusCode).toBe(429);
      expect((error as Cohere.TooManyRequestsError).body).toEqual({
        message: 'Rate limit reached for command-r (simulated). Please try again in 3s.',
      });
      expect((error as Cohere.TooManyRequestsError).rawResponse?.headers.get('retry-after')).toBe(
        '3',
      );
    } finally {
      await limited.close();
    }
    const rejected = new CohereClientV2({
      token: 'invalid-key',
      environment: sim.url,
      maxRetries: 0,
    });
    const error = await rejected.chat({ model: 'command-r', messages }).catch((c: unknown) => c);
    expect(error).toBeInstanceOf(Cohere.UnauthorizedError);
  });
});
