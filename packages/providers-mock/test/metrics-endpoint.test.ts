import { afterAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/index.js';
import { postJson, streamCompletion } from './sse-exchange.js';

const simulators: RunningSimulator[] = [];

async function simulator(options: Parameters<typeof startSimulator>[0]): Promise<RunningSimulator> {
  const sim = await startSimulator(options);
  simulators.push(sim);
  return sim;
}

afterAll(async () => {
  await Promise.all(simulators.map((sim) => sim.close()));
});

async function scrape(
  sim: RunningSimulator,
): Promise<{ contentType: string | null; text: string }> {
  const response = await fetch(`${sim.url}/metrics`);
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type'), text: await response.text() };
}

/** The value of one sample line, found by its name and labels as written. */
function sample(text: string, nameAndLabels: string): number {
  const line = text.split('\n').find((one) => one.startsWith(`${nameAndLabels} `));
  if (line === undefined) throw new Error(`no sample ${nameAndLabels} in:\n${text}`);
  return Number(line.slice(nameAndLabels.length + 1));
}

const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'metrics-model',
  messages: [{ role: 'user', content: 'count these five words' }],
  ...extra,
});

describe('GET /metrics', () => {
  it('exposes vLLM-named metrics as Prometheus text, all series at 0 before any request', async () => {
    const sim = await simulator({ models: ['served-model'] });
    const { contentType, text } = await scrape(sim);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const labels = '{model_name="served-model",engine="0"}';
    for (const type of [
      '# TYPE vllm:num_requests_running gauge',
      '# TYPE vllm:num_requests_waiting gauge',
      '# TYPE vllm:kv_cache_usage_perc gauge',
      '# TYPE vllm:time_to_first_token_seconds histogram',
      '# TYPE vllm:e2e_request_latency_seconds histogram',
      '# TYPE vllm:prompt_tokens_total counter',
      '# TYPE vllm:generation_tokens_total counter',
    ]) {
      expect(text).toContain(type);
    }
    expect(sample(text, `vllm:num_requests_running${labels}`)).toBe(0);
    expect(sample(text, `vllm:time_to_first_token_seconds_count${labels}`)).toBe(0);
    expect(sample(text, `vllm:generation_tokens_total${labels}`)).toBe(0);
  });

  it('shows requests in flight as running and in the synthetic KV-cache use', async () => {
    const sim = await simulator({ ttftMs: 400, itlMs: 5, outputTokens: 2 });
    const requests = [1, 2, 3].map(() =>
      streamCompletion(`${sim.baseUrl}/chat/completions`, chat({ stream: true })),
    );
    while (sim.stats().active < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const { text } = await scrape(sim);
    const labels = '{model_name="mock-model",engine="0"}';
    expect(sample(text, `vllm:num_requests_running${labels}`)).toBe(3);
    expect(sample(text, `vllm:num_requests_waiting${labels}`)).toBe(0);
    expect(sample(text, `vllm:kv_cache_usage_perc${labels}`)).toBeCloseTo(3 / 256, 12);
    await Promise.all(requests);
    const after = await scrape(sim);
    expect(sample(after.text, `vllm:num_requests_running${labels}`)).toBe(0);
  });

  it('observes each request: TTFT from arrival to the first token, e2e, prompt and generated tokens', async () => {
    const sim = await simulator({ ttftMs: 150, itlMs: 2, outputTokens: 5, seed: 1 });
    const streamed = await Promise.all(
      [1, 2, 3].map(() =>
        streamCompletion(
          `${sim.baseUrl}/chat/completions`,
          chat({ stream: true, stream_options: { include_usage: true } }),
        ),
      ),
    );
    const whole = (await (await postJson(`${sim.baseUrl}/chat/completions`, chat())).json()) as {
      usage: { prompt_tokens: number };
    };
    const promptTokens =
      streamed
        .map(({ data }) => JSON.parse(data.at(-2)!).usage.prompt_tokens as number)
        .reduce((a, b) => a + b, 0) + whole.usage.prompt_tokens;
    expect(promptTokens).toBeGreaterThan(0);

    const { text } = await scrape(sim);
    const labels = '{model_name="mock-model",engine="0"}';
    const bucket = (le: string) =>
      sample(
        text,
        `vllm:time_to_first_token_seconds_bucket{le="${le}",model_name="mock-model",engine="0"}`,
      );
    // 150 ms lies in vLLM's (0.1, 0.25] bucket.
    expect(bucket('0.1')).toBe(0);
    expect(bucket('0.25')).toBe(4);
    expect(bucket('+Inf')).toBe(4);
    const ttftSum = sample(text, `vllm:time_to_first_token_seconds_sum${labels}`);
    expect(ttftSum).toBeGreaterThanOrEqual(4 * 0.15);
    expect(ttftSum).toBeLessThan(4 * 0.25);
    expect(sample(text, `vllm:e2e_request_latency_seconds_count${labels}`)).toBe(4);
    expect(sample(text, `vllm:e2e_request_latency_seconds_sum${labels}`)).toBeGreaterThan(ttftSum);
    expect(sample(text, `vllm:generation_tokens_total${labels}`)).toBe(4 * 5);
    expect(sample(text, `vllm:prompt_tokens_total${labels}`)).toBe(promptTokens);
  });

  it('keeps each simulator in a registry of its own, and counts no TTFT for a rejected request', async () => {
    const busy = await simulator({ ttftMs: 1, itlMs: 1, outputTokens: 3 });
    const limited = await simulator({ ttftMs: 1, faults: { rateLimitRate: 1 } });
    await streamCompletion(`${busy.baseUrl}/chat/completions`, chat({ stream: true }));
    const rejected = await postJson(`${limited.baseUrl}/chat/completions`, chat({ stream: true }));
    expect(rejected.status).toBe(429);
    await rejected.text();
    const labels = '{model_name="mock-model",engine="0"}';
    const busyText = (await scrape(busy)).text;
    const limitedText = (await scrape(limited)).text;
    expect(sample(busyText, `vllm:time_to_first_token_seconds_count${labels}`)).toBe(1);
    expect(sample(limitedText, `vllm:time_to_first_token_seconds_count${labels}`)).toBe(0);
    expect(sample(limitedText, `vllm:e2e_request_latency_seconds_count${labels}`)).toBe(0);
    expect(sample(limitedText, `vllm:prompt_tokens_total${labels}`)).toBe(0);
  });
});
