import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HttpTransport,
  type ProviderRequestInput,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { exchangeOnce } from '@llm-lens/providers-core/testing';
import {
  type RunningSimulator,
  type SimulatorOptions,
  simulatedText,
  startSimulator,
} from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOllamaProvider,
  type OllamaProviderOptions,
  providerFactories,
} from '../src/index.js';

// The one credential the simulator answers 401 for (its REJECTED_CREDENTIAL).
const REJECTED_KEY = 'invalid-key';
const OUTPUT_TOKENS = 10;
const REASONING_TOKENS = 4;
// The simulator's estimate: 4 per message plus its words.
const PROMPT_TOKENS = 4 + 3;
// Drops and mid-stream errors strike before half the token events.
const TOKENS_BEFORE_FAULT = OUTPUT_TOKENS / 2;

const TIMING: SimulatorOptions = {
  ttftMs: 2,
  itlMs: 1,
  outputTokens: OUTPUT_TOKENS,
  reasoningTokens: REASONING_TOKENS,
  seed: 11,
};

type SimulatorRole = 'healthy' | 'rateLimited' | 'failing' | 'midStream' | 'dropping';
let sims: Record<SimulatorRole, RunningSimulator>;
const transport = new HttpTransport();

beforeAll(async () => {
  const [healthy, rateLimited, failing, midStream, dropping] = await Promise.all([
    startSimulator(TIMING),
    startSimulator({ ...TIMING, faults: { rateLimitRate: 1, retryAfterS: 7 } }),
    startSimulator({ ...TIMING, faults: { serverErrorRate: 1 } }),
    startSimulator({ ...TIMING, faults: { midStreamErrorRate: 1 } }),
    startSimulator({ ...TIMING, ttftMs: 2, itlMs: 5, faults: { dropRate: 1 } }),
  ]);
  sims = { healthy, rateLimited, failing, midStream, dropping };
});

afterAll(async () => {
  await transport.close();
  await Promise.all(Object.values(sims).map((sim) => sim.close()));
});

function send(
  sim: RunningSimulator,
  input: Partial<ProviderRequestInput> & { stream: boolean },
  options: OllamaProviderOptions = {},
) {
  const provider = createOllamaProvider({ baseUrl: sim.url, ...options });
  return exchangeOnce(
    transport,
    provider,
    { model: 'llama3.2', prompt: 'Say ten words', ...input },
    { secrets: options.apiKey === undefined ? [] : [options.apiKey] },
  );
}

const tokenEvents = (events: readonly StreamEvent[]) =>
  events.filter((e) => e.text !== '' || e.reasoningText !== '' || e.toolText !== '');
const joined = (events: readonly StreamEvent[], field: 'text' | 'reasoningText') =>
  events.map((e) => e[field]).join('');
const TIMING_NAMES = [
  'total_duration_ms',
  'load_duration_ms',
  'prompt_eval_duration_ms',
  'eval_duration_ms',
];

