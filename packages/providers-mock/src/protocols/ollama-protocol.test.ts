import { describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../simulator.js';
import type { SimulatorOptions } from '../simulator-options.js';
import { simulatedText } from '../token-text.js';
import {
  OLLAMA_STREAM_CONTENT_TYPE,
  OllamaStreamEncoder,
  ollamaChatBody,
  ollamaProtocol,
  parseOllamaChatRequest,
  SIMULATED_OLLAMA_VERSION,
} from './ollama-protocol.js';
import { REJECTED_CREDENTIAL, type SimulatedErrorKind } from './wire-protocol.js';

type Line = Record<string, unknown>;

/** Splits NDJSON into objects, checking every line ends in `\n` and is one JSON object. */
function ndjson(text: string): Line[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
}

const token = (isReasoning: boolean, firstToken: number, tokens: number) => ({
  isReasoning,
  firstToken,
  tokens,
});

const chatBody = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    model: 'llama3.2',
    messages: [{ role: 'user', content: 'Say three words' }],
    ...fields,
  });

describe('parseOllamaChatRequest', () => {
  it('streams when the body omits stream, and estimates the prompt like the OpenAI protocol', () => {
    expect(parseOllamaChatRequest(chatBody())).toEqual({
      ok: true,
      request: {
        model: 'llama3.2',
        stream: true,
        includeUsage: true,
        continuousUsage: false,
        maxTokens: undefined,
        minTokens: undefined,
        ignoreEos: false,
        promptTokens: 4 + 3,
        supportsReasoning: false,
      },
    });
    expect(parseOllamaChatRequest(chatBody({ stream: false }))).toMatchObject({
      ok: true,
      request: { stream: false },
    });
  });

  it('caps the output at a positive options.num_predict and reads 0 and negatives as no cap', () => {
    const capOf = (numPredict: unknown) => {
      const parsed = parseOllamaChatRequest(chatBody({ options: { num_predict: numPredict } }));
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.request.maxTokens;
    };
    expect(capOf(12)).toBe(12);
    expect(capOf(-1)).toBeUndefined();
    expect(capOf(-2)).toBeUndefined();
    expect(capOf(0)).toBeUndefined();
  });

  it('generates thinking for think true or an effort level, and none for false', () => {
    const reasoningFor = (think: unknown) => {
      const parsed = parseOllamaChatRequest(chatBody({ think }));
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.request.supportsReasoning;
    };
    expect(reasoningFor(true)).toBe(true);
    expect(reasoningFor('medium')).toBe(true);
    expect(reasoningFor(false)).toBe(false);
    expect(reasoningFor(null)).toBe(false);
  });

  it.each([
    ['', 'missing request body'],
    ['{"model":', 'the request body is not valid JSON'],
    ['[1]', 'the request body must be a JSON object'],
    [JSON.stringify({ messages: [] }), 'model is required'],
    [chatBody({ messages: undefined }), 'messages is required'],
    [chatBody({ messages: [] }), 'messages is required'],
    [chatBody({ messages: 'hi' }), 'messages must be a list'],
    [
      chatBody({ messages: [{ content: 'x' }] }),
      'messages[0] must be an object with a string "role"',
    ],
    [
      chatBody({ messages: [{ role: 'user', content: 3 }] }),
      'messages[0].content must be a string',
    ],
    [chatBody({ stream: 'yes' }), 'stream must be true or false'],
    [chatBody({ think: 'max' }), 'think must be true, false'],
    [chatBody({ options: [] }), 'options must be an object'],
    [chatBody({ options: { num_predict: 1.5 } }), 'option "num_predict" must be an integer'],
  ])('rejects %s: %s', (body, message) => {
    const parsed = parseOllamaChatRequest(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });
});

describe('OllamaStreamEncoder', () => {
  it('writes answer tokens to message.content and thinking to message.thinking, one line each', () => {
    const encoder = new OllamaStreamEncoder('qwen3 "quoted"');
    expect(encoder.contentType).toBe('application/x-ndjson');
    expect(encoder.head()).toBe('');
    const thinking = ndjson(encoder.token(token(true, 0, 2), simulatedText(2), null, 2));
    const answer = ndjson(encoder.token(token(false, 0, 1), simulatedText(1), null, 3));
    expect(thinking).toEqual([
      {
        model: 'qwen3 "quoted"',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        message: { role: 'assistant', content: '', thinking: ' the quick' },
        done: false,
      },
    ]);
    expect(answer).toEqual([
      {
        model: 'qwen3 "quoted"',
        created_at: expect.any(String),
        message: { role: 'assistant', content: ' the' },
        done: false,
      },
    ]);
  });

  it('ends with a done line whose durations add up to the total, and the counts', () => {
    const startNs = process.hrtime.bigint();
    const encoder = new OllamaStreamEncoder('llama3.2', startNs);
    encoder.head();
    encoder.token(token(false, 0, 1), ' the', null, 1);
    encoder.token(token(false, 1, 1), ' quick', null, 2);
    const [done, ...rest] = ndjson(
      encoder.end({ promptTokens: 11, completionTokens: 2, reasoningTokens: 0 }, 'length'),
    );
    expect(rest).toEqual([]);
    expect(done).toMatchObject({
      model: 'llama3.2',
      message: { role: 'assistant', content: '' },
      done_reason: 'length',
      done: true,
      prompt_eval_count: 11,
      eval_count: 2,
    });
    const total = done!.total_duration as number;
    const parts = ['load_duration', 'prompt_eval_duration', 'eval_duration'].map(
      (name) => (done![name] as number | undefined) ?? 0,
    );
    expect(Number.isInteger(total)).toBe(true);
    expect(total).toBeGreaterThan(0);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
    expect(total).toBeLessThanOrEqual(Number(process.hrtime.bigint() - startNs));
  });

  it('counts thinking in eval_count, as Ollama does', () => {
    const encoder = new OllamaStreamEncoder('m');
    encoder.head();
    encoder.token(token(true, 0, 3), simulatedText(3), null, 3);
    const [done] = ndjson(
      encoder.end({ promptTokens: 5, completionTokens: 4, reasoningTokens: 3 }, 'stop'),
    );
    expect(done).toMatchObject({ done_reason: 'stop', eval_count: 4, prompt_eval_count: 5 });
  });

  it('reports a failure after the head as an {"error"} line', () => {
    const encoder = new OllamaStreamEncoder('m');
    expect(ndjson(encoder.error('boom "x"'))).toEqual([{ error: 'boom "x"' }]);
  });
});

describe('ollamaChatBody', () => {
  it('holds the whole message, thinking, counts and the measured time as eval_duration', () => {
    const body = JSON.parse(
      ollamaChatBody(
        'llama3.2',
        { reasoning: ' hmm', content: ' the quick' },
        'stop',
        { promptTokens: 7, completionTokens: 3, reasoningTokens: 1 },
        123_456_789n,
      ),
    ) as Line;
    expect(body).toEqual({
      model: 'llama3.2',
      created_at: expect.any(String),
      message: { role: 'assistant', content: ' the quick', thinking: ' hmm' },
      done_reason: 'stop',
      done: true,
      total_duration: 123456789,
      prompt_eval_count: 7,
      eval_count: 3,
      eval_duration: 123456789,
    });
  });
});

describe('ollamaProtocol routes', () => {
  it('serves POST /api/chat only', () => {
    expect(ollamaProtocol.match('POST', '/api/chat', {})).toBeDefined();
    expect(ollamaProtocol.match('GET', '/api/chat', {})).toBeUndefined();
    expect(ollamaProtocol.match('POST', '/api/generate', {})).toBeUndefined();
  });

  it('lists the models in /api/tags with a tag, and answers /api/version', () => {
    const tags = ollamaProtocol.serveStatic!('GET', '/api/tags', {}, ['mock-model', 'qwen3:8b']);
    expect(tags?.status).toBe(200);
    const models = (JSON.parse(tags!.body) as { models: Line[] }).models;
    expect(models.map((m) => [m.name, m.model])).toEqual([
      ['mock-model:latest', 'mock-model:latest'],
      ['qwen3:8b', 'qwen3:8b'],
    ]);
    expect(models[0]).toMatchObject({ size: 0, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const version = ollamaProtocol.serveStatic!('GET', '/api/version', {}, []);
    expect(JSON.parse(version!.body)).toEqual({ version: SIMULATED_OLLAMA_VERSION });
    expect(ollamaProtocol.serveStatic!('GET', '/api/ps', {}, [])).toBeUndefined();
  });

  it('answers errors as {"error": text} with the status of their kind', () => {
    const route = ollamaProtocol.match('POST', '/api/chat', {})!;
    const statuses: Record<SimulatedErrorKind, number> = {
      invalid_request: 400,
      unauthorized: 401,
      request_too_large: 413,
      rate_limit: 429,
      server_error: 500,
    };
    for (const [kind, status] of Object.entries(statuses)) {
      const error = route.error(kind as SimulatedErrorKind, 'what happened');
      expect([error.status, JSON.parse(error.body)]).toEqual([status, { error: 'what happened' }]);
    }
  });

  it('rejects the rejected credential with 401 and accepts any other bearer or none', () => {
    const route = ollamaProtocol.match('POST', '/api/chat', {})!;
    const rejected = route.parse(chatBody(), { authorization: `Bearer ${REJECTED_CREDENTIAL}` });
    expect(rejected.ok).toBe(false);
    if (!rejected.ok) expect(rejected.error.status).toBe(401);
    expect(route.parse(chatBody(), { authorization: 'Bearer anything' }).ok).toBe(true);
    expect(route.parse(chatBody(), {}).ok).toBe(true);
  });
});

async function withSimulator<T>(
  options: SimulatorOptions,
  use: (sim: RunningSimulator) => Promise<T>,
): Promise<T> {
  const sim = await startSimulator({ ttftMs: 5, itlMs: 1, outputTokens: 6, seed: 7, ...options });
  try {
    return await use(sim);
  } finally {
    await sim.close();
  }
}

const post = (sim: RunningSimulator, body: string, headers: Record<string, string> = {}) =>
  fetch(`${sim.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

describe('the simulator speaking Ollama over HTTP', () => {
  it('streams NDJSON by default: one line per token, then the done line with exact counts', async () => {
    await withSimulator({}, async (sim) => {
      const response = await post(sim, chatBody());
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(OLLAMA_STREAM_CONTENT_TYPE);
      const lines = ndjson(await response.text());
      expect(lines).toHaveLength(7);
      const tokens = lines.slice(0, 6);
      expect(tokens.every((line) => line.done === false)).toBe(true);
      expect(tokens.map((line) => (line.message as { content: string }).content).join('')).toBe(
        simulatedText(6),
      );
      const done = lines[6]!;
      expect(done).toMatchObject({
        done: true,
        done_reason: 'stop',
        prompt_eval_count: 7,
        eval_count: 6,
      });
      // Measured from the parsed request: each part is there and they add up to the total.
      const parts = ['load_duration', 'prompt_eval_duration', 'eval_duration'].map(
        (name) => done[name] as number,
      );
      for (const part of parts) expect(part).toBeGreaterThan(0);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(done.total_duration);
    });
  });

  it('streams thinking first when think is set, counted in eval_count', async () => {
    await withSimulator({ reasoningTokens: 3 }, async (sim) => {
      const lines = ndjson(await (await post(sim, chatBody({ think: true }))).text());
      const messages = lines.slice(0, -1).map((line) => line.message as Line);
      expect(messages.map((m) => m.thinking ?? null)).toEqual([
        ' the',
        ' quick',
        ' brown',
        null,
        null,
        null,
        null,
        null,
        null,
      ]);
      expect(lines.at(-1)).toMatchObject({ done: true, eval_count: 9 });
      // Without think, no thinking is generated.
      const plain = ndjson(await (await post(sim, chatBody())).text());
      expect(plain.at(-1)).toMatchObject({ eval_count: 6 });
    });
  });

  it('caps the output at num_predict with done_reason length', async () => {
    await withSimulator({}, async (sim) => {
      const lines = ndjson(
        await (await post(sim, chatBody({ options: { num_predict: 2 } }))).text(),
      );
      expect(lines).toHaveLength(3);
      expect(lines[2]).toMatchObject({ done_reason: 'length', eval_count: 2 });
    });
  });

  it('answers stream false with one JSON body', async () => {
    await withSimulator({}, async (sim) => {
      const response = await post(sim, chatBody({ stream: false }));
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const body = (await response.json()) as Line;
      expect(body).toMatchObject({
        model: 'llama3.2',
        message: { role: 'assistant', content: simulatedText(6) },
        done: true,
        done_reason: 'stop',
        prompt_eval_count: 7,
        eval_count: 6,
      });
      expect(body.total_duration).toBe(body.eval_duration);
    });
  });

  it('answers a bad body 400 and the rejected credential 401, in Ollama’s error shape', async () => {
    await withSimulator({}, async (sim) => {
      const bad = await post(sim, JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }));
      expect([bad.status, await bad.json()]).toEqual([400, { error: 'model is required' }]);
      const rejected = await post(sim, chatBody(), {
        authorization: `Bearer ${REJECTED_CREDENTIAL}`,
      });
      expect([rejected.status, await rejected.json()]).toEqual([
        401,
        { error: 'unauthorized (simulated)' },
      ]);
    });
  });

  it('answers injected 429s with Retry-After and 500s, as {"error"} bodies', async () => {
    await withSimulator({ faults: { rateLimitRate: 1, retryAfterS: 3 } }, async (sim) => {
      const response = await post(sim, chatBody());
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('3');
      expect(Object.keys((await response.json()) as Line)).toEqual(['error']);
    });
    await withSimulator({ faults: { serverErrorRate: 1 } }, async (sim) => {
      const response = await post(sim, chatBody());
      expect(response.status).toBe(500);
      expect((await response.json()) as Line).toEqual({
        error: expect.stringContaining('simulated'),
      });
    });
  });

  it('ends a stream that fails mid-way with an {"error"} line and no done line', async () => {
    await withSimulator({ faults: { midStreamErrorRate: 1 } }, async (sim) => {
      const lines = ndjson(await (await post(sim, chatBody())).text());
      expect(lines).toHaveLength(4);
      expect(lines.slice(0, 3).every((line) => line.done === false)).toBe(true);
      expect(lines[3]).toEqual({ error: expect.stringContaining('server error') });
    });
  });

  it('serves /api/tags with the configured models', async () => {
    await withSimulator({ models: ['llama3.2', 'qwen3:0.6b'] }, async (sim) => {
      const body = (await (await fetch(`${sim.url}/api/tags`)).json()) as { models: Line[] };
      expect(body.models.map((m) => m.name)).toEqual(['llama3.2:latest', 'qwen3:0.6b']);
    });
  });
});
