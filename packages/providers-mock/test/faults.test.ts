import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../src/index.js';
import { postJson, readUntilBroken, sseData, streamCompletion } from './sse-exchange.js';

const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'mock-model',
  messages: [{ role: 'user', content: 'fault me' }],
  stream: true,
  ...extra,
});

async function withSimulator<T>(
  options: SimulatorOptions,
  use: (sim: RunningSimulator) => Promise<T>,
): Promise<T> {
  const sim = await startSimulator({
    ttftMs: 2,
    itlMs: 1,
    outputTokens: 10,
    recordWrites: true,
    seed: 1,
    ...options,
  });
  try {
    return await use(sim);
  } finally {
    await sim.close();
  }
}

describe('fault injection', () => {
  it('answers 429 with Retry-After and an OpenAI rate-limit error when rateLimitRate is 1', async () => {
    await withSimulator({ faults: { rateLimitRate: 1, retryAfterS: 2 } }, async (sim) => {
      const response = await postJson(`${sim.baseUrl}/chat/completions`, chat());
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('2');
      const body = (await response.json()) as { error: { code: string; type: string } };
      expect(body.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'requests' });

      const client = new OpenAI({ baseURL: sim.baseUrl, apiKey: 'test', maxRetries: 0 });
      const error = await client.chat.completions
        .create({ model: 'mock-model', messages: [], stream: true })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(sim.writeLog!.records.map((r) => [r.status, r.outcome])).toEqual([
        [429, 'rate_limited'],
        [429, 'rate_limited'],
      ]);
    });
  });

  it('answers 500 with an OpenAI server error when serverErrorRate is 1', async () => {
    await withSimulator({ faults: { serverErrorRate: 1 } }, async (sim) => {
      const response = await postJson(`${sim.baseUrl}/chat/completions`, chat());
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe('server_error');
      expect(body.error.message).toContain('simulated');
    });
  });

  it('destroys the socket after half the tokens without [DONE] when dropRate is 1', async () => {
    // ITL 10 ms lets the client read each event before the drop: a fetch body stream that
    // errors discards chunks it had received but not yet handed to the reader.
    await withSimulator({ itlMs: 10, faults: { dropRate: 1 } }, async (sim) => {
      const response = await postJson(`${sim.baseUrl}/chat/completions`, chat(), {
        headers: { 'x-request-id': 'dropped' },
      });
      expect(response.status).toBe(200);
      const { text, error } = await readUntilBroken(response);
      expect(error).toBeInstanceOf(Error);
      expect(text).not.toContain('[DONE]');
      expect(text.match(/"content":" /g)).toHaveLength(5);
      const record = sim.writeLog!.get('dropped')!;
      expect(record.outcome).toBe('dropped');
      expect(record.tokenWritesNs).toHaveLength(5);
      expect(sim.stats()).toMatchObject({ active: 0, tokensWritten: 5 });
    });
  });

  it('sends an error event and ends without [DONE] when midStreamErrorRate is 1', async () => {
    await withSimulator({ faults: { midStreamErrorRate: 1 } }, async (sim) => {
      const { data } = await streamCompletion(`${sim.baseUrl}/chat/completions`, chat());
      expect(data).not.toContain('[DONE]');
      expect(data).toHaveLength(1 + 5 + 1);
      expect(JSON.parse(data.at(-1)!)).toEqual({
        error: {
          message: 'The model stopped generating because of a server error (simulated).',
          type: 'server_error',
          param: null,
          code: 'simulated_mid_stream_error',
        },
      });
    });
  });

  // Timing-sensitive (event 5 within 10 ms of its deadline): retried like the timing tests.
  it('pauses stallMs after half the tokens and then completes when stallRate is 1', {
    retry: 2,
  }, async () => {
    await withSimulator(
      { ttftMs: 20, itlMs: 20, faults: { stallRate: 1, stallMs: 60 } },
      async (sim) => {
        const { data } = await streamCompletion(`${sim.baseUrl}/chat/completions`, chat(), {
          'x-request-id': 'stalled',
        });
        expect(data.at(-1)).toBe('[DONE]');
        const record = sim.writeLog!.get('stalled')!;
        expect(record.tokenWritesNs).toHaveLength(10);
        const offsets = record.tokenWritesNs.map((ns) => Number(ns - record.arrivalNs) / 1e6);
        // Event 4 is due at 20 + 4 × 20 = 100 ms; event 5 one ITL plus the stall later, at 180 ms.
        expect(offsets[4]).toBeGreaterThanOrEqual(100);
        expect(offsets[5]).toBeGreaterThanOrEqual(180);
        expect(offsets[5]).toBeLessThan(190);
        expect(offsets[5]! - offsets[4]!).toBeGreaterThan(70);
        expect(offsets[6]! - offsets[5]!).toBeLessThan(30);
      },
    );
  });

  it('replays the same faults and latencies for the same seed', async () => {
    const options: SimulatorOptions = {
      ttftMs: { distribution: 'lognormal', medianMs: 2, sigma: 0.5 },
      outputTokens: { min: 2, max: 8 },
      faults: { rateLimitRate: 0.2, serverErrorRate: 0.2, midStreamErrorRate: 0.2 },
    };
    const run = (seed: number) =>
      withSimulator({ ...options, seed }, async (sim) => {
        const fates: string[] = [];
        for (let i = 0; i < 16; i++) {
          const response = await postJson(`${sim.baseUrl}/chat/completions`, chat());
          const text = await response.text();
          if (response.status !== 200) {
            fates.push(String(response.status));
            continue;
          }
          const data = sseData(text);
          fates.push(`200:${data.length}:${data.at(-1)?.startsWith('{"error"')}`);
        }
        return { fates, seed: sim.seed };
      });
    const first = await run(1234);
    const second = await run(1234);
    const other = await run(99);
    expect(first.seed).toBe(1234);
    expect(second.fates).toEqual(first.fates);
    expect(other.fates).not.toEqual(first.fates);
    // The mix really contains every outcome.
    const statuses = new Set(first.fates.map((fate) => fate.split(':')[0]));
    expect(statuses).toEqual(new Set(['200', '429', '500']));
  });

  it('keeps serving after a client disconnects mid-stream', async () => {
    await withSimulator({ itlMs: 5, outputTokens: 100 }, async (sim) => {
      const abort = new AbortController();
      const response = await postJson(`${sim.baseUrl}/chat/completions`, chat(), {
        headers: { 'x-request-id': 'walked-away' },
        signal: abort.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      await reader.read();
      abort.abort();
      await reader.cancel().catch(() => {});
      // The next request completes, and the abandoned one was settled as client_closed.
      const { data } = await streamCompletion(
        `${sim.baseUrl}/chat/completions`,
        chat({ max_tokens: 2 }),
      );
      expect(data.at(-1)).toBe('[DONE]');
      expect(sim.writeLog!.get('walked-away')!.outcome).toBe('client_closed');
      expect(sim.stats().active).toBe(0);
    });
  });
});