describe('Ollama provider against the simulator over HTTP', () => {
  it('streams the full text, one token per line, then usage and server timings from the done line', async () => {
    const result = await send(sims.healthy, { stream: true });
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/x-ndjson');
    expect(result.failure).toBeUndefined();
    expect(result.streamErrors).toEqual([]);
    expect(result.sawEndMarker).toBe(true);
    expect(result.events).toHaveLength(OUTPUT_TOKENS + 1);
    const tokens = tokenEvents(result.events);
    expect(tokens).toHaveLength(OUTPUT_TOKENS);
    expect(joined(tokens, 'text')).toBe(simulatedText(OUTPUT_TOKENS));
    expect(joined(tokens, 'reasoningText')).toBe('');
    const done = result.events.at(-1)!;
    expect(done.usage).toEqual({ inputTokens: PROMPT_TOKENS, outputTokens: OUTPUT_TOKENS });
    const timings = done.serverTimings!;
    expect(Object.keys(timings).sort()).toEqual([...TIMING_NAMES].sort());
    // The simulator measures its durations (from the parsed request, so on a busy machine
    // they may start well after arrival): each is positive and they add up to the total.
    const sum =
      timings.load_duration_ms! + timings.prompt_eval_duration_ms! + timings.eval_duration_ms!;
    expect(timings.total_duration_ms).toBeCloseTo(sum, 6);
    for (const name of TIMING_NAMES) expect(timings[name]).toBeGreaterThan(0);
    expect(timings.total_duration_ms).toBeLessThan(10_000);
  });

  it('reads a non-streaming body as one event with the text, usage and server timings', async () => {
    const result = await send(sims.healthy, { stream: false, maxTokens: 5 });
    expect(result.status).toBe(200);
    expect(result.sawEndMarker).toBe(true);
    expect(result.events).toHaveLength(1);
    const [event] = result.events;
    expect(event).toMatchObject({
      text: simulatedText(5),
      reasoningText: '',
      toolText: '',
      usage: { inputTokens: PROMPT_TOKENS, outputTokens: 5 },
    });
    // A non-streamed body carries the measured total as eval time (see the simulator README).
    expect(Object.keys(event!.serverTimings!).sort()).toEqual([
      'eval_duration_ms',
      'total_duration_ms',
    ]);
    expect(event!.serverTimings!.total_duration_ms).toBeGreaterThan(0);
    expect(event!.serverTimings!.eval_duration_ms).toBe(event!.serverTimings!.total_duration_ms);
  });

  it('streams thinking as reasoning before the answer when think is set, counted in the output', async () => {
    const bySetting = await send(sims.healthy, { stream: true }, { think: true });
    const byExtraBody = await send(sims.healthy, { stream: true, extraBody: { think: 'medium' } });
    for (const result of [bySetting, byExtraBody]) {
      expect(result.sawEndMarker).toBe(true);
      const tokens = tokenEvents(result.events);
      expect(tokens).toHaveLength(REASONING_TOKENS + OUTPUT_TOKENS);
      expect(joined(tokens.slice(0, REASONING_TOKENS), 'reasoningText')).toBe(
        simulatedText(REASONING_TOKENS),
      );
      expect(joined(tokens.slice(0, REASONING_TOKENS), 'text')).toBe('');
      expect(joined(tokens, 'text')).toBe(simulatedText(OUTPUT_TOKENS));
      expect(result.events.at(-1)?.usage).toEqual({
        inputTokens: PROMPT_TOKENS,
        outputTokens: REASONING_TOKENS + OUTPUT_TOKENS,
      });
    }
  });

  it('caps the output with num_predict from maxTokens', async () => {
    const result = await send(sims.healthy, { stream: true, maxTokens: 3 });
    expect(tokenEvents(result.events)).toHaveLength(3);
    expect(result.events.at(-1)?.usage).toEqual({ inputTokens: PROMPT_TOKENS, outputTokens: 3 });
  });

  it('classifies a bad body as a persistent client_error with the server text', async () => {
    const result = await send(sims.healthy, { stream: true, extraBody: { think: 'max' } });
    expect(result.status).toBe(400);
    expect(result.events).toEqual([]);
    expect(result.httpError).toEqual({
      errorClass: 'client_error',
      message: 'HTTP 400: think must be true, false, "low", "medium" or "high"',
      persistent: true,
    });
  });

  it('sends the bearer key and classifies a rejected one as auth, never quoting it', async () => {
    const accepted = await send(sims.healthy, { stream: true }, { apiKey: 'ollama-proxy-key' });
    expect(accepted.sawEndMarker).toBe(true);
    const rejected = await send(sims.healthy, { stream: true }, { apiKey: REJECTED_KEY });
    expect(rejected.status).toBe(401);
    expect(rejected.httpError).toEqual({
      errorClass: 'auth',
      message:
        'HTTP 401: unauthorized (simulated) (check the API key and its permissions for ollama)',
      persistent: true,
    });
  });

  it('classifies 429 as rate_limited with the Retry-After wait', async () => {
    const result = await send(sims.rateLimited, { stream: true });
    expect(result.status).toBe(429);
    expect(result.headers['retry-after']).toBe('7');
    expect(result.httpError).toEqual({
      errorClass: 'rate_limited',
      message:
        'HTTP 429: Rate limit reached for llama3.2 (simulated). Please try again in 7s.; retry after 7 s',
    });
  });

  it('classifies 500 as server_error', async () => {
    const result = await send(sims.failing, { stream: true });
    expect(result.status).toBe(500);
    expect(result.httpError).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 500: The server had an error while processing your request (simulated).',
    });
  });

  it('reports an {"error"} line mid-stream as a server error, without the end marker', async () => {
    const result = await send(sims.midStream, { stream: true });
    expect(result.status).toBe(200);
    expect(tokenEvents(result.events)).toHaveLength(TOKENS_BEFORE_FAULT);
    expect(result.streamErrors).toEqual([
      {
        errorClass: 'server_error',
        message:
          'error in stream: The model stopped generating because of a server error (simulated).',
      },
    ]);
    expect(result.events.some((e) => e.usage !== undefined)).toBe(false);
    expect(result.sawEndMarker).toBe(false);
  });

  it('sees a dropped connection as a stream without its done line', async () => {
    const result = await send(sims.dropping, { stream: true });
    expect(result.status).toBe(200);
    expect(result.failure).toBeInstanceOf(Error);
    expect(tokenEvents(result.events).length).toBeLessThanOrEqual(TOKENS_BEFORE_FAULT);
    expect(result.events.some((e) => e.usage !== undefined)).toBe(false);
    expect(result.sawEndMarker).toBe(false);
  });
});

