// `tokenizer: 'auto'`: a vocabulary is loaded before the run only where a stream needs it,
// and a non-streaming response loads one only when it arrives without the server's count.
// This file keeps its own process's module cache to itself (vitest isolates test files):
// which vocabularies are in it is what the tests observe.
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { RequestRecord } from '@llm-lens/core-timing';
import { createTokenCounter, HttpTransport } from '@llm-lens/providers-core';
import { createOpenAIProvider } from '@llm-lens/providers-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preloadForRun, runPlan } from '../src/index.js';

const ANSWER = 'Hello there, general. The queue is short today.';
/** A model outside the o200k families: its vocabulary is cl100k_base. */
const MODEL = 'mock-model';

/** gpt-tokenizer's vocabulary modules loaded in this process so far. */
function loadedVocabularies(): string[] {
  const cache = createRequire(import.meta.url).cache;
  return Object.keys(cache).filter(
    (path) => path.includes('gpt-tokenizer') && /(?:cl100k|o200k)_base/.test(path),
  );
}

/** A zero-latency chat completions server; `/usage/...` answers with usage, `/bare/...` without. */
let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const completion: Record<string, unknown> = {
        id: 'c',
        object: 'chat.completion',
        created: 1,
        model: MODEL,
        choices: [
          { index: 0, message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop' },
        ],
      };
      if (request.url?.startsWith('/usage/')) {
        completion.usage = { prompt_tokens: 4, completion_tokens: 11, total_tokens: 15 };
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(completion));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function runNonStreaming(path: 'usage' | 'bare', requests: number) {
  const provider = createOpenAIProvider({
    id: 'openai-compatible',
    name: path,
    baseUrl: `${origin}/${path}/v1`,
  });
  const transport = new HttpTransport();
  const records: RequestRecord[] = [];
  try {
    const summary = await runPlan(
      {
        targets: [{ provider, transport, model: MODEL }],
        scenarios: [
          { name: 'ns', prompt: 'Hi', requests, concurrency: 4, warmup: 0, stream: false },
        ],
      },
      { tokenizer: 'auto', onRecord: (record) => records.push(record) },
    );
    return { group: summary.groups[0]!, records };
  } finally {
    await transport.close();
  }
}

describe("tokenizer: 'auto'", () => {
  it('loads no vocabulary for a non-streaming run whose responses carry usage', async () => {
    expect(loadedVocabularies()).toEqual([]);
    const { group, records } = await runNonStreaming('usage', 20);
    expect(group.requests.succeeded).toBe(20);
    expect(group.token_count_sources).toEqual({ server_usage: 20, tokenizer: 0, event_count: 0 });
    expect(records.every((r) => r.outputTokens === 11)).toBe(true);
    // No client count to compare with the server's: no mismatch verdict either way.
    expect(records.every((r) => r.tokenCountMismatch === undefined)).toBe(true);
    expect(loadedVocabularies()).toEqual([]);
  });

  it('counts with the tokenizer, loaded then, a non-streaming response without usage', async () => {
    const { group, records } = await runNonStreaming('bare', 12);
    expect(group.requests.succeeded).toBe(12);
    expect(group.token_count_sources).toEqual({ server_usage: 0, tokenizer: 12, event_count: 0 });
    const expected = createTokenCounter(MODEL).count(ANSWER);
    expect(expected).toBeGreaterThan(1);
    for (const record of records) {
      expect(record.tokenCountSource).toBe('tokenizer');
      expect(record.outputTokens).toBe(expected);
      expect([...record.tokenEventTokens]).toEqual([expected]);
    }
    expect(loadedVocabularies().some((path) => path.includes('cl100k_base'))).toBe(true);
  });

  it('preloads the vocabulary of a model that streams, and only defers the others', async () => {
    const counters = await preloadForRun(['gpt-4o-mini', 'other-model'], 'auto', ['gpt-4o-mini']);
    expect(counters.get('gpt-4o-mini')?.isOnDemand).toBe(false);
    expect(counters.get('other-model')?.isOnDemand).toBe(true);
    // Loaded before any request: a stream counts its deltas as they arrive.
    expect(loadedVocabularies().some((path) => path.includes('o200k_base'))).toBe(true);
    const offline = await preloadForRun(['other-model'], 'offline', []);
    expect(offline.get('other-model')?.isOnDemand).toBe(false);
    const none = await preloadForRun(['other-model'], 'none', []);
    expect(none.get('other-model')).toBeUndefined();
  });
});
