import {
  HttpTransport,
  type ProviderRequestInput,
  type StreamEvent,
  type Usage,
} from '@llm-lens/providers-core';
import { exchangeOnce } from '@llm-lens/providers-core/testing';
import {
  type RunningSimulator,
  type SimulatorOptions,
  simulatedText,
  startSimulator,
} from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from '../src/index.js';

const API_KEY = 'sk-ant-simulated-key-8812';
// The one key the simulator answers 401 for (its REJECTED_CREDENTIAL).
const REJECTED_KEY = 'invalid-key';
const OUTPUT_TOKENS = 12;
const REASONING_TOKENS = 6;
// The simulator's estimate: 4 per message plus its words.
const PROMPT_TOKENS = 4 + 3;
// Drops and mid-stream errors strike before half the token events.
const TOKENS_BEFORE_FAULT = OUTPUT_TOKENS / 2;
const THINKING = { thinking: { type: 'enabled', budget_tokens: 1024 } } as const;

const TIMING: SimulatorOptions = {
  ttftMs: 2,
  itlMs: 1,
  outputTokens: OUTPUT_TOKENS,
  reasoningTokens: REASONING_TOKENS,
  seed: 7,
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
    startSimulator({ ...TIMING, faults: { dropRate: 1 } }),
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
  apiKey = API_KEY,
) {
  const provider = createAnthropicProvider({ baseUrl: sim.url, apiKey });
  return exchangeOnce(
    transport,
    provider,
    { model: 'claude-sim', prompt: 'Say twelve words', maxTokens: 256, ...input },
    { secrets: [apiKey] },
  );
}

const tokenEvents = (events: readonly StreamEvent[]) =>
  events.filter((e) => e.text !== '' || e.reasoningText !== '' || e.toolText !== '');
const joined = (events: readonly StreamEvent[], field: 'text' | 'reasoningText') =>
  events.map((e) => e[field]).join('');
/** Usage as the executor keeps it: each report overwrites the counts it carries. */
function mergedUsage(events: readonly StreamEvent[]): Usage {
  const usage: Usage = {};
  for (const event of events) if (event.usage) Object.assign(usage, event.usage);
  return usage;
}