describe('the ollama provider factory', () => {
  const factory = providerFactories.find((f) => f.type === 'ollama')!;
  const entry = (settings: Record<string, unknown> = {}) => ({
    name: 'local',
    type: 'ollama',
    models: ['llama3.2'],
    ...factory.configSchema.parse(settings),
  });

  it('needs no key, and finds the server through OLLAMA_HOST given as host:port', async () => {
    expect(factory.credentials(entry(), { baseDir: '/' })).toEqual([]);
    const instance = await factory.create(entry(), {
      env: { OLLAMA_HOST: `127.0.0.1:${sims.healthy.port}` },
      baseDir: process.cwd(),
    });
    expect(instance.endpoint).toBe(sims.healthy.url);
    expect(instance.secrets).toEqual([]);
    const result = await exchangeOnce(transport, instance.provider, {
      model: 'llama3.2',
      prompt: 'Say ten words',
      stream: true,
    });
    expect(result.sawEndMarker).toBe(true);
    expect(tokenEvents(result.events)).toHaveLength(OUTPUT_TOKENS);
  });

  it('defaults to 127.0.0.1:11434 and lets base_url win over OLLAMA_HOST', async () => {
    const plain = await factory.create(entry(), { env: {}, baseDir: '/' });
    expect(plain.endpoint).toBe('http://127.0.0.1:11434');
    const configured = await factory.create(entry({ base_url: 'http://gpu-box:11434/api' }), {
      env: { OLLAMA_HOST: 'elsewhere:1' },
      baseDir: '/',
    });
    expect(configured.endpoint).toBe('http://gpu-box:11434');
  });

  it('reads an optional key from api_key_file and sends it as a bearer token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-lens-ollama-'));
    writeFileSync(join(dir, 'key.txt'), 'ollama-file-key-42\n');
    const settings = entry({ api_key_file: 'key.txt', think: 'true', keep_alive: '30m' });
    expect(factory.credentials(settings, { baseDir: dir })).toEqual([
      { file: join(dir, 'key.txt'), what: 'the API key' },
    ]);
    const instance = await factory.create(settings, { env: {}, baseDir: dir });
    expect(instance.secrets).toEqual(['ollama-file-key-42']);
    const request = instance.provider.buildRequest({ model: 'm', prompt: 'x', stream: true });
    expect(request.headers.authorization).toBe('Bearer ollama-file-key-42');
    expect(JSON.parse(request.body!)).toMatchObject({ think: true, keep_alive: '30m' });
  });

  it('fails with a config error naming OLLAMA_HOST when it names no usable address', async () => {
    await expect(
      factory.create(entry(), { env: { OLLAMA_HOST: 'box:port' }, baseDir: '/' }),
    ).rejects.toMatchObject({
      code: 'LENS_PROVIDER_CONFIG',
      message: expect.stringMatching(/^OLLAMA_HOST="box:port" has the port "port"/),
    });
  });

  it('validates think and keep_alive, saying what is valid', () => {
    expect(factory.configSchema.parse({ think: 'high', keep_alive: '300' })).toEqual({
      think: 'high',
      keep_alive: 300,
    });
    expect(factory.configSchema.parse({ keep_alive: '1h30m' })).toEqual({ keep_alive: '1h30m' });
    const think = factory.configSchema.safeParse({ think: 'maximum' });
    expect(think.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['think', 'must be true, false, or one of low | medium | high, got "maximum"'],
    ]);
    const keepAlive = factory.configSchema.safeParse({ keep_alive: 'ten minutes' });
    expect(keepAlive.error?.issues.map((i) => i.path.join('.'))).toEqual(['keep_alive']);
    expect(keepAlive.error?.issues[0]?.message).toContain('a duration such as 10m');
    const both = factory.configSchema.safeParse({ api_key_env: 'K', api_key_file: 'k.txt' });
    expect(both.error?.issues[0]?.message).toBe(
      'cannot be combined with api_key_env; set only one of them',
    );
  });
});
