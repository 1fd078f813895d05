import { HttpTransport, type ProviderRequestInput } from '@llm-lens/providers-core';
import { exchangeOnce } from '@llm-lens/providers-core/testing';
import { type RunningSimulator, simulatedText, startSimulator } from '@llm-lens/providers-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGenericProvider, type GenericSettings } from '../src/index.js';

// The simulator's Ollama route (POST /api/chat, NDJSON), described to the generic adapter
// by settings alone.
function ollamaSettings(url: string): GenericSettings {
  return {
    url: `${url}/api/chat`,
    method: 'POST',
    body: {
      model: '{{model}}',
      messages: '{{messages}}',
      stream: '{{stream}}',
      think: true,
      options: { num_predict: '{{max_tokens}}', temperature: '{{temperature}}' },
    },
    framing: 'ndjson',
    selectors: {
      text: '$.message.content',
      reasoning_text: '$.message.thinking',
      usage: { input_tokens: '$.prompt_eval_count', output_tokens: '$.eval_count' },
      error: '$.error',
      done: '$.done',
    },
    usage_convention: 'output_includes_reasoning',
  };
}

const input: ProviderRequestInput = {
  model: 'llama3.2',
  prompt: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Say hello.' },
  ],
  stream: true,
  maxTokens: 32,
};

let transport: HttpTransport;
const simulators: RunningSimulator[] = [];

async function simulator(options: Parameters<typeof startSimulator>[0]): Promise<string> {
  const running = await startSimulator({ ttftMs: 0, itlMs: 0, seed: 11, ...options });
  simulators.push(running);
  return running.url;
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

describe('generic adapter against the simulator Ollama route', () => {
  it('streams NDJSON tokens, ends at done: true and reads prompt_eval_count / eval_count', async () => {
    const url = await simulator({ outputTokens: 10, reasoningTokens: 4 });
    const provider = createGenericProvider({ settings: ollamaSettings(url) });
    const result = await exchangeOnce(transport, provider, input);
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/x-ndjson');
    expect(result.failure).toBeUndefined();
    expect(result.sawEndMarker).toBe(true);
    const reasoning = result.events.filter((event) => event.reasoningText !== '');
    const answer = result.events.filter((event) => event.text !== '');
    expect(reasoning.map((event) => event.reasoningText).join('')).toBe(simulatedText(4));
    expect(answer.map((event) => event.text).join('')).toBe(simulatedText(10));
    expect(reasoning).toHaveLength(4);
    expect(answer).toHaveLength(10);
    // Two messages of 4 each plus "Be brief." (2 words) and "Say hello." (2 words).
    expect(result.events.at(-1)).toEqual({
      text: '',
      reasoningText: '',
      toolText: '',
      usage: { inputTokens: 12, outputTokens: 14 },
    });
  });

  it('reads an error line through the error selector and sees no end marker', async () => {
    const url = await simulator({ outputTokens: 6, faults: { midStreamErrorRate: 1 } });
    const provider = createGenericProvider({ settings: ollamaSettings(url) });
    const result = await exchangeOnce(transport, provider, input);
    expect(result.events.filter((event) => event.text !== '')).toHaveLength(3);
    expect(result.streamErrors).toEqual([
      {
        errorClass: 'server_error',
        message:
          'error in stream: The model stopped generating because of a server error (simulated).',
      },
    ]);
    expect(result.sawEndMarker).toBe(false);
  });

  it('classifies the 429 of a rate-limited request from its {"error": "..."} body', async () => {
    const url = await simulator({ faults: { rateLimitRate: 1, retryAfterS: 2 } });
    const provider = createGenericProvider({ settings: ollamaSettings(url) });
    const result = await exchangeOnce(transport, provider, input);
    expect(result.status).toBe(429);
    expect(result.httpError?.errorClass).toBe('rate_limited');
    expect(result.httpError?.message).toBe(
      'HTTP 429: Rate limit reached for llama3.2 (simulated). Please try again in 2s.; retry after 2 s',
    );
  });
});
