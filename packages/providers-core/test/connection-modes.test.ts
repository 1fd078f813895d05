// Connection modes and HTTP/2 of HttpTransport, against real servers: a node:http server for
// HTTP/1.1 and a node:http2 secure server (allowHTTP1) with the certificate in fixtures/.
// Connections are counted on the server side, so "every request opened its own connection"
// is what the server saw, not what the client believes.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ConnectionPhases } from '@llm-lens/core-timing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpTransport, type HttpTransportOptions } from '../src/http-transport.js';
import type { ResponseSink } from '../src/transport.js';

const cert = readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url));
const key = readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url));

interface Outcome {
  phases: ConnectionPhases | undefined;
  connectionCalls: number;
  status?: number;
  body: string;
  chunkStamps: bigint[];
  sentStamp?: bigint;
  headersStamp?: bigint;
  completeStamp?: bigint;
  error?: Error;
}

/** Sends one request and resolves with everything its sink heard. */
function exchange(
  transport: HttpTransport,
  url: string,
  headers: Record<string, string> = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { phases: undefined, connectionCalls: 0, body: '', chunkStamps: [] };
    const sink: ResponseSink = {
      onConnection(phases, stampNs) {
        outcome.connectionCalls += 1;
        outcome.phases = phases;
        outcome.sentStamp = stampNs;
      },
      onHeaders(status, _headers, stampNs) {
        outcome.status = status;
        outcome.headersStamp = stampNs;
      },
      onChunk(chunk, stampNs) {
        outcome.body += chunk.toString('utf8');
        outcome.chunkStamps.push(stampNs);
      },
      onComplete(stampNs) {
        outcome.completeStamp = stampNs;
        resolve(outcome);
      },
      onError(error) {
        outcome.error = error;
        resolve(outcome);
      },
    };
    transport.send({ url, method: 'POST', headers, body: '{"q":1}' }, sink);
  });
}

async function sequential(
  transport: HttpTransport,
  url: string,
  count: number,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < count; i++) outcomes.push(await exchange(transport, url));
  return outcomes;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const STREAM_PARTS = ['data: one\n\n', 'data: two\n\n', 'data: three\n\n'];

/** What streamParts needs of a response: HTTP/1.1 and HTTP/2 (compatibility API) alike. */
interface StreamingResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): unknown;
  end(): unknown;
}

/** Streams three SSE events 5 ms apart. */
async function streamParts(
  req: IncomingMessage | Http2ServerRequest,
  res: StreamingResponse,
): Promise<void> {
  for await (const _ of req) {
    // drain the request body
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const part of STREAM_PARTS) {
    res.write(part);
    await delay(5);
  }
  res.end();
}

describe('HttpTransport connection modes over HTTP/1.1', () => {
  let server: Server;
  let url: string;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((req, res) => void streamParts(req, res));
    server.on('connection', () => {
      connections += 1;
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
  });

  beforeEach(() => {
    connections = 0;
  });

  afterEach(() => {
    server.closeAllConnections();
  });

  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  it('opens one connection for every request in mode new, and every request has its phases', async () => {
    const transport = new HttpTransport({ connectionMode: 'new' });
    try {
      const outcomes = await sequential(transport, url, 5);
      expect(connections).toBe(5);
      for (const outcome of outcomes) {
        expect(outcome.error).toBeUndefined();
        expect(outcome.body).toBe(STREAM_PARTS.join(''));
        expect(outcome.connectionCalls).toBe(1);
        expect(outcome.phases?.connectNs).toBeGreaterThan(0n);
        expect(outcome.phases?.protocol).toBe('http/1.1');
      }
    } finally {
      await transport.close();
    }
  });

  it('opens one connection per request in mode new when requests run concurrently', async () => {
    const transport = new HttpTransport({ connectionMode: 'new' });
    try {
      await exchange(transport, url);
      const outcomes = await Promise.all([1, 2, 3, 4].map(() => exchange(transport, url)));
      expect(connections).toBe(5);
      expect(outcomes.every((o) => o.phases !== undefined)).toBe(true);
    } finally {
      await transport.close();
    }
  });

  it('reuses one connection in mode keep-alive: only the first request has phases', async () => {
    const transport = new HttpTransport({ connectionMode: 'keep-alive' });
    try {
      const outcomes = await sequential(transport, url, 5);
      expect(connections).toBe(1);
      expect(outcomes[0]!.phases?.connectNs).toBeGreaterThan(0n);
      expect(outcomes[0]!.phases?.protocol).toBe('http/1.1');
      expect(outcomes.slice(1).map((o) => o.phases)).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    } finally {
      await transport.close();
    }
  });

  it('speaks HTTP/1.1 to a plain-TCP origin even with http2: true (no h2c)', async () => {
    const transport = new HttpTransport({ http2: true });
    try {
      const [first, second] = await sequential(transport, url, 2);
      expect(first!.body).toBe(STREAM_PARTS.join(''));
      expect(first!.phases?.protocol).toBe('http/1.1');
      expect(second!.phases).toBeUndefined();
      expect(connections).toBe(1);
    } finally {
      await transport.close();
    }
  });
});

