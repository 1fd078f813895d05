import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningSimulator, startSimulator } from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ServerMetricsError,
  type ServerMetricsReport,
  serverView,
  startServerMetrics,
} from '../src/index.js';

/** A streamed chat completion read to its end. */
async function streamChat(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'one two three' }],
      stream: true,
    }),
  });
  expect(response.status).toBe(200);
  await response.text();
}

interface FakeEndpoint {
  url: string;
  requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** A server answering every request with `answer`, remembering the request headers. */
async function fakeEndpoint(
  answer: (respond: (status: number, contentType: string, body: string) => void) => void,
): Promise<FakeEndpoint> {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    answer((status, contentType, body) => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('startServerMetrics against the simulator', () => {
  let sim: RunningSimulator;
  let report: ServerMetricsReport;
  const concurrency = 4;

  beforeAll(async () => {
    sim = await startSimulator({ ttftMs: 200, itlMs: 20, outputTokens: 10, seed: 11 });
    const scrape = startServerMetrics({ url: sim.url, intervalMs: 100 });
    // The baseline: observations before the first scrape are not the run's.
    expect(await scrape.firstScrape).toEqual({ ok: true });
    await Promise.all(Array.from({ length: concurrency }, () => streamChat(sim.baseUrl)));
    report = await scrape.stop();
  });

  afterAll(async () => {
    await sim.close();
  });

  it('scrapes on the interval without failures and recognises vLLM names', () => {
    expect(report.server).toBe('vllm');
    expect(report.url).toBe(`${sim.url}/metrics`);
    expect(report.scrapes.failed).toBe(0);
    // ~400 ms of requests at 100 ms, plus the first and the final scrape.
    expect(report.scrapes.attempts).toBeGreaterThanOrEqual(4);
    expect(report.scrapes.succeeded).toBe(report.scrapes.attempts);
    expect(report.window_s).toBeGreaterThan(0.3);
    expect(report.scrape_times).toHaveLength(report.scrapes.succeeded);
  });

  it('sees the running requests peak at the concurrency and fall back to 0', () => {
    const running = report.roles.running;
    expect(running).toMatchObject({
      metric: 'vllm:num_requests_running',
      kind: 'gauge',
      max: concurrency,
      min: 0,
    });
    expect(running?.series.at(-1)?.[1]).toBe(0);
    expect(report.roles.waiting).toMatchObject({ max: 0 });
    expect(report.roles.kv_cache_usage).toMatchObject({ max: concurrency / 256 });
  });

  it("reads the server's TTFT histogram over the run: p50 within a bucket of the simulated 200 ms", () => {
    const ttft = report.roles.server_ttft;
    expect(ttft?.kind).toBe('histogram');
    if (ttft?.kind !== 'histogram') return;
    expect(ttft.unit).toBe('ms');
    expect(ttft.observations).toBe(concurrency);
    // vLLM's bucket around 200 ms is (100, 250]: 150 ms wide.
    expect(Math.abs(ttft.p50! - 200)).toBeLessThanOrEqual(150);
    // The mean comes from _sum / _count, exact: never below the simulated TTFT.
    expect(ttft.mean!).toBeGreaterThanOrEqual(199);
    expect(ttft.mean!).toBeLessThan(260);
    expect(report.roles.server_e2e).toMatchObject({ observations: concurrency });
  });

  it('counts the tokens generated in the window and their rate', () => {
    const generated = report.roles.generation_tokens;
    expect(generated).toMatchObject({
      metric: 'vllm:generation_tokens_total',
      increase: concurrency * 10,
    });
    expect(generated?.kind === 'counter' && generated.rate_per_s).toBeGreaterThan(0);
    expect(report.roles.prompt_tokens).toMatchObject({ kind: 'counter' });
    expect(report.metrics['vllm:num_requests_running']?.series[0]?.labels).toEqual({
      model_name: 'mock-model',
      engine: '0',
    });
  });

  it('gives the console its few numbers', () => {
    const view = serverView(report);
    expect(view).toMatchObject({
      server: 'vllm',
      peak_running: concurrency,
      peak_waiting: 0,
      max_kv_cache_usage: concurrency / 256,
      scrapes_failed: 0,
      first_error: null,
    });
    expect(view.server_ttft_p50_ms).toBe(
      report.roles.server_ttft?.kind === 'histogram' ? report.roles.server_ttft.p50 : NaN,
    );
    expect(view.server_ttft_p95_ms).toBeGreaterThanOrEqual(view.server_ttft_p50_ms!);
  });

  it('is plain JSON data', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('startServerMetrics failures are counted, never thrown', () => {
  it('counts a refused connection', async () => {
    const closed = await fakeEndpoint(() => undefined);
    await closed.close();
    const scrape = startServerMetrics({ url: `${closed.url}/metrics`, intervalMs: 50 });
    const first = await scrape.firstScrape;
    expect(first).toMatchObject({ ok: false, kind: 'refused' });
    await new Promise((resolve) => setTimeout(resolve, 120));
    const report = await scrape.stop();
    expect(report.scrapes.failures.refused).toBe(report.scrapes.attempts);
    expect(report.scrapes.attempts).toBeGreaterThanOrEqual(3);
    expect(report.scrapes.first_error).toBe(
      `GET ${closed.url}/metrics: connection refused (is the server running with its metrics endpoint on, and are host and port right?)`,
    );
    expect(report.window_s).toBeNull();
    expect(Object.values(report.roles).every((role) => role === null)).toBe(true);
    expect(serverView(report)).toMatchObject({
      peak_running: null,
      server_ttft_p50_ms: null,
      scrapes_failed: report.scrapes.failed,
    });
  });

  it('counts a 404 (the simulator has no such path)', async () => {
    const sim = await startSimulator();
    try {
      const scrape = startServerMetrics({ url: `${sim.url}/not-metrics` });
      expect(await scrape.firstScrape).toMatchObject({ ok: false, kind: 'http_status' });
      const report = await scrape.stop();
      expect(report.scrapes).toMatchObject({
        attempts: 2,
        failed: 2,
        failures: { http_status: 2 },
      });
      expect(report.scrapes.first_error).toContain('HTTP 404');
    } finally {
      await sim.close();
    }
  });

  it('counts a body that is not Prometheus text, by media type or by content', async () => {
    const answers: [string, string, string][] = [
      ['text/plain', 'hello world\nthis is not a metrics page\n', 'no line is a sample'],
      ['text/html', '<html><body>login</body></html>', 'the answer is text/html'],
      ['text/plain', '', 'the body holds no sample'],
    ];
    for (const [contentType, body, reason] of answers) {
      const endpoint = await fakeEndpoint((respond) => respond(200, contentType, body));
      try {
        const scrape = startServerMetrics({ url: `${endpoint.url}/metrics` });
        expect(await scrape.firstScrape).toMatchObject({ ok: false, kind: 'not_prometheus' });
        const report = await scrape.stop();
        expect(report.scrapes.failures.not_prometheus).toBe(2);
        expect(report.scrapes.first_error).toContain(reason);
      } finally {
        await endpoint.close();
      }
    }
  });

  it('counts a scrape that gets no answer within timeoutMs', async () => {
    const silent = await fakeEndpoint(() => undefined);
    try {
      const scrape = startServerMetrics({
        url: `${silent.url}/metrics`,
        timeoutMs: 100,
        intervalMs: 1000,
      });
      expect(await scrape.firstScrape).toMatchObject({ ok: false, kind: 'timeout' });
      const report = await scrape.stop();
      expect(report.scrapes.failures.timeout).toBe(2);
      expect(report.scrapes.first_error).toContain('no complete answer within 100 ms');
      expect(report.scrapes.duration_ms!.max).toBeLessThan(1000);
    } finally {
      await silent.close();
    }
  });

  it('counts a body above maxBodyBytes', async () => {
    const sim = await startSimulator();
    try {
      const scrape = startServerMetrics({ url: sim.url, maxBodyBytes: 200 });
      expect(await scrape.firstScrape).toMatchObject({ ok: false, kind: 'too_large' });
      await scrape.stop();
    } finally {
      await sim.close();
    }
  });

  it('keeps the readable lines of a partly broken body and counts the others', async () => {
    const endpoint = await fakeEndpoint((respond) =>
      respond(
        200,
        'text/plain; version=0.0.4',
        'vllm:num_requests_running 2\nvllm:num_requests_waiting{oops} 1\n',
      ),
    );
    try {
      const scrape = startServerMetrics({ url: `${endpoint.url}/metrics` });
      expect(await scrape.firstScrape).toEqual({ ok: true });
      const report = await scrape.stop();
      expect(report.scrapes).toMatchObject({ failed: 0, skipped_lines: 2 });
      expect(report.scrapes.first_skipped_line).toContain('line 2: expected = after label oops');
      expect(report.roles.running).toMatchObject({ max: 2 });
      expect(report.roles.waiting).toBeNull();
    } finally {
      await endpoint.close();
    }
  });
});

describe('startServerMetrics requests and selection', () => {
  it('sends credentials from the URL and extra headers, and reports the URL without them', async () => {
    const endpoint = await fakeEndpoint((respond) => respond(200, 'text/plain', 'up 1\n'));
    try {
      const host = endpoint.url.slice('http://'.length);
      const scrape = startServerMetrics({
        url: `http://user:s3cret@${host}/metrics?token=abc123`,
        headers: { 'X-Api-Key': 'key-42' },
      });
      await scrape.firstScrape;
      const report = await scrape.stop();
      expect(report.url).toBe(`http://${host}/metrics?token=***`);
      expect(JSON.stringify(report)).not.toMatch(/s3cret|abc123|key-42/);
      const headers = endpoint.requests[0]!;
      expect(headers.authorization).toBe(`Basic ${Buffer.from('user:s3cret').toString('base64')}`);
      expect(headers['x-api-key']).toBe('key-42');
      expect(headers.accept).toMatch(/^text\/plain;version=0\.0\.4/);
    } finally {
      await endpoint.close();
    }
  });

  it('keeps the known families and the selected ones, nothing else', async () => {
    const body = [
      '# TYPE my_app_queue gauge',
      'my_app_queue 3',
      '# TYPE my_app_jobs_total counter',
      'my_app_jobs_total 10',
      '# TYPE process_cpu_seconds_total counter',
      'process_cpu_seconds_total 1.5',
      '# TYPE llamacpp:requests_processing gauge',
      'llamacpp:requests_processing 1',
    ].join('\n');
    const endpoint = await fakeEndpoint((respond) => respond(200, 'text/plain', body));
    try {
      const plain = startServerMetrics({ url: endpoint.url });
      const plainReport = await plain.stop();
      expect(Object.keys(plainReport.metrics)).toEqual(['llamacpp:requests_processing']);
      expect(plainReport.server).toBe('llama.cpp');
      const selected = startServerMetrics({ url: endpoint.url, select: ['my_app_*'] });
      const selectedReport = await selected.stop();
      expect(Object.keys(selectedReport.metrics)).toEqual([
        'llamacpp:requests_processing',
        'my_app_jobs_total',
        'my_app_queue',
      ]);
    } finally {
      await endpoint.close();
    }
  });

  it('reads OpenMetrics answers', async () => {
    let tokens = 0;
    const endpoint = await fakeEndpoint((respond) => {
      tokens += 100;
      respond(
        200,
        'application/openmetrics-text; version=1.0.0; charset=utf-8',
        `# TYPE vllm:generation_tokens counter\nvllm:generation_tokens_total ${tokens}\nvllm:generation_tokens_created 1.7e9\n# EOF\n`,
      );
    });
    try {
      const scrape = startServerMetrics({ url: endpoint.url });
      await scrape.firstScrape;
      const report = await scrape.stop();
      expect(report.roles.generation_tokens).toMatchObject({ increase: 100 });
    } finally {
      await endpoint.close();
    }
  });

  it('stops once: a second stop gives the same report', async () => {
    const endpoint = await fakeEndpoint((respond) => respond(200, 'text/plain', 'up 1\n'));
    try {
      const scrape = startServerMetrics({ url: endpoint.url });
      const [first, second] = await Promise.all([scrape.stop(), scrape.stop()]);
      expect(second).toBe(first);
      expect(first.scrapes.attempts).toBe(2);
    } finally {
      await endpoint.close();
    }
  });
});

describe('startServerMetrics options', () => {
  const invalid: [Parameters<typeof startServerMetrics>[0], string, RegExp][] = [
    [
      { url: 'localhost:8000/metrics' },
      'LENS_SERVER_METRICS_URL_INVALID',
      /uses localhost:; expected http: or https:/,
    ],
    [{ url: 'not a url' }, 'LENS_SERVER_METRICS_URL_INVALID', /"not a url" is not an absolute URL/],
    [{ url: 'ftp://host/metrics' }, 'LENS_SERVER_METRICS_URL_INVALID', /uses ftp:/],
    [
      { url: undefined as unknown as string },
      'LENS_SERVER_METRICS_URL_INVALID',
      /expected a string such as http:\/\/127\.0\.0\.1:8000\/metrics, got undefined/,
    ],
    [
      { url: 'http://h/metrics', intervalMs: 0 },
      'LENS_SERVER_METRICS_OPTION_INVALID',
      /intervalMs: expected an integer ≥ 10, got 0/,
    ],
    [
      { url: 'http://h/metrics', timeoutMs: 1.5 },
      'LENS_SERVER_METRICS_OPTION_INVALID',
      /timeoutMs/,
    ],
    [
      { url: 'http://h/metrics', select: ['bad name'] },
      'LENS_SERVER_METRICS_OPTION_INVALID',
      /"bad name" is not a metric name/,
    ],
  ];
  for (const [options, code, message] of invalid) {
    it(`refuses ${JSON.stringify(options)} with ${code}`, () => {
      let thrown: unknown;
      try {
        startServerMetrics(options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ServerMetricsError);
      expect((thrown as ServerMetricsError).code).toBe(code);
      expect((thrown as ServerMetricsError).message).toMatch(message);
    });
  }
});
