import {
  classifyTransportError,
  composeTransport,
  HttpTransport,
  type ProviderInstance,
  type ProviderRequestInput,
  type StreamEvent,
  type Transport,
} from '@llm-lens/providers-core';
import { exchangeOnce } from '@llm-lens/providers-core/testing';
import { type RunningSimulator, simulatedText, startSimulator } from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bedrockProviderFactory } from '../src/index.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN';
const API_KEY = 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl';
/** The access key id and API key the simulator rejects (its REJECTED_CREDENTIAL). */
const REJECTED = 'invalid-key';
const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const keys = {
  AWS_ACCESS_KEY_ID: 'AKIALENSTEST',
  AWS_SECRET_ACCESS_KEY: SECRET,
  AWS_SESSION_TOKEN: TOKEN,
  AWS_REGION: 'us-east-1',
};
const THINKING = { thinking: { type: 'enabled', budget_tokens: 1024 } };

const simulators: RunningSimulator[] = [];
const transports: Transport[] = [];
let sim: RunningSimulator;

async function simulator(options: Parameters<typeof startSimulator>[0]): Promise<RunningSimulator> {
  const started = await startSimulator({
    ttftMs: 2,
    itlMs: 1,
    outputTokens: 12,
    seed: 7,
    ...options,
  });
  simulators.push(started);
  return started;
}

beforeAll(async () => {
  sim = await simulator({ reasoningTokens: 4 });
});

afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  await Promise.all(simulators.map((s) => s.close()));
});

async function bedrock(
  url: string,
  settings: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = keys,
): Promise<{ instance: ProviderInstance; transport: Transport }> {
  const parsed = bedrockProviderFactory.configSchema.parse({ endpoint_url: url, ...settings });
  const instance = await bedrockProviderFactory.create(
    { name: 'bedrock', type: 'bedrock', models: [CLAUDE], ...parsed },
    { env, baseDir: process.cwd() },
  );
  // Signing runs where the executor runs it: in an interceptor around the transport.
  const transport = composeTransport(new HttpTransport(), ...(instance.interceptors ?? []));
  transports.push(transport);
  return { instance, transport };
}

async function exchange(
  target: { instance: ProviderInstance; transport: Transport },
  input: ProviderRequestInput,
) {
  return exchangeOnce(target.transport, target.instance.provider, input, {
    secrets: target.instance.secrets,
  });
}

const join = (events: StreamEvent[], field: 'text' | 'reasoningText') =>
  events.map((e) => e[field]).join('');
const tokenEvents = (events: StreamEvent[]) =>
  events.filter((e) => e.text !== '' || e.reasoningText !== '' || e.toolText !== '');
const lastUsage = (events: StreamEvent[]) => events.filter((e) => e.usage).at(-1)?.usage;
const timings = (events: StreamEvent[]) =>
  Object.assign({}, ...events.map((e) => e.serverTimings ?? {})) as Record<string, number>;

const prompt: ProviderRequestInput['prompt'] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Say twelve words' },
];
// The simulator's estimate: 4 per message plus its words, the system block counted as one.
const PROMPT_TOKENS = 4 + 2 + (4 + 3);

