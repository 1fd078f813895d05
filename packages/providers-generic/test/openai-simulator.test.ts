import { HttpTransport, type ProviderRequestInput } from '@llm-lens/providers-core';
import { exchangeOnce } from '@llm-lens/providers-core/testing';
import { type RunningSimulator, simulatedText, startSimulator } from '@llm-lens/providers-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGenericProvider, type GenericSettings } from '../src/index.js';

// The simulator's OpenAI chat route described to the generic adapter as a user would in a
// config file: nothing here knows the OpenAI protocol except these settings.
function chatSettings(baseUrl: string): GenericSettings {
  return {
    url: `${baseUrl}/chat/completions`,
    method: 'POST',
    body: {
      model: '{{model}}',
      messages: '{{messages}}',
      max_tokens: '{{max_tokens}}',
      temperature: '{{temperature}}',
      stream: '{{stream}}',
      stream_options: { include_usage: true },
    },
    framing: 'sse',
    done_data: '[DONE]',
    selectors: {
      text: '$.choices[0].delta.content',
      reasoning_text: '$.choices[0].delta.reasoning_content',
      usage: {
        input_tokens: '$.usage.prompt_tokens',
        output_tokens: '$.usage.completion_tokens',
        reasoning_tokens: '$.usage.completion_tokens_details.reasoning_tokens',
        cached_input_tokens: '$.usage.prompt_tokens_details.cached_tokens',
      },
      error: '$.error',
    },
    usage_convention: 'output_includes_reasoning',
  };
}

function jsonSettings(baseUrl: string): GenericSettings {
  return {
    url: `${baseUrl}/chat/completions`,
    method: 'POST',
    body: { model: '{{model}}', messages: '{{messages}}', max_tokens: '{{max_tokens}}' },
    framing: 'json',
    selectors: {
      text: '$.choices[0].message.content',
      reasoning_text: '$.choices[0].message.reasoning_content',
      usage: {
        input_tokens: '$.usage.prompt_tokens',
        output_tokens: '$.usage.completion_tokens',
        reasoning_tokens: '$.usage.completion_tokens_details.reasoning_tokens',
      },
      error: '$.error',
    },
    usage_convention: 'output_includes_reasoning',
  };
}

const streamInput: ProviderRequestInput = {
  model: 'mock-model',
  prompt: 'Say something.',
  stream: true,
  maxTokens: 64,
};

let transport: HttpTransport;
const simulators: RunningSimulator[] = [];

async function simulator(options: Parameters<typeof startSimulator>[0]): Promise<string> {
  const running = await startSimulator({ ttftMs: 0, itlMs: 0, seed: 7, ...options });
  simulators.push(running);
  return running.baseUrl;
}

beforeAll(() => {
  transport = new HttpTransport();
});

afterEach(async () => {
  await Promise.all(simulators.splice(0).map((running) => running.close()));
});

afterAll(async () => {
  await transport.close();
});

describe('generic adapter against the simulator OpenAI chat route', () => {
  it('streams answer and reasoning tokens, reads the include_usage report and [DONE]', async () => {
    const baseUrl = await simulator({ outputTokens: 12, reasoningTokens: 5 });
    const provider = createGenericProvider({ settings: chatSettings(baseUrl) });
    const result = await exchangeOnce(transport, provider, streamInput);
    expect(result.status).toBe(200);
    expect(result.failure).toBeUndefined();
    expect(result.sawEndMarker).toBe(true);
    const reasoning = result.events.filter((event) => event.reasoningText !== '');
    const answer = result.events.filter((event) => event.text !== '');
    expect(reasoning).toHaveLength(5);
    expect(answer).toHaveLength(12);
    expect(reasoning.map((event) => event.reasoningText).join('')).toBe(simulatedText(5));
    expect(answer.map((event) => event.text).join('')).toBe(simulatedText(12));
    // Reasoning first, then the answer; the role-only first chunk is no event at all.
    expect(result.events.findIndex((event) => event.text !== '')).toBe(5);
    const usage = result.events.at(-1)?.usage;
    // The simulator counts 4 per message plus its words: "Say something." is 6.
    expect(usage).toEqual({
      inputTokens: 6,
      outputTokens: 17,
      reasoningTokens: 5,
      cachedInputTokens: 0,
    });
    expect(result.events.filter((event) => event.usage !== undefined)).toHaveLength(1);
  });

  it('reads a non-streaming JSON body as one event with its usage', async () => {
    const baseUrl = await simulator({ outputTokens: 9, reasoningTokens: 3 });
    const provider = createGenericProvider({ settings: jsonSettings(baseUrl) });
    const result = await exchangeOnce(transport, provider, { ...streamInput, stream: false });
    expect(result.status).toBe(200);
    expect(result.sawEndMarker).toBe(true);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toEqual({
      text: simulatedText(9),
      reasoningText: simulatedText(3),
      toolText: '',
      usage: { inputTokens: 6, outputTokens: 12, reasoningTokens: 3 },
    });
  });
});

describe('generic adapter errors against the simulator', () => {
  it('classifies a 429 as rate_limited with the server message and its Retry-After', async () => {
    const baseUrl = await simulator({ faults: { rateLimitRate: 1, retryAfterS: 3 } });
    const provider = createGenericProvider({ settings: chatSettings(baseUrl) });
    const result = await exchangeOnce(transport, provider, streamInput);
    expect(result.status).toBe(429);
    expect(result.events).toEqual([]);
    expect(result.httpError?.errorClass).toBe('rate_limited');
    expect(result.httpError?.message).toBe(
      'HTTP 429: Rate limit reached for mock-model (simulated). Please try again in 3s.; retry after 3 s',
    );
  });

  it('classifies a 500 as server_error', async () => {
    const baseUrl = await simulator({ faults: { serverErrorRate: 1 } });
    const provider = createGenericProvider({ settings: chatSettings(baseUrl) });
    const result = await exchangeOnce(transport, provider, streamInput);
    expect(result.status).toBe(500);
    expect(result.httpError?.errorClass).toBe('server_error');
    expect(result.httpError?.message).toBe(
      'HTTP 500: The server had an error while processing your request (simulated).',
    );
  });

  it('reports a mid-stream error event through the error selector, without an end marker', async () => {
    const baseUrl = await simulator({ outputTokens: 8, faults: { midStreamErrorRate: 1 } });
    const provider = createGenericProvider({ settings: chatSettings(baseUrl) });
    const result = await exchangeOnce(transport, provider, streamInput);
    expect(result.status).toBe(200);
    expect(result.events.filter((event) => event.text !== '')).toHaveLength(4);
    expect(result.events.at(-1)?.error).toMatchObject({
      type: 'server_error',
      code: 'simulated_mid_stream_error',
    });
    expect(result.streamErrors).toHaveLength(1);
    expect(result.streamErrors[0]?.errorClass).toBe('server_error');
    expect(result.streamErrors[0]?.message).toBe(
      'error in stream: The model stopped generating because of a server error (simulated). (type server_error, code simulated_mid_stream_error)',
    );
    expect(result.sawEndMarker).toBe(false);
  });

  it('leaves a dropped connection without its end marker and with the transport failure', async () => {
    const baseUrl = await simulator({ outputTokens: 8, faults: { dropRate: 1 } });
    const provider = createGenericProvider({ settings: chatSettings(baseUrl) });
    const result = await exchangeOnce(transport, provider, streamInput);
    expect(result.status).toBe(200);
    expect(result.events.filter((event) => event.text !== '')).toHaveLength(4);
    expect(result.failure).toBeInstanceOf(Error);
    expect(result.sawEndMarker).toBe(false);
  });
});
