// The HTTP side against a node:http server that checks the documented request. InfluxDB 1.6
// (the Debian package) has no /api/v2/write, which came in 1.8, so the 2.x/3.x path is
// checked here against the documented request rather than a real 2.x server.
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InfluxExportError } from '../src/influx-error.js';
import { InfluxHttpWriter } from '../src/influx-http-writer.js';
import { resolveInfluxTarget } from '../src/influx-options.js';
import { InfluxRunExporter } from '../src/influx-run-exporter.js';
import { summaryOf, syntheticRecords } from './synthetic-run.js';

const TOKEN = 'v2-secret-token-abcdef';

interface SeenRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

type Responder = (request: SeenRequest, response: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let seen: SeenRequest[] = [];
let respond: Responder = (_request, response) => {
  response.writeHead(204).end();
};
const dir = mkdtempSync(join(tmpdir(), 'lens-influx-http-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://localhost'),
        headers: req.headers,
        body,
      };
      seen.push(request);
      respond(request, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  seen = [];
  respond = (_request, response) => {
    response.writeHead(204).end();
  };
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function v2Target() {
  return resolveInfluxTarget(
    {
      'influx-url': baseUrl,
      'influx-org': 'lens org',
      'influx-bucket': 'runs',
      'influx-token-env': 'LENS_TEST_INFLUX_TOKEN',
    },
    { LENS_TEST_INFLUX_TOKEN: TOKEN },
  )!;
}

function v1Target(token?: string) {
  return resolveInfluxTarget(
    { 'influx-url': baseUrl, 'influx-db': 'lens' },
    token === undefined ? {} : { INFLUX_TOKEN: token },
  )!;
}

describe('InfluxDB 2.x/3.x write API', () => {
  it('POSTs the documented request: path, org, bucket, ns precision, Token header, our lines', async () => {
    const records = syntheticRecords({ count: 250 });
    const file = join(dir, 'v2.lp');
    const exporter = new InfluxRunExporter({
      path: file,
      http: v2Target(),
      runId: 'run-v2',
      httpOptions: { batchLines: 100 },
    });
    for (const record of records) {
      if (!exporter.write(record)) await exporter.drain();
    }
    await exporter.close();
    await exporter.export(summaryOf(records, 'run-v2'));

    // 250 request lines in batches of 100, then the summary on its own.
    expect(seen.map((r) => r.body.split('\n').length - 1)).toEqual([100, 100, 50, 1]);
    for (const request of seen) {
      expect(request.method).toBe('POST');
      expect(request.url.pathname).toBe('/api/v2/write');
      expect(request.url.searchParams.get('org')).toBe('lens org');
      expect(request.url.searchParams.get('bucket')).toBe('runs');
      expect(request.url.searchParams.get('precision')).toBe('ns');
      expect(request.headers.authorization).toBe(`Token ${TOKEN}`);
      expect(request.headers['content-type']).toBe('text/plain; charset=utf-8');
    }
    // Both destinations got the same lines, in the same order.
    expect(seen.map((r) => r.body).join('')).toBe(readFileSync(file, 'utf8'));
    expect(seen[3]!.body).toMatch(
      /^llm_summary,model=mock-model,provider=mock,run_id=run-v2,scenario=synthetic /,
    );
  });

  it('quotes the server error without the token, even when the server echoes it', async () => {
    respond = (_request, response) => {
      response
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 'unauthorized', message: `token ${TOKEN} is not authorized` }));
    };
    const writer = new InfluxHttpWriter(v2Target(), { batchLines: 2 });
    for (let i = 0; i < 6; i++) writer.add(`m v=${i}i ${i}`);
    const error = await writer.close().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InfluxExportError);
    const message = (error as Error).message;
    expect(message).toContain(`${baseUrl}/api/v2/write?org=lens+org&bucket=runs&precision=ns`);
    expect(message).toContain('HTTP 401');
    expect(message).toContain('token [token] is not authorized');
    expect(message).toContain('check that the token is valid');
    expect(message).toContain('6 of 6 points not written');
    expect(message).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    // The first failure stops the writer: no point is sent after it.
    expect(seen).toHaveLength(1);
  });
});

describe('InfluxHttpWriter', () => {
  it('holds the caller back while a batch is in flight and the next one is full', async () => {
    const held: ServerResponse[] = [];
    respond = (_request, response) => {
      held.push(response);
    };
    const writer = new InfluxHttpWriter(v1Target(), { batchLines: 2 });
    expect(writer.add('m v=1 1')).toBe(true);
    expect(writer.add('m v=2 2')).toBe(true); // a full batch: sent at once
    expect(writer.add('m v=3 3')).toBe(true);
    expect(writer.add('m v=4 4')).toBe(false); // the next batch is full, the first in flight
    let drained = false;
    const drain = writer.drain().then(() => {
      drained = true;
    });
    while (held.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(drained).toBe(false);
    held[0]!.writeHead(204).end();
    await drain;
    // The waiting batch went out as soon as the first came back.
    while (held.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen.map((r) => r.body)).toEqual(['m v=1 1\nm v=2 2\n', 'm v=3 3\nm v=4 4\n']);
    held[1]!.writeHead(204).end();
    await writer.close();
    expect(writer.written).toBe(4);
  });

  it('sends a batch that has waited its interval without waiting for close()', async () => {
    const writer = new InfluxHttpWriter(v1Target('tok'), { batchLines: 5000, flushIntervalMs: 20 });
    writer.add('m v=1 1');
    const deadline = Date.now() + 5_000;
    while (seen.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(seen.map((r) => r.body)).toEqual(['m v=1 1\n']);
    expect(seen[0]!.url.pathname).toBe('/write');
    expect(seen[0]!.url.searchParams.get('db')).toBe('lens');
    expect(seen[0]!.headers.authorization).toBe('Token tok');
    await writer.close();
  });

  it('sends no Authorization header to 1.x without a token', async () => {
    const writer = new InfluxHttpWriter(v1Target());
    writer.add('m v=1 1');
    await writer.close();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });

  it('names the URL when InfluxDB cannot be reached', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const target = resolveInfluxTarget(
      { 'influx-url': `http://127.0.0.1:${port}`, 'influx-db': 'lens' },
      { INFLUX_TOKEN: TOKEN },
    )!;
    const writer = new InfluxHttpWriter(target);
    writer.add('m v=1 1');
    const error = await writer.close().then(
      () => undefined,
      (e: unknown) => e as InfluxExportError,
    );
    expect(error?.code).toBe('LENS_EXPORT_INFLUX_WRITE');
    expect(error?.message).toContain(`InfluxDB write to http://127.0.0.1:${port}/write?db=lens`);
    expect(error?.message).toContain('ECONNREFUSED');
    expect(error?.message).not.toContain(TOKEN);
  });

  it('refuses a line after close()', async () => {
    const writer = new InfluxHttpWriter(v1Target());
    await writer.close();
    expect(() => writer.add('m v=1 1')).toThrow(/after the InfluxDB writer .* was closed/);
  });
});