describe('api: converse against the simulator, signed with SigV4', () => {
  it('streams ConverseStream: every token, usage, the server latency and the end marker', async () => {
    const result = await exchange(await bedrock(sim.url), { model: CLAUDE, prompt, stream: true });
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/vnd.amazon.eventstream');
    expect(result.failure).toBeUndefined();
    expect(join(result.events, 'text')).toBe(simulatedText(12));
    expect(tokenEvents(result.events)).toHaveLength(12);
    expect(join(result.events, 'reasoningText')).toBe('');
    expect(lastUsage(result.events)).toEqual({ inputTokens: PROMPT_TOKENS, outputTokens: 12 });
    // The simulator measures from the request's arrival: the 2 ms TTFT plus 11 gaps of 1 ms
    // at least (less 1 for rounding to whole ms).
    expect(timings(result.events).latency_ms).toBeGreaterThanOrEqual(12);
    expect(result.sawEndMarker).toBe(true);
  });

  it('returns a Converse body with the scenario output limit', async () => {
    const result = await exchange(await bedrock(sim.url), {
      model: CLAUDE,
      prompt: 'Say twelve words',
      stream: false,
      maxTokens: 5,
    });
    expect(result.headers['content-type']).toBe('application/json');
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      text: simulatedText(5),
      reasoningText: '',
      usage: { inputTokens: 7, outputTokens: 5 },
    });
    expect(result.events[0]!.serverTimings?.latency_ms).toBeGreaterThanOrEqual(2 + 4 - 1);
    expect(result.sawEndMarker).toBe(true);
  });

  it('streams reasoningContent before the text when the request enables thinking', async () => {
    const result = await exchange(await bedrock(sim.url), {
      model: CLAUDE,
      prompt: 'Think first',
      stream: true,
      extraBody: { additionalModelRequestFields: THINKING },
    });
    expect(join(result.events, 'reasoningText')).toBe(simulatedText(4));
    expect(join(result.events, 'text')).toBe(simulatedText(12));
    // Reasoning comes first, and counts in the output.
    expect(tokenEvents(result.events)[0]!.reasoningText).not.toBe('');
    expect(lastUsage(result.events)).toEqual({ inputTokens: 6, outputTokens: 16 });
    expect(result.sawEndMarker).toBe(true);
  });

  it('sends an inference-profile ARN as one percent-encoded path segment', async () => {
    const target = await bedrock(sim.url);
    const arn =
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5';
    const request = target.instance.provider.buildRequest({
      model: arn,
      prompt: 'hi',
      stream: true,
    });
    expect(request.url).toBe(
      `${sim.url}/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-haiku-4-5/converse-stream`,
    );
    const result = await exchange(target, { model: arn, prompt: 'hi', stream: true });
    expect(result.status).toBe(200);
    expect(join(result.events, 'text')).toBe(simulatedText(12));
  });
});

describe('api: invoke against the simulator', () => {
  it('streams InvokeModelWithResponseStream: the Anthropic events, Bedrock usage and timings', async () => {
    const result = await exchange(await bedrock(sim.url, { api: 'invoke' }), {
      model: CLAUDE,
      prompt,
      stream: true,
    });
    expect(result.status).toBe(200);
    expect(join(result.events, 'text')).toBe(simulatedText(12));
    expect(tokenEvents(result.events)).toHaveLength(12);
    expect(lastUsage(result.events)).toEqual({
      inputTokens: PROMPT_TOKENS,
      cachedInputTokens: 0,
      outputTokens: 12,
    });
    const { invocation_latency_ms, first_byte_latency_ms } = timings(result.events);
    // The simulator's deadlines are absolute: the first token is due 2 ms after arrival, the
    // last 11 gaps of 1 ms later, whatever delayed the ones between (less 1 for rounding).
    expect(first_byte_latency_ms).toBeGreaterThanOrEqual(1);
    expect(invocation_latency_ms).toBeGreaterThanOrEqual(Math.max(12, first_byte_latency_ms!));
    expect(result.sawEndMarker).toBe(true);
  });

  it('returns an InvokeModel message, with thinking when asked', async () => {
    const result = await exchange(await bedrock(sim.url, { api: 'invoke' }), {
      model: CLAUDE,
      prompt: 'Think first',
      stream: false,
      maxTokens: 2048,
      extraBody: THINKING,
    });
    expect(result.events).toEqual([
      {
        text: simulatedText(12),
        reasoningText: simulatedText(4),
        toolText: '',
        usage: { inputTokens: 6, cachedInputTokens: 0, outputTokens: 16 },
      },
    ]);
    expect(result.sawEndMarker).toBe(true);
  });

  it('streams thinking deltas before the text when thinking is on', async () => {
    const result = await exchange(await bedrock(sim.url, { api: 'invoke' }), {
      model: CLAUDE,
      prompt: 'Think first',
      stream: true,
      extraBody: THINKING,
    });
    expect(join(result.events, 'reasoningText')).toBe(simulatedText(4));
    expect(join(result.events, 'text')).toBe(simulatedText(12));
    expect(lastUsage(result.events)?.outputTokens).toBe(16);
  });
});

