import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PrometheusExportError } from './prometheus-error.js';
import { pushgatewayUrl, pushToGateway, redactUrl } from './pushgateway.js';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

// A stand-in Pushgateway that records what it was sent and answers with `reply`.
let server: Server;
let base: string;
let received: Received[] = [];
let reply: { status: number; body: string } = { status: 200, body: '' };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  reply = { status: 200, body: '' };
});

describe('pushgatewayUrl', () => {
  it('appends job and grouping labels to the base path', () => {
    expect(pushgatewayUrl('http://gw:9091', 'ci', { run_id: 'abc-1' }).href).toBe(
      'http://gw:9091/metrics/job/ci/run_id/abc-1',
    );
    expect(pushgatewayUrl('https://host/prefix/', 'llm-lens').href).toBe(
      'https://host/prefix/metrics/job/llm-lens',
    );
  });

  it('writes a value with a slash, or an empty one, in the base64 form', () => {
    expect(pushgatewayUrl('http://gw:9091', 'a/b', { run_id: '' }).pathname).toBe(
      `/metrics/job@base64/${Buffer.from('a/b').toString('base64url')}/run_id@base64/=`,
    );
    expect(pushgatewayUrl('http://gw:9091', 'ci', { run_id: 'x y' }).pathname).toBe(
      '/metrics/job/ci/run_id/x%20y',
    );
  });

  it('rejects what is not an http(s) URL, saying what is valid', () => {
    for (const bad of ['localhost:9091', 'ftp://gw/', 'not a url']) {
      expect(() => pushgatewayUrl(bad, 'ci')).toThrow(
        expect.objectContaining({
          code: 'LENS_EXPORT_PROMETHEUS_TARGET',
          message: expect.stringContaining('http://localhost:9091'),
        }),
      );
    }
  });
});

describe('pushToGateway', () => {
  it('PUTs the text as exposition format to the group URL', async () => {
    await pushToGateway({ url: base, job: 'ci', groupingKey: { run_id: 'r1' }, body: 'a 1\n' });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('PUT');
    expect(request!.url).toBe('/metrics/job/ci/run_id/r1');
    expect(request!.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(request!.body).toBe('a 1\n');
  });

  it('sends URL credentials as basic auth and never shows them in an error', async () => {
    reply = { status: 401, body: 'unauthorized' };
    const url = base.replace('http://', 'http://ops:s3cr%40t@');
    const error = await pushToGateway({ url, job: 'ci', body: 'a 1\n' }).catch((e: unknown) => e);
    expect(received[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('ops:s3cr@t').toString('base64')}`,
    );
    expect(error).toBeInstanceOf(PrometheusExportError);
    const message = (error as Error).message;
    expect(message).toContain(`${base}/metrics/job/ci`);
    expect(message).toContain('HTTP 401: unauthorized');
    expect(message).not.toMatch(/s3cr|ops/);
  });

  it("rejects a refused push with the URL, the status and the gateway's reason", async () => {
    reply = {
      status: 400,
      body: 'pushed metrics are invalid or inconsistent with existing metrics',
    };
    await expect(
      pushToGateway({ url: base, job: 'ci', groupingKey: { run_id: 'r1' }, body: 'a 1\n' }),
    ).rejects.toMatchObject({
      code: 'LENS_EXPORT_PROMETHEUS_PUSH',
      message: expect.stringMatching(
        /Pushgateway at http:\/\/127\.0\.0\.1:\d+\/metrics\/job\/ci\/run_id\/r1 refused the push with HTTP 400: pushed metrics are invalid/,
      ),
    });
  });

  it('rejects with the URL when nothing listens there', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(
      pushToGateway({ url: `http://127.0.0.1:${port}`, job: 'ci', body: 'a 1\n' }),
    ).rejects.toMatchObject({
      code: 'LENS_EXPORT_PROMETHEUS_PUSH',
      message: expect.stringContaining(`http://127.0.0.1:${port}/metrics/job/ci: `),
    });
  });
});

describe('redactUrl', () => {
  it('keeps scheme, host and path, and drops credentials and the query', () => {
    expect(redactUrl(new URL('https://u:p@gw.example:9091/x?token=abc'))).toBe(
      'https://gw.example:9091/x',
    );
  });
});
