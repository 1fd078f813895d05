import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, simulatedText, startSimulator } from '../src/index.js';
import { postJson, streamCompletion } from './sse-exchange.js';

type Chunk = {
  id: string;
  object: string;
  model: string;
  created: number;
  choices: Array<{
    index: number;
    delta?: { role?: string; content?: string; reasoning_content?: string };
    text?: string;
    finish_reason: string | null;
  }>;
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    completion_tokens_details?: { reasoning_tokens: number };
  } | null;
};

function chunks(data: string[]): Chunk[] {
  return data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Chunk);
}

const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'wire-model',
  messages: [{ role: 'user', content: 'hello there' }],
  stream: true,
  ...extra,
});

let sim: RunningSimulator;
let chatUrl: string;

beforeAll(async () => {
  sim = await startSimulator({ ttftMs: 2, itlMs: 1, outputTokens: 6, seed: 3 });
  chatUrl = `${sim.baseUrl}/chat/completions`;
});

afterAll(async () => {
  await sim.close();
});

describe('streamed chat wire format', () => {
  it('sends the role chunk first, one chunk per token, the usage chunk, then [DONE]', async () => {
    const { response, data } = await streamCompletion(
      chatUrl,
      chatBody({ stream_options: { include_usage: true } }),
      { 'x-request-id': 'wire-1' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-request-id')).toBe('wire-1');
    expect(data).toHaveLength(1 + 6 + 1 + 1);
    expect(data.at(-1)).toBe('[DONE]');
    const parsed = chunks(data);
    for (const chunk of parsed) {
      expect(chunk).toMatchObject({
        id: 'chatcmpl-wire-1',
        object: 'chat.completion.chunk',
        model: 'wire-model',
      });
      expect(Number.isInteger(chunk.created)).toBe(true);
    }
    expect(parsed[0]!.choices).toEqual([
      { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
    ]);
    const tokens = parsed.slice(1, 7);
    expect(tokens.map((c) => c.choices[0]!.delta!.content).join('')).toBe(simulatedText(6));
    expect(tokens.map((c) => c.choices[0]!.finish_reason)).toEqual([
      null,
      null,
      null,
      null,
      null,
      'stop',
    ]);
    expect(tokens.every((c) => c.usage === null)).toBe(true);
    const usageChunk = parsed[7]!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual({
      prompt_tokens: 6,
      completion_tokens: 6,
      total_tokens: 12,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('omits usage entirely without include_usage', async () => {
    const { data } = await streamCompletion(chatUrl, chatBody());
    expect(data).toHaveLength(1 + 6 + 1);
    expect(chunks(data).every((c) => !('usage' in c))).toBe(true);
  });

  it('generates a request id when none is sent and uses it in every chunk id', async () => {
    const { response, data } = await streamCompletion(chatUrl, chatBody({ max_tokens: 1 }));
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f]{8}-\d+$/);
    expect(chunks(data)[0]!.id).toBe(`chatcmpl-${requestId}`);
  });

  it('puts cumulative usage on every chunk with continuous_usage_stats', async () => {
    const { data } = await streamCompletion(
      chatUrl,
      chatBody({ stream_options: { include_usage: true, continuous_usage_stats: true } }),
    );
    const parsed = chunks(data);
    expect(parsed.slice(0, 7).map((c) => c.usage?.completion_tokens)).toEqual([
      0, 1, 2, 3, 4, 5, 6,
    ]);
    expect(parsed.slice(0, 7).every((c) => c.usage?.prompt_tokens === 6)).toBe(true);
    expect(parsed[7]!.choices).toEqual([]);
  });

  it('caps the output at max_tokens with finish_reason length', async () => {
    const { data } = await streamCompletion(
      chatUrl,
      chatBody({ max_tokens: 3, stream_options: { include_usage: true } }),
    );
    const parsed = chunks(data);
    const tokens = parsed.filter((c) => c.choices[0]?.delta?.content);
    expect(tokens.map((c) => c.choices[0]!.delta!.content).join('')).toBe(simulatedText(3));
    expect(tokens.at(-1)!.choices[0]!.finish_reason).toBe('length');
    expect(parsed.at(-1)!.usage!.completion_tokens).toBe(3);
  });

  it('accepts max_completion_tokens as the cap too', async () => {
    const { data } = await streamCompletion(chatUrl, chatBody({ max_completion_tokens: 2 }));
    expect(data).toHaveLength(1 + 2 + 1);
  });
});

describe('zero latency', () => {
  it('still sends headers and the role chunk before the first token with TTFT and ITL 0', async () => {
    const instant = await startSimulator({ ttftMs: 0, itlMs: 0, outputTokens: 3, seed: 2 });
    try {
      const exchanges = await Promise.all(
        Array.from({ length: 10 }, () =>
          streamCompletion(`${instant.baseUrl}/chat/completions`, chatBody()),
        ),
      );
      for (const { response, data } of exchanges) {
        expect(response.headers.get('content-type')).toBe('text/event-stream');
        expect(data).toHaveLength(1 + 3 + 1);
        expect(chunks(data)[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
      }
    } finally {
      await instant.close();
    }
  });
});

describe('reasoning and multi-token events', () => {
  let reasoningSim: RunningSimulator;

  beforeAll(async () => {
    reasoningSim = await startSimulator({
      ttftMs: 1,
      itlMs: 1,
      outputTokens: 5,
      reasoningTokens: 4,
      tokensPerEvent: 2,
      seed: 4,
    });
  });

  afterAll(async () => {
    await reasoningSim.close();
  });

  it('streams reasoning_content before the content and counts it in usage', async () => {
    const { data } = await streamCompletion(
      `${reasoningSim.baseUrl}/chat/completions`,
      chatBody({ stream_options: { include_usage: true } }),
    );
    const deltas = chunks(data)
      .slice(1)
      .filter((c) => c.choices.length > 0)
      .map((c) => c.choices[0]!.delta!);
    expect(deltas).toEqual([
      { reasoning_content: ' the quick' },
      { reasoning_content: ' brown fox' },
      { content: ' the quick' },
      { content: ' brown fox' },
      { content: ' jumps' },
    ]);
    expect(chunks(data).at(-1)!.usage).toMatchObject({
      completion_tokens: 9,
      completion_tokens_details: { reasoning_tokens: 4 },
    });
  });

  it('returns reasoning_content in a non-streaming chat message', async () => {
    const response = await postJson(
      `${reasoningSim.baseUrl}/chat/completions`,
      chatBody({ stream: false }),
    );
    const body = (await response.json()) as {
      choices: Array<{ message: { content: string; reasoning_content: string } }>;
    };
    expect(body.choices[0]!.message).toMatchObject({
      content: simulatedText(5),
      reasoning_content: simulatedText(4),
    });
  });
});

describe('legacy completions wire format', () => {
  it('streams text_completion chunks with no role chunk', async () => {
    const { data } = await streamCompletion(`${sim.baseUrl}/completions`, {
      model: 'wire-model',
      prompt: 'a b',
      stream: true,
      max_tokens: 2,
    });
    expect(data.at(-1)).toBe('[DONE]');
    const parsed = chunks(data);
    expect(parsed.map((c) => c.object)).toEqual(['text_completion', 'text_completion']);
    expect(parsed.map((c) => c.choices[0]!.text)).toEqual([' the', ' quick']);
    expect(parsed[0]!.id).toMatch(/^cmpl-/);
  });
});

describe('errors and other endpoints', () => {
  it('answers unknown paths with a 404 in OpenAI error shape', async () => {
    const response = await fetch(`${sim.url}/v1/nothing-here`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'unknown_url',
      param: null,
    });
    expect(body.error.message).toContain('GET /v1/nothing-here');
  });

  it('answers a malformed JSON body with 400', async () => {
    const response = await postJson(chatUrl, '{"model": "m", "messages": [');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('could not parse the JSON body');
  });

  it('answers a body without model with 400 naming the parameter', async () => {
    const response = await postJson(chatUrl, { messages: [], stream: true });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('model');
  });

  it('serves /healthz and a model list', async () => {
    expect(await (await fetch(`${sim.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const models = (await (await fetch(`${sim.baseUrl}/models`)).json()) as {
      object: string;
      data: { id: string }[];
    };
    expect(models.object).toBe('list');
    expect(models.data.map((m) => m.id)).toEqual(['mock-model']);
    expect((await fetch(`${sim.baseUrl}/models/unknown`)).status).toBe(404);
  });

  it('keeps the connection alive between requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const reused: boolean[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${sim.url}/healthz`, { agent }, (res) => {
          statuses.push(res.statusCode ?? 0);
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        reused.push(req.reusedSocket);
        req.end();
      });
    }
    agent.destroy();
    expect(statuses).toEqual([200, 200, 200]);
    expect(reused).toEqual([false, true, true]);
  });

  it('counts requests, active streams and tokens written', async () => {
    const fresh = await startSimulator({ ttftMs: 1, itlMs: 1, outputTokens: 4, seed: 1 });
    try {
      await streamCompletion(`${fresh.baseUrl}/chat/completions`, chatBody());
      await postJson(
        `${fresh.baseUrl}/chat/completions`,
        chatBody({ stream: false, max_tokens: 2 }),
      ).then((r) => r.text());
      await postJson(`${fresh.baseUrl}/chat/completions`, 'not json').then((r) => r.text());
      expect(fresh.stats()).toEqual({ requests: 3, active: 0, tokensWritten: 6 });
    } finally {
      await fresh.close();
    }
  });
});