describe('errors from the simulator', () => {
  it('classifies a rejected access key as auth, without quoting any secret', async () => {
    const result = await exchange(
      await bedrock(sim.url, {}, { ...keys, AWS_ACCESS_KEY_ID: REJECTED }),
      { model: CLAUDE, prompt: 'hi', stream: true },
    );
    expect(result.status).toBe(403);
    expect(result.httpError).toEqual({
      errorClass: 'auth',
      persistent: true,
      message:
        'HTTP 403 UnrecognizedClientException: The security token included in the request is invalid. (simulated) (the access key id is not recognised: check AWS_ACCESS_KEY_ID or the profile)',
    });
  });

  it('classifies a body Bedrock refuses as a persistent client_error', async () => {
    const result = await exchange(await bedrock(sim.url, { api: 'invoke' }), {
      model: CLAUDE,
      prompt: 'hi',
      stream: true,
      extraBody: { stream: true },
    });
    expect(result.status).toBe(400);
    expect(result.httpError).toEqual({
      errorClass: 'client_error',
      persistent: true,
      message:
        'HTTP 400 ValidationException: Malformed input request: #: extraneous key [stream] is not permitted, please reformat your input and try again.',
    });
  });

  it('classifies throttling as rate_limited with the wait, and a 500 as server_error', async () => {
    const throttled = await exchange(
      await bedrock((await simulator({ faults: { rateLimitRate: 1 } })).url),
      {
        model: CLAUDE,
        prompt: 'hi',
        stream: true,
      },
    );
    expect(throttled.status).toBe(429);
    expect(throttled.httpError?.errorClass).toBe('rate_limited');
    expect(throttled.httpError?.message).toMatch(
      /^HTTP 429 ThrottlingException: Rate limit reached for .*; retry after 1 s$/,
    );
    const failed = await exchange(
      await bedrock((await simulator({ faults: { serverErrorRate: 1 } })).url),
      {
        model: CLAUDE,
        prompt: 'hi',
        stream: false,
      },
    );
    expect(failed.status).toBe(500);
    expect(failed.httpError).toEqual({
      errorClass: 'server_error',
      message:
        'HTTP 500 InternalServerException: The server had an error while processing your request (simulated).',
    });
  });

  it('reports an exception frame mid-stream as a server_error, on both APIs', async () => {
    const failing = await simulator({ faults: { midStreamErrorRate: 1 } });
    for (const api of ['converse', 'invoke']) {
      const result = await exchange(await bedrock(failing.url, { api }), {
        model: CLAUDE,
        prompt: 'hi',
        stream: true,
      });
      expect(result.status).toBe(200);
      expect(join(result.events, 'text')).toBe(simulatedText(6));
      expect(result.streamErrors).toEqual([
        {
          errorClass: 'server_error',
          message:
            'error in stream: The model stopped generating because of a server error (simulated). (modelStreamErrorException)',
        },
      ]);
      expect(result.sawEndMarker).toBe(false);
    }
  });

  it('sees a dropped connection as an interrupted stream', async () => {
    const dropping = await simulator({ faults: { dropRate: 1 } });
    const result = await exchange(await bedrock(dropping.url), {
      model: CLAUDE,
      prompt: 'hi',
      stream: true,
    });
    expect(result.status).toBe(200);
    expect(join(result.events, 'text')).toBe(simulatedText(6));
    expect(result.sawEndMarker).toBe(false);
    expect(result.failure).toBeDefined();
    expect(classifyTransportError(result.failure, { afterHeaders: true }).errorClass).toBe(
      'stream_interrupted',
    );
  });
});

