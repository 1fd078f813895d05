import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, simulatedText, startSimulator } from '../src/index.js';

let sim: RunningSimulator;
let client: OpenAI;

beforeAll(async () => {
  // 5 reasoning tokens are planned for every request; only requests with `reasoning` get them.
  sim = await startSimulator({
    ttftMs: 5,
    itlMs: 1,
    outputTokens: 12,
    reasoningTokens: 5,
    seed: 1,
  });
  client = new OpenAI({ baseURL: sim.baseUrl, apiKey: 'test', maxRetries: 0 });
});

afterAll(async () => {
  await sim.close();
});

// "Say twelve words": one message of 3 words, 4 + 3 tokens by the simulator's estimate.
const PROMPT = 'Say twelve words';
const PROMPT_TOKENS = 7;

describe('the official openai client against the simulated Responses API', () => {
  it('streams with responses.create: every text delta, in sequence, then usage', async () => {
    const stream = await client.responses.create({
      model: 'mock-model',
      input: PROMPT,
      stream: true,
    });
    let text = '';
    const types: string[] = [];
    const sequenceNumbers: number[] = [];
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      sequenceNumbers.push(event.sequence_number);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(text).toBe(simulatedText(12));
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.filter((type) => type === 'response.output_text.delta')).toHaveLength(12);
    expect(types.at(-1)).toBe('response.completed');
    expect(sequenceNumbers).toEqual(types.map((_, index) => index));
    expect(completed?.id).toMatch(/^resp_/);
    expect(completed?.status).toBe('completed');
    // output_text is the SDK's own convenience, added only when it accumulates a response.
    expect(completed?.output).toMatchObject([
      { type: 'message', content: [{ type: 'output_text', text: simulatedText(12) }] },
    ]);
    expect(completed?.usage).toEqual({
      input_tokens: PROMPT_TOKENS,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 12,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: PROMPT_TOKENS + 12,
    });
  });

  it('accumulates with responses.stream into a final response with the full text', async () => {
    const stream = client.responses.stream({ model: 'mock-model', input: PROMPT });
    let text = '';
    stream.on('response.output_text.delta', (event) => {
      text += event.delta;
    });
    const response = await stream.finalResponse();
    expect(text).toBe(simulatedText(12));
    expect(response.output_text).toBe(simulatedText(12));
    expect(response.output).toHaveLength(1);
    expect(response.usage?.output_tokens).toBe(12);
    expect(response.usage?.input_tokens).toBe(PROMPT_TOKENS);
  });

  it('returns a non-streaming response with the text and usage', async () => {
    const response = await client.responses.create({
      model: 'any-model-id',
      input: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      max_output_tokens: 16,
    });
    expect(response.object).toBe('response');
    expect(response.model).toBe('any-model-id');
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe(simulatedText(12));
    // 4 + 2 words, 4 + 1 word.
    expect(response.usage).toMatchObject({ input_tokens: 11, output_tokens: 12, total_tokens: 23 });
  });

  it('streams a reasoning summary before the answer when reasoning is requested', async () => {
    const stream = client.responses.stream({
      model: 'mock-model',
      input: PROMPT,
      reasoning: { effort: 'low', summary: 'auto' },
    });
    let summary = '';
    let answer = '';
    const order: string[] = [];
    stream.on('response.reasoning_summary_text.delta', (event) => {
      summary += event.delta;
      if (order.at(-1) !== 'reasoning') order.push('reasoning');
    });
    stream.on('response.output_text.delta', (event) => {
      answer += event.delta;
      if (order.at(-1) !== 'answer') order.push('answer');
    });
    const response = await stream.finalResponse();
    expect(summary).toBe(simulatedText(5));
    expect(answer).toBe(simulatedText(12));
    expect(order).toEqual(['reasoning', 'answer']);
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    const reasoning = response.output[0] as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.summary).toEqual([{ type: 'summary_text', text: simulatedText(5) }]);
    expect(response.usage).toMatchObject({
      output_tokens: 17,
      output_tokens_details: { reasoning_tokens: 5 },
    });

    const plain = await client.responses.create({
      model: 'mock-model',
      input: PROMPT,
      reasoning: { effort: 'low', summary: 'auto' },
    });
    expect(plain.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(plain.output_text).toBe(simulatedText(12));
  });

  it('says incomplete when max_output_tokens cuts the answer', async () => {
    const response = await client.responses
      .stream({ model: 'mock-model', input: PROMPT, max_output_tokens: 16, reasoning: {} })
      .finalResponse();
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    // 5 reasoning tokens and 11 of the 12 answer tokens fit under the cap of 16.
    expect(response.output_text).toBe(simulatedText(11));
    expect(response.usage?.output_tokens).toBe(16);
  });

  it('gets the OpenAI error classes for a rejected key and a bad parameter', async () => {
    const rejected = new OpenAI({ baseURL: sim.baseUrl, apiKey: 'invalid-key', maxRetries: 0 });
    const unauthorized = await rejected.responses
      .create({ model: 'mock-model', input: 'x', stream: true })
      .catch((caught: unknown) => caught);
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);

    const badRequest = await client.responses
      .create({ model: 'mock-model', input: 'x', max_output_tokens: 8 })
      .catch((caught: unknown) => caught);
    expect(badRequest).toBeInstanceOf(OpenAI.BadRequestError);
    expect((badRequest as InstanceType<typeof OpenAI.BadRequestError>).code).toBe(
      'integer_below_min_value',
    );
  });
});

describe('the official openai client and a failing simulated Responses stream', () => {
  it('throws the server error of the error event a failed stream sends', async () => {
    const failing = await startSimulator({
      ttftMs: 2,
      itlMs: 1,
      outputTokens: 10,
      seed: 1,
      faults: { midStreamErrorRate: 1 },
    });
    try {
      const failingClient = new OpenAI({ baseURL: failing.baseUrl, apiKey: 'test', maxRetries: 0 });
      const stream = await failingClient.responses.create({
        model: 'mock-model',
        input: 'x',
        stream: true,
      });
      let text = '';
      const error = await (async () => {
        for await (const event of stream) {
          if (event.type === 'response.output_text.delta') text += event.delta;
        }
      })().catch((caught: unknown) => caught);
      expect(text).toBe(simulatedText(5));
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as Error).message).toContain('simulated');
    } finally {
      await failing.close();
    }
  });
});
