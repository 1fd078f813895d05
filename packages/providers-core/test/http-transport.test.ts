import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ConnectionPhases, now } from '@llm-lens/core-timing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyTransportError } from '../src/error-classification.js';
import { HttpTransport } from '../src/http-transport.js';
import type { ResponseSink } from '../src/transport.js';

interface Outcome {
  connectionCalls: number;
  phases: ConnectionPhases | undefined;
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  headersStamp?: bigint;
  chunks: string[];
  chunkStamps: bigint[];
  /** When the request's headers were written to the socket. */
  sentStamp?: bigint;
  completeStamp?: bigint;
  error?: Error;
  errorStamp?: bigint;
  /** Order in which callbacks arrived. */
  calls: string[];
}

interface Recording {
  sink: ResponseSink;
  done: Promise<Outcome>;
  outcome: Outcome;
}

function record(onChunk?: (outcome: Outcome) => void): Recording {
  const outcome: Outcome = {
    connectionCalls: 0,
    phases: undefined,
    chunks: [],
    chunkStamps: [],
    calls: [],
  };
  let resolve!: (value: Outcome) => void;
  const done = new Promise<Outcome>((r) => {
    resolve = r;
  });
  const sink: ResponseSink = {
    onConnection(phases, stampNs) {
      outcome.calls.push('connection');
      outcome.connectionCalls += 1;
      outcome.phases = phases;
      outcome.sentStamp = stampNs;
    },
    onHeaders(status, headers, stampNs) {
      outcome.calls.push('headers');
      outcome.status = status;
      outcome.headers = headers;
      outcome.headersStamp = stampNs;
    },
    onChunk(chunk, stampNs) {
      outcome.calls.push('chunk');
      outcome.chunks.push(chunk.toString('utf8'));
      outcome.chunkStamps.push(stampNs);
      onChunk?.(outcome);
    },
    onComplete(stampNs) {
      outcome.calls.push('complete');
      outcome.completeStamp = stampNs;
      resolve(outcome);
    },
    onError(error, stampNs) {
      outcome.calls.push('error');
      outcome.error = error;
      outcome.errorStamp = stampNs;
      resolve(outcome);
    },
  };
  return { sink, done, outcome };
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const routes: Record<string, Route> = {
  '/stream': async (req, res) => {
    let body = '';
    for await (const part of req) body += part;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'x-echo-length': String(body.length),
    });
    for (const part of ['one', 'two', 'three']) {
      res.write(part);
      await delay(5);
    }
    res.end();
  },
  '/hang-before-headers': () => {
    // Never answers: the headers timeout must fire.
  },
  '/hang-after-chunk': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('first');
  },
  '/cut-mid-body': (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('partial', () => {
      setTimeout(() => req.socket.destroy(), 5);
    });
  },
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (route === undefined) {
      res.writeHead(404).end();
      return;
    }
    void route(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

describe('HttpTransport', () => {
  it('delivers status, headers and chunks with increasing stamps, then completes', async () => {
    const transport = new HttpTransport();
    try {
      const { sink, done } = record();
      const sentNs = now();
      transport.send(
        {
          url: `${base}/stream`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"a":1}',
        },
        sink,
      );
      const outcome = await done;
      expect(outcome.error).toBeUndefined();
      expect(outcome.status).toBe(200);
      expect(outcome.headers?.['content-type']).toBe('text/event-stream');
      expect(outcome.headers?.['x-echo-length']).toBe('7');
      expect(outcome.chunks.join('')).toBe('onetwothree');
      // Written to the socket after the hand-off, and before the response could arrive.
      expect(outcome.sentStamp! >= sentNs).toBe(true);
      const stamps = [
        outcome.sentStamp!,
        outcome.headersStamp!,
        ...outcome.chunkStamps,
        outcome.completeStamp!,
      ];
      for (let i = 1; i < stamps.length; i += 1) {
        expect(stamps[i]! >= stamps[i - 1]!).toBe(true);
      }
      // The server waits 5 ms after each of its three writes before ending the body; a
      // libuv timer runs on a millisecond-rounded loop clock and may fire up to 1 ms early.
      expect(outcome.headersStamp! > sentNs).toBe(true);
      expect(outcome.completeStamp! - sentNs).toBeGreaterThanOrEqual(12_000_000n);
      expect(outcome.calls[0]).toBe('connection');
      expect(outcome.calls[1]).toBe('headers');
      expect(outcome.calls.at(-1)).toBe('complete');
    } finally {
      await transport.close();
    }
  });

  it('reports connection phases for a new connection and undefined for a reused one', async () => {
    const transport = new HttpTransport();
    try {
      const first = record();
      transport.send({ url: `${base}/stream`, method: 'POST', headers: {}, body: 'x' }, first.sink);
      const firstOutcome = await first.done;
      expect(firstOutcome.connectionCalls).toBe(1);
      expect(firstOutcome.phases?.connectNs).toBeGreaterThan(0n);
      // An IP literal needs no lookup and plain HTTP no handshake.
      expect(firstOutcome.phases?.dnsNs).toBeUndefined();
      expect(firstOutcome.phases?.tlsNs).toBeUndefined();

      const second = record();
      transport.send(
        { url: `${base}/stream`, method: 'POST', headers: {}, body: 'y' },
        second.sink,
      );
      const secondOutcome = await second.done;
      expect(secondOutcome.error).toBeUndefined();
      expect(secondOutcome.connectionCalls).toBe(1);
      expect(secondOutcome.phases).toBeUndefined();
    } finally {
      await transport.close();
    }
  });

  it('reuses the connection for a request sent from inside onComplete', async () => {
    const transport = new HttpTransport();
    try {
      const second = record();
      const first = record();
      const firstComplete = first.sink.onComplete.bind(first.sink);
      first.sink.onComplete = (stampNs) => {
        transport.send(
          { url: `${base}/stream`, method: 'POST', headers: {}, body: 'b' },
          second.sink,
        );
        firstComplete(stampNs);
      };
      transport.send({ url: `${base}/stream`, method: 'POST', headers: {}, body: 'a' }, first.sink);
      expect((await first.done).phases?.connectNs).toBeGreaterThan(0n);
      const secondOutcome = await second.done;
      expect(secondOutcome.chunks.join('')).toBe('onetwothree');
      expect(secondOutcome.connectionCalls).toBe(1);
      expect(secondOutcome.phases).toBeUndefined();
    } finally {
      await transport.close();
    }
  });

  it('attributes phases to the right request when several connect at once', async () => {
    const transport = new HttpTransport();
    try {
      const recordings = [record(), record(), record()];
      for (const { sink } of recordings) {
        transport.send({ url: `${base}/stream`, method: 'POST', headers: {}, body: 'z' }, sink);
      }
      const outcomes = await Promise.all(recordings.map((r) => r.done));
      // Three concurrent requests need three sockets: every one of them opened its own.
      for (const outcome of outcomes) {
        expect(outcome.error).toBeUndefined();
        expect(outcome.phases?.connectNs).toBeGreaterThan(0n);
      }
    } finally {
      await transport.close();
    }
  });

  it('cancels a request when its signal aborts, classified cancelled', async () => {
    const transport = new HttpTransport();
    try {
      const controller = new AbortController();
      const { sink, done } = record(() => controller.abort());
      transport.send(
        { url: `${base}/hang-after-chunk`, method: 'GET', headers: {} },
        sink,
        controller.signal,
      );
      const outcome = await done;
      expect(outcome.chunks).toEqual(['first']);
      expect(outcome.error?.name).toBe('AbortError');
      expect(outcome.calls.filter((call) => call === 'error' || call === 'complete')).toEqual([
        'error',
      ]);
      expect(classifyTransportError(outcome.error, { afterHeaders: true }).errorClass).toBe(
        'cancelled',
      );
    } finally {
      await transport.close();
    }
  });

  it('cancels a request through the handle send() returns, classified cancelled', async () => {
    const transport = new HttpTransport();
    try {
      let inFlight: ReturnType<HttpTransport['send']> | undefined;
      const { sink, done } = record(() => inFlight?.cancel());
      inFlight = transport.send(
        { url: `${base}/hang-after-chunk`, method: 'GET', headers: {} },
        sink,
      );
      const outcome = await done;
      expect(outcome.chunks).toEqual(['first']);
      expect(outcome.calls.filter((call) => call === 'error' || call === 'complete')).toEqual([
        'error',
      ]);
      expect(classifyTransportError(outcome.error, { afterHeaders: true }).errorClass).toBe(
        'cancelled',
      );
    } finally {
      await transport.close();
    }
  });

  it('reports an already aborted signal asynchronously without sending', async () => {
    const transport = new HttpTransport();
    try {
      const { sink, done, outcome } = record();
      transport.send(
        { url: `${base}/stream`, method: 'GET', headers: {} },
        sink,
        AbortSignal.abort(),
      );
      expect(outcome.calls).toEqual([]);
      const finished = await done;
      expect(finished.calls).toEqual(['error']);
      expect(classifyTransportError(finished.error, { afterHeaders: false }).errorClass).toBe(
        'cancelled',
      );
    } finally {
      await transport.close();
    }
  });

  it('fails with network when the port refuses connections', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const transport = new HttpTransport();
    try {
      const { sink, done } = record();
      transport.send({ url: `http://127.0.0.1:${port}/x`, method: 'GET', headers: {} }, sink);
      const outcome = await done;
      expect(outcome.calls).toEqual(['error']);
      const classification = classifyTransportError(outcome.error, { afterHeaders: false });
      expect(classification.errorClass).toBe('network');
      expect(classification.message).toContain('ECONNREFUSED');
    } finally {
      await transport.close();
    }
  });

  it('fails with timeout_ttft when headers do not arrive within the headers timeout', async () => {
    const transport = new HttpTransport({ headersTimeoutMs: 100 });
    try {
      const { sink, done } = record();
      transport.send({ url: `${base}/hang-before-headers`, method: 'GET', headers: {} }, sink);
      const outcome = await done;
      expect(outcome.status).toBeUndefined();
      expect(classifyTransportError(outcome.error, { afterHeaders: false }).errorClass).toBe(
        'timeout_ttft',
      );
    } finally {
      await transport.close();
    }
  });

  it('fails with timeout_idle when the body goes silent past the body timeout', async () => {
    const transport = new HttpTransport({ bodyTimeoutMs: 100 });
    try {
      const { sink, done } = record();
      transport.send({ url: `${base}/hang-after-chunk`, method: 'GET', headers: {} }, sink);
      const outcome = await done;
      expect(outcome.chunks).toEqual(['first']);
      expect(outcome.errorStamp! - outcome.chunkStamps[0]!).toBeGreaterThanOrEqual(90_000_000n);
      expect(classifyTransportError(outcome.error, { afterHeaders: true }).errorClass).toBe(
        'timeout_idle',
      );
    } finally {
      await transport.close();
    }
  });

  it('fails with stream_interrupted when the server drops the socket mid-body', async () => {
    const transport = new HttpTransport();
    try {
      const { sink, done } = record();
      transport.send({ url: `${base}/cut-mid-body`, method: 'GET', headers: {} }, sink);
      const outcome = await done;
      expect(outcome.status).toBe(200);
      expect(outcome.chunks).toEqual(['partial']);
      expect(outcome.calls.at(-1)).toBe('error');
      expect(classifyTransportError(outcome.error, { afterHeaders: true }).errorClass).toBe(
        'stream_interrupted',
      );
    } finally {
      await transport.close();
    }
  });

  it('rejects an invalid URL with a config error and no query string in the message', async () => {
    const transport = new HttpTransport();
    try {
      const { sink, done } = record();
      transport.send({ url: 'not a url?key=secret', method: 'GET', headers: {} }, sink);
      const outcome = await done;
      expect(outcome.error?.message).toBe(
        'invalid request URL "not a url": expected an absolute http(s) URL',
      );
      expect((outcome.error as { code?: string }).code).toBe('LENS_PROVIDER_CONFIG');
    } finally {
      await transport.close();
    }
  });

  it('aborts the request when the sink throws and reports that error', async () => {
    const transport = new HttpTransport();
    try {
      const failure = new Error('decoder failed');
      const { sink, done } = record(() => {
        throw failure;
      });
      transport.send({ url: `${base}/stream`, method: 'POST', headers: {}, body: 'x' }, sink);
      const outcome = await done;
      expect(outcome.error).toBe(failure);
      expect(outcome.chunks).toEqual(['one']);
    } finally {
      await transport.close();
    }
  });
});