describe('a Bedrock API key', () => {
  it('is sent as a bearer token without signing', async () => {
    const target = await bedrock(
      sim.url,
      {},
      { AWS_BEARER_TOKEN_BEDROCK: API_KEY, AWS_REGION: 'us-east-1' },
    );
    expect(target.instance.interceptors).toBeUndefined();
    expect(target.instance.secrets).toEqual([API_KEY]);
    const request = target.instance.provider.buildRequest({
      model: CLAUDE,
      prompt: 'hi',
      stream: true,
    });
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.headers['x-amz-date']).toBeUndefined();
    const result = await exchange(target, { model: CLAUDE, prompt: 'hi', stream: true });
    expect(join(result.events, 'text')).toBe(simulatedText(12));
  });

  it('rejected, is an auth error', async () => {
    const result = await exchange(
      await bedrock(sim.url, {}, { AWS_BEARER_TOKEN_BEDROCK: REJECTED }),
      {
        model: CLAUDE,
        prompt: 'hi',
        stream: false,
      },
    );
    expect(result.status).toBe(403);
    expect(result.httpError).toEqual({
      errorClass: 'auth',
      persistent: true,
      message:
        'HTTP 403 UnrecognizedClientException: The security token included in the request is invalid. (simulated) (the Bedrock API key was not accepted: check AWS_BEARER_TOKEN_BEDROCK, its expiry and its permissions)',
    });
  });
});

describe('the bedrock provider factory', () => {
  it('fills the defaults and lists every secret it holds', async () => {
    const settings = bedrockProviderFactory.configSchema.parse({ region: 'eu-west-3' });
    expect(settings).toEqual({
      api: 'converse',
      auth: 'auto',
      region: 'eu-west-3',
      anthropic_version: 'bedrock-2023-05-31',
      default_max_tokens: 1024,
    });
    const instance = await bedrockProviderFactory.create(
      { name: 'claude', type: 'bedrock', models: [CLAUDE], ...settings },
      { env: keys, baseDir: process.cwd() },
    );
    expect(instance.endpoint).toBe('https://bedrock-runtime.eu-west-3.amazonaws.com');
    expect(instance.secrets).toEqual([SECRET, TOKEN]);
    expect(instance.interceptors).toHaveLength(1);
    expect(instance.provider.name).toBe('claude');
    const request = instance.provider.buildRequest({
      model: CLAUDE,
      prompt: 'hi',
      stream: true,
      maxTokens: 64,
      temperature: 0.2,
    });
    expect(request.url).toBe(
      'https://bedrock-runtime.eu-west-3.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream',
    );
    // Unsigned until the interceptor signs it.
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.parse(request.body!)).toEqual({
      messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      inferenceConfig: { maxTokens: 64, temperature: 0.2 },
    });
  });

  it('builds an InvokeModel body with the Bedrock anthropic_version and a required max_tokens', async () => {
    const { instance } = await bedrock(sim.url, { api: 'invoke' });
    const request = instance.provider.buildRequest({ model: CLAUDE, prompt, stream: false });
    expect(request.url).toBe(
      `${sim.url}/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke`,
    );
    expect(JSON.parse(request.body!)).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 1024,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Say twelve words' }],
    });
  });

  it('merges options into inferenceConfig instead of replacing it', async () => {
    const { instance } = await bedrock(sim.url);
    const request = instance.provider.buildRequest({
      model: CLAUDE,
      prompt: 'hi',
      stream: true,
      maxTokens: 10,
      extraBody: { inferenceConfig: { topP: 0.9 }, additionalModelRequestFields: THINKING },
    });
    expect(JSON.parse(request.body!)).toEqual({
      messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      inferenceConfig: { maxTokens: 10, topP: 0.9 },
      additionalModelRequestFields: THINKING,
    });
  });

  it('refuses a misspelt region or api with a message naming what is valid', () => {
    const region = bedrockProviderFactory.configSchema.safeParse({ region: 'US-EAST-1' });
    expect(region.success).toBe(false);
    expect(region.error?.issues[0]?.message).toBe(
      'must be an AWS region such as us-east-1, got "US-EAST-1"',
    );
    const api = bedrockProviderFactory.configSchema.safeParse({ api: 'invokes' });
    expect(api.error?.issues[0]?.message).toBe(
      'must be one of converse | invoke, got "invokes" (did you mean "invoke"?)',
    );
  });
});
