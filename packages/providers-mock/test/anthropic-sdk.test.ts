import Anthropic, { AuthenticationError, RateLimitError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, simulatedText, startSimulator } from '../src/index.js';
import { REJECTED_CREDENTIAL } from '../src/protocols/wire-protocol.js';

const OUTPUT_TOKENS = 12;
const REASONING_TOKENS = 6;
const PROMPT = 'Say twelve words';
// 4 per message (role and framing) plus its words, as the simulator estimates every protocol.
const PROMPT_TOKENS = 4 + 3;

let sim: RunningSimulator;
let limited: RunningSimulator;
let client: Anthropic;

beforeAll(async () => {
  [sim, limited] = await Promise.all([
    startSimulator({
      ttftMs: 5,
      itlMs: 1,
      outputTokens: OUTPUT_TOKENS,
      reasoningTokens: REASONING_TOKENS,
      seed: 1,
      models: ['claude-mock-1', 'claude-mock-2'],
    }),
    startSimulator({ ttftMs: 1, itlMs: 1, faults: { rateLimitRate: 1, retryAfterS: 3 } }),
  ]);
  client = new Anthropic({ baseURL: sim.url, apiKey: 'sk-ant-dummy', maxRetries: 0 });
});

afterAll(async () => {
  await Promise.all([sim.close(), limited.close()]);
});

const userTurn = [{ role: 'user' as const, content: PROMPT }];

describe('the official @anthropic-ai/sdk against the simulator', () => {
  it('streams a message with messages.stream: full text, stop reason and planned usage', async () => {
    const stream = client.messages.stream({
      model: 'claude-mock-1',
      max_tokens: 256,
      messages: userTurn,
    });
    let streamedText = '';
    stream.on('text', (delta) => {
      streamedText += delta;
    });
    const message = await stream.finalMessage();
    expect(streamedText).toBe(simulatedText(OUTPUT_TOKENS));
    expect(message.id).toMatch(/^msg_/);
    expect(message.model).toBe('claude-mock-1');
    expect(message.content).toEqual([{ type: 'text', text: simulatedText(OUTPUT_TOKENS) }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBe(PROMPT_TOKENS);
    expect(message.usage.output_tokens).toBe(OUTPUT_TOKENS);
    expect(message.usage.cache_read_input_tokens).toBe(0);
    expect(message.usage.cache_creation_input_tokens).toBe(0);
  });

  it('streams raw events with create({ stream: true }) in the documented order', async () => {
    const stream = await client.messages.create({
      model: 'claude-mock-1',
      max_tokens: 5,
      system: 'Be brief',
      messages: userTurn,
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    let inputTokens: number | undefined;
    let outputTokens: number | undefined;
    let stopReason: string | null | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'message_start') inputTokens = event.message.usage.input_tokens;
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        text += event.delta.text;
      }
      if (event.type === 'message_delta') {
        outputTokens = event.usage.output_tokens;
        stopReason = event.delta.stop_reason;
      }
    }
    expect(text).toBe(simulatedText(5));
    // max_tokens 5 cuts the planned 12 tokens short.
    expect(stopReason).toBe('max_tokens');
    expect(outputTokens).toBe(5);
    // The system prompt counts as one more message: 4 + 2 words.
    expect(inputTokens).toBe(PROMPT_TOKENS + 4 + 2);
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      ...Array<string>(5).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('streams thinking before the text when thinking is enabled', async () => {
    const stream = client.messages.stream({
      model: 'claude-mock-1',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: userTurn,
    });
    let thinking = '';
    stream.on('thinking', (delta) => {
      thinking += delta;
    });
    const message = await stream.finalMessage();
    expect(thinking).toBe(simulatedText(REASONING_TOKENS));
    expect(message.content).toHaveLength(2);
    const [thinkingBlock, textBlock] = message.content;
    expect(thinkingBlock).toMatchObject({
      type: 'thinking',
      thinking: simulatedText(REASONING_TOKENS),
    });
    expect(thinkingBlock?.type === 'thinking' && thinkingBlock.signature.length > 0).toBe(true);
    expect(textBlock).toMatchObject({ type: 'text', text: simulatedText(OUTPUT_TOKENS) });
    // Anthropic's output_tokens counts thinking too, and breaks the thinking share out.
    expect(message.usage.output_tokens).toBe(REASONING_TOKENS + OUTPUT_TOKENS);
    expect(message.usage.output_tokens_details).toEqual({ thinking_tokens: REASONING_TOKENS });
    expect(message.usage.input_tokens).toBe(PROMPT_TOKENS);
  });

  it('returns a whole message from a non-streaming create', async () => {
    const message = await client.messages.create({
      model: 'claude-mock-2',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: userTurn,
    });
    expect(message.type).toBe('message');
    expect(message.id).toMatch(/^msg_/);
    expect(message.model).toBe('claude-mock-2');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    const text = message.content.find((block) => block.type === 'text');
    expect(text?.type === 'text' ? text.text : undefined).toBe(simulatedText(OUTPUT_TOKENS));
    expect(message.usage).toMatchObject({
      input_tokens: PROMPT_TOKENS,
      output_tokens: REASONING_TOKENS + OUTPUT_TOKENS,
    });
  });

  it('lists the simulated models through models.list', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['claude-mock-1', 'claude-mock-2']);
    const model = await client.models.retrieve('claude-mock-2');
    expect(model).toMatchObject({ type: 'model', id: 'claude-mock-2' });
  });

  it('surfaces a 429 as RateLimitError with the retry-after header', async () => {
    const limitedClient = new Anthropic({
      baseURL: limited.url,
      apiKey: 'sk-ant-dummy',
      maxRetries: 0,
    });
    const error = await limitedClient.messages
      .create({ model: 'claude-mock-1', max_tokens: 16, messages: userTurn })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers?.get('retry-after')).toBe('3');
    expect(rateLimit.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('surfaces the rejected key as AuthenticationError, streaming too', async () => {
    const rejected = new Anthropic({
      baseURL: sim.url,
      apiKey: REJECTED_CREDENTIAL,
      maxRetries: 0,
    });
    const error = await rejected.messages
      .create({ model: 'claude-mock-1', max_tokens: 16, messages: userTurn, stream: true })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    expect((error as AuthenticationError).error).toMatchObject({
      error: { type: 'authentication_error' },
    });
  });
});