describe('HttpTransport over TLS with HTTP/2', () => {
  let server: Http2SecureServer;
  let base: string;
  /** TLS connections accepted (HTTP/1.1 and HTTP/2). */
  let tlsConnections = 0;
  /** HTTP/2 sessions among them. */
  let h2Sessions = 0;
  /** By x-request-id: was the request the first one on its connection? */
  const firstOnConnection = new Map<string, boolean>();
  const requestsOnSocket = new WeakMap<object, number>();
  /** Requests parked by /gather until `gatherCount` of them are in flight at once. */
  let gathered: (() => void)[] = [];
  let gatherCount = 0;

  function noteRequest(req: Http2ServerRequest): void {
    const id = req.headers['x-request-id'];
    if (typeof id !== 'string') return;
    if (req.httpVersion === '2.0') {
      // Client streams are odd-numbered from 1: stream 1 is the session's first request.
      firstOnConnection.set(id, req.stream.id === 1);
      return;
    }
    const seen = requestsOnSocket.get(req.socket) ?? 0;
    requestsOnSocket.set(req.socket, seen + 1);
    firstOnConnection.set(id, seen === 0);
  }

  const options = (extra: HttpTransportOptions = {}): HttpTransportOptions => ({
    tls: { ca: cert },
    ...extra,
  });

  beforeAll(async () => {
    server = createSecureServer({ allowHTTP1: true, cert, key }, (req, res) => {
      noteRequest(req);
      if (req.url === '/gather') {
        req.resume();
        gathered.push(() => res.end(`together:${req.httpVersion}`));
        if (gathered.length === gatherCount) {
          for (const release of gathered) release();
          gathered = [];
        }
        return;
      }
      if (req.url === '/version') {
        req.resume();
        res.end(req.httpVersion);
        return;
      }
      void streamParts(req, res);
    });
    server.on('secureConnection', () => {
      tlsConnections += 1;
    });
    server.on('session', () => {
      h2Sessions += 1;
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    tlsConnections = 0;
    h2Sessions = 0;
    firstOnConnection.clear();
  });

  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  it('negotiates h2 with http2: true and streams a response intact, with stamps', async () => {
    const transport = new HttpTransport(options({ http2: true }));
    try {
      const outcome = await exchange(transport, `${base}/stream`);
      expect(outcome.error).toBeUndefined();
      expect(outcome.status).toBe(200);
      expect(outcome.body).toBe(STREAM_PARTS.join(''));
      expect(outcome.phases?.protocol).toBe('h2');
      expect(outcome.phases?.tlsNs).toBeGreaterThan(0n);
      expect(outcome.phases?.connectNs).toBeGreaterThan(0n);
      expect(outcome.chunkStamps.length).toBeGreaterThanOrEqual(STREAM_PARTS.length);
      // dispatch ≤ headers ≤ each chunk (in order) ≤ complete
      const stamps = [
        outcome.sentStamp!,
        outcome.headersStamp!,
        ...outcome.chunkStamps,
        outcome.completeStamp!,
      ];
      for (let i = 1; i < stamps.length; i++)
        expect(stamps[i]!).toBeGreaterThanOrEqual(stamps[i - 1]!);
      // The three events were written 5 ms apart, and arrive so.
      expect(outcome.completeStamp! - outcome.sentStamp!).toBeGreaterThan(8_000_000n);
      expect(h2Sessions).toBe(1);
    } finally {
      await transport.close();
    }
  });

  it('negotiates http/1.1 with http2 false, against the same server', async () => {
    const transport = new HttpTransport(options());
    try {
      const outcome = await exchange(transport, `${base}/version`);
      expect(outcome.body).toBe('1.1');
      expect(outcome.phases?.protocol).toBe('http/1.1');
      expect(h2Sessions).toBe(0);
      expect(tlsConnections).toBe(1);
    } finally {
      await transport.close();
    }
  });

  it('multiplexes concurrent requests on one HTTP/2 connection, phases only on the first', async () => {
    const transport = new HttpTransport(options({ http2: true }));
    try {
      const first = await exchange(transport, `${base}/version`);
      expect(first.body).toBe('2.0');
      expect(first.phases?.protocol).toBe('h2');
      // Five POSTs answered only once all five are in flight: they must run as concurrent
      // streams, neither queued one after another nor each on a connection of its own.
      gatherCount = 5;
      const outcomes = await Promise.all(
        [1, 2, 3, 4, 5].map(() => exchange(transport, `${base}/gather`)),
      );
      for (const outcome of outcomes) {
        expect(outcome.body).toBe('together:2.0');
        expect(outcome.connectionCalls).toBe(1);
        expect(outcome.phases).toBeUndefined();
      }
      expect(h2Sessions).toBe(1);
      expect(tlsConnections).toBe(1);
    } finally {
      await transport.close();
    }
  });

  it('gives a request connection phases only when it was the first on its connection (h2 burst)', async () => {
    const transport = new HttpTransport(options({ http2: true }));
    try {
      // A cold burst: some requests open connections, later ones may share them. Whoever
      // got phases must be the first stream of its session, as the server saw it.
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          exchange(transport, `${base}/stream`, { 'x-request-id': `burst-${i}` }),
        ),
      );
      const more = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          exchange(transport, `${base}/stream`, { 'x-request-id': `later-${i}` }),
        ),
      );
      const all = [...outcomes, ...more];
      const ids = [...outcomes.map((_, i) => `burst-${i}`), ...more.map((_, i) => `later-${i}`)];
      all.forEach((outcome, i) => {
        expect(outcome.body).toBe(STREAM_PARTS.join(''));
        expect(outcome.phases !== undefined, ids[i]).toBe(firstOnConnection.get(ids[i]!));
      });
      expect(all.filter((o) => o.phases !== undefined).length).toBe(h2Sessions);
    } finally {
      await transport.close();
    }
  });

  it('opens one HTTP/2 connection per request in mode new, each with its phases', async () => {
    const transport = new HttpTransport(options({ http2: true, connectionMode: 'new' }));
    try {
      const outcomes = await sequential(transport, `${base}/stream`, 4);
      const concurrent = await Promise.all(
        [1, 2, 3].map(() => exchange(transport, `${base}/stream`)),
      );
      for (const outcome of [...outcomes, ...concurrent]) {
        expect(outcome.error).toBeUndefined();
        expect(outcome.body).toBe(STREAM_PARTS.join(''));
        expect(outcome.phases?.protocol).toBe('h2');
        expect(outcome.phases?.tlsNs).toBeGreaterThan(0n);
      }
      expect(h2Sessions).toBe(7);
      expect(tlsConnections).toBe(7);
    } finally {
      await transport.close();
    }
  });

  it('opens one HTTP/1.1 TLS connection per request in mode new', async () => {
    const transport = new HttpTransport(options({ connectionMode: 'new' }));
    try {
      const outcomes = await sequential(transport, `${base}/version`, 3);
      expect(outcomes.map((o) => o.body)).toEqual(['1.1', '1.1', '1.1']);
      expect(outcomes.every((o) => o.phases?.protocol === 'http/1.1')).toBe(true);
      expect(tlsConnections).toBe(3);
    } finally {
      await transport.close();
    }
  });

  it('trusts the server only through the given ca', async () => {
    const transport = new HttpTransport({ http2: true });
    try {
      const outcome = await exchange(transport, `${base}/version`);
      expect(outcome.error).toBeDefined();
      expect(outcome.phases).toBeUndefined();
    } finally {
      await transport.close();
    }
  });
});