describe('Anthropic provider against the simulator over HTTP', () => {
  it('streams the full text, one token per event, with the exact planned usage', async () => {
    const result = await send(sims.healthy, { stream: true });
    expect(result.status).toBe(200);
    expect(result.failure).toBeUndefined();
    expect(result.streamErrors).toEqual([]);
    expect(result.sawEndMarker).toBe(true);
    // message_start's usage, 12 text deltas, message_delta's usage: ping and block
    // starts and stops are not events.
    expect(result.events).toHaveLength(1 + OUTPUT_TOKENS + 1);
    expect(result.events[0]?.usage).toEqual({
      inputTokens: PROMPT_TOKENS,
      cachedInputTokens: 0,
      outputTokens: 1,
    });
    const tokens = tokenEvents(result.events);
    expect(tokens).toHaveLength(OUTPUT_TOKENS);
    expect(joined(tokens, 'text')).toBe(simulatedText(OUTPUT_TOKENS));
    expect(joined(tokens, 'reasoningText')).toBe('');
    expect(mergedUsage(result.events)).toEqual({
      inputTokens: PROMPT_TOKENS,
      cachedInputTokens: 0,
      outputTokens: OUTPUT_TOKENS,
    });
  });

  it('reads a non-streaming message as one event with the text and usage', async () => {
    const result = await send(sims.healthy, { stream: false, maxTokens: 5 });
    expect(result.status).toBe(200);
    expect(result.sawEndMarker).toBe(true);
    expect(result.events).toEqual([
      {
        text: simulatedText(5),
        reasoningText: '',
        toolText: '',
        usage: { inputTokens: PROMPT_TOKENS, cachedInputTokens: 0, outputTokens: 5 },
      },
    ]);
  });

  it('streams thinking as reasoning text before the answer, counted in the output', async () => {
    const result = await send(sims.healthy, { stream: true, maxTokens: 2048, extraBody: THINKING });
    expect(result.sawEndMarker).toBe(true);
    const tokens = tokenEvents(result.events);
    expect(tokens).toHaveLength(REASONING_TOKENS + OUTPUT_TOKENS);
    // Every reasoning event comes before the first answer event.
    expect(tokens.map((e) => (e.reasoningText !== '' ? 'r' : 't')).join('')).toBe(
      'r'.repeat(REASONING_TOKENS) + 't'.repeat(OUTPUT_TOKENS),
    );
    expect(joined(tokens, 'reasoningText')).toBe(simulatedText(REASONING_TOKENS));
    expect(joined(tokens, 'text')).toBe(simulatedText(OUTPUT_TOKENS));
    expect(mergedUsage(result.events)).toEqual({
      inputTokens: PROMPT_TOKENS,
      cachedInputTokens: 0,
      outputTokens: REASONING_TOKENS + OUTPUT_TOKENS,
      reasoningTokens: REASONING_TOKENS,
    });
  });

  it('reads thinking from a non-streaming message too', async () => {
    const result = await send(sims.healthy, {
      stream: false,
      maxTokens: 2048,
      extraBody: THINKING,
    });
    expect(result.events).toEqual([
      {
        text: simulatedText(OUTPUT_TOKENS),
        reasoningText: simulatedText(REASONING_TOKENS),
        toolText: '',
        usage: {
          inputTokens: PROMPT_TOKENS,
          cachedInputTokens: 0,
          outputTokens: REASONING_TOKENS + OUTPUT_TOKENS,
          reasoningTokens: REASONING_TOKENS,
        },
      },
    ]);
  });

  it('classifies a rejected request (400) as a persistent client_error', async () => {
    // The API refuses a thinking budget under 1024 tokens.
    const result = await send(sims.healthy, {
      stream: true,
      extraBody: { thinking: { type: 'enabled', budget_tokens: 100 } },
    });
    expect(result.status).toBe(400);
    expect(result.events).toEqual([]);
    expect(result.httpError).toMatchObject({ errorClass: 'client_error', persistent: true });
    expect(result.httpError?.message).toContain('HTTP 400: thinking.enabled.budget_tokens');
  });

  it('classifies the rejected key (401) as auth, without the key in the message', async () => {
    const result = await send(sims.healthy, { stream: true }, REJECTED_KEY);
    expect(result.status).toBe(401);
    expect(result.httpError).toMatchObject({ errorClass: 'auth', persistent: true });
    expect(result.httpError?.message).toMatch(/^HTTP 401: invalid API key/);
    expect(result.httpError?.message).not.toContain(REJECTED_KEY);
  });

  it('classifies a 429 as rate_limited and keeps its Retry-After', async () => {
    const result = await send(sims.rateLimited, { stream: true });
    expect(result.status).toBe(429);
    expect(result.headers['retry-after']).toBe('7');
    expect(result.httpError?.errorClass).toBe('rate_limited');
    expect(result.httpError?.message).toContain('Rate limit reached for claude-sim');
    expect(result.httpError?.message).toMatch(/; retry after 7 s$/);
  });

  it('classifies a 500 api_error as server_error', async () => {
    const result = await send(sims.failing, { stream: true });
    expect(result.status).toBe(500);
    expect(result.httpError?.errorClass).toBe('server_error');
    expect(result.httpError?.message).toContain('HTTP 500: The server had an error');
  });

  it('classifies an overloaded_error event mid-stream as server_error, with no end marker', async () => {
    const result = await send(sims.midStream, { stream: true });
    expect(result.status).toBe(200);
    expect(result.failure).toBeUndefined();
    expect(result.sawEndMarker).toBe(false);
    expect(joined(tokenEvents(result.events), 'text')).toBe(simulatedText(TOKENS_BEFORE_FAULT));
    expect(result.streamErrors).toEqual([
      {
        errorClass: 'server_error',
        message:
          'error in stream: The model stopped generating because of a server error (simulated). (type overloaded_error)',
      },
    ]);
  });

  it('reports a dropped connection as a transport failure after the events that arrived', async () => {
    const result = await send(sims.dropping, { stream: true });
    expect(result.status).toBe(200);
    expect(result.failure).toBeInstanceOf(Error);
    expect(result.sawEndMarker).toBe(false);
    expect(result.streamErrors).toEqual([]);
    expect(joined(tokenEvents(result.events), 'text')).toBe(simulatedText(TOKENS_BEFORE_FAULT));
  });
});
