import diagnosticsChannel from 'node:diagnostics_channel';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import {
  type AddressInfo,
  connect,
  createServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Agent, type buildConnector, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeConnectionPhases, createTimedConnector } from '../src/connection-phases.js';

const SEND_HEADERS = 'undici:client:sendHeaders';

let httpServer: HttpServer;
let httpsServer: HttpsServer;
let silentTcpServer: TcpServer;
let h2Server: Http2SecureServer;
const silentSockets = new Set<Socket>();
const sentOn: Socket[] = [];
const onSendHeaders = (message: unknown): void => {
  sentOn.push((message as { socket: Socket }).socket);
};

function portOf(server: { address(): AddressInfo | string | null }): number {
  return (server.address() as AddressInfo).port;
}

function listen(server: HttpServer | HttpsServer | Http2SecureServer | TcpServer): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function close(
  server: HttpServer | HttpsServer | Http2SecureServer | TcpServer | undefined,
): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

/** Sends a GET through the agent and returns the body and the socket undici used. */
async function get(agent: Agent, url: string): Promise<{ body: string; socket: Socket }> {
  const before = sentOn.length;
  const res = await request(url, { dispatcher: agent });
  const body = await res.body.text();
  const socket = sentOn[before];
  if (socket === undefined) throw new Error('undici did not report the socket it sent on');
  return { body, socket };
}

/** Calls the connector directly and resolves with its callback's arguments. */
function connectWith(
  connector: buildConnector.connector,
  options: buildConnector.Options,
): Promise<{ err: (Error & { code?: string }) | null; socket: Socket | null }> {
  return new Promise((resolve) => {
    connector(options, (err, socket) => resolve({ err, socket }));
  });
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await listen(probe);
  const port = portOf(probe);
  await close(probe);
  return port;
}

beforeAll(async () => {
  diagnosticsChannel.subscribe(SEND_HEADERS, onSendHeaders);

  const key = readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url));
  const cert = readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url));
  const handler = (_req: unknown, res: { end(body: string): void }): void => res.end('ok');
  httpServer = createHttpServer(handler);
  httpsServer = createHttpsServer({ key, cert }, handler);
  h2Server = createSecureServer({ key, cert, allowHTTP1: true }, handler);
  // Accepts TCP connections and never answers: a TLS handshake against it cannot finish.
  silentTcpServer = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await Promise.all([
    listen(httpServer),
    listen(httpsServer),
    listen(h2Server),
    listen(silentTcpServer),
  ]);
});

afterAll(async () => {
  diagnosticsChannel.unsubscribe(SEND_HEADERS, onSendHeaders);
  for (const socket of silentSockets) socket.destroy();
  httpServer.closeAllConnections();
  httpsServer.closeAllConnections();
  await Promise.all([
    close(httpServer),
    close(httpsServer),
    close(h2Server),
    close(silentTcpServer),
  ]);
});

describe('createTimedConnector with an undici Agent', () => {
  it('records connect time but no dns or tls for a new plain connection to an IP literal', async () => {
    const agent = new Agent({ connect: createTimedConnector() });
    try {
      const { body, socket } = await get(agent, `http://127.0.0.1:${portOf(httpServer)}/`);
      expect(body).toBe('ok');
      const phases = consumeConnectionPhases(socket);
      expect(phases).toBeDefined();
      expect(phases?.connectNs).toBeGreaterThan(0n);
      expect(phases).not.toHaveProperty('dnsNs');
      expect(phases).not.toHaveProperty('tlsNs');
      expect(phases?.protocol).toBe('http/1.1');
    } finally {
      await agent.close();
    }
  });

  it('returns no phases for a request that reused a keep-alive connection', async () => {
    // One connection per origin: otherwise the pool may open a second socket while the
    // first is still finishing its response, and there would be no reuse to observe.
    const agent = new Agent({ connect: createTimedConnector(), connections: 1 });
    try {
      const url = `http://127.0.0.1:${portOf(httpServer)}/`;
      const first = await get(agent, url);
      expect(consumeConnectionPhases(first.socket)).toBeDefined();
      const second = await get(agent, url);
      expect(second.socket).toBe(first.socket);
      expect(consumeConnectionPhases(second.socket)).toBeUndefined();
    } finally {
      await agent.close();
    }
  });

  it('records a dns lookup when the host is a name', async () => {
    const agent = new Agent({ connect: createTimedConnector() });
    try {
      const { body, socket } = await get(agent, `http://localhost:${portOf(httpServer)}/`);
      expect(body).toBe('ok');
      const phases = consumeConnectionPhases(socket);
      expect(phases?.dnsNs).toBeGreaterThan(0n);
      expect(phases?.connectNs).toBeGreaterThan(0n);
      expect(phases).not.toHaveProperty('tlsNs');
    } finally {
      await agent.close();
    }
  });

  it('records the tls handshake of a new https connection', async () => {
    const agent = new Agent({
      connect: createTimedConnector({ tls: { rejectUnauthorized: false } }),
    });
    try {
      const { body, socket } = await get(agent, `https://127.0.0.1:${portOf(httpsServer)}/`);
      expect(body).toBe('ok');
      const phases = consumeConnectionPhases(socket);
      expect(phases?.tlsNs).toBeGreaterThan(0n);
      expect(phases?.connectNs).toBeGreaterThan(0n);
      expect(phases).not.toHaveProperty('dnsNs');
      // A server that answers no ALPN speaks HTTP/1.1.
      expect(phases?.protocol).toBe('http/1.1');
      expect(consumeConnectionPhases(socket)).toBeUndefined();
    } finally {
      await agent.close();
    }
  });

  it('verifies the server certificate unless told otherwise', async () => {
    const agent = new Agent({ connect: createTimedConnector() });
    try {
      await expect(
        request(`https://localhost:${portOf(httpsServer)}/`, { dispatcher: agent }),
      ).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      await agent.close();
    }
  });

  it('fails the request with UND_ERR_CONNECT_TIMEOUT when the handshake does not finish in time', async () => {
    const agent = new Agent({ connect: createTimedConnector({ connectTimeoutMs: 100 }) });
    try {
      await expect(
        request(`https://127.0.0.1:${portOf(silentTcpServer)}/`, { dispatcher: agent }),
      ).rejects.toMatchObject({ code: 'UND_ERR_CONNECT_TIMEOUT', name: 'ConnectTimeoutError' });
    } finally {
      await agent.close();
    }
  });

  it('fails the request with ECONNREFUSED when nothing listens on the port', async () => {
    const agent = new Agent({ connect: createTimedConnector() });
    try {
      await expect(
        request(`http://127.0.0.1:${await closedPort()}/`, { dispatcher: agent }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await agent.close();
    }
  });
});

describe('createTimedConnector called directly', () => {
  it('passes a refused connection to the callback with its code and no socket', async () => {
    const { err, socket } = await connectWith(createTimedConnector(), {
      hostname: '127.0.0.1',
      protocol: 'http:',
      port: String(await closedPort()),
    });
    expect(err?.code).toBe('ECONNREFUSED');
    expect(socket).toBeNull();
  });

  it('passes a connect timeout to the callback as undici ConnectTimeoutError', async () => {
    const started = process.hrtime.bigint();
    const { err, socket } = await connectWith(createTimedConnector({ connectTimeoutMs: 50 }), {
      hostname: '127.0.0.1',
      protocol: 'https:',
      port: String(portOf(silentTcpServer)),
    });
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(err?.code).toBe('UND_ERR_CONNECT_TIMEOUT');
    expect(err?.message).toContain(`127.0.0.1:${portOf(silentTcpServer)}`);
    expect(err?.message).toContain('50ms');
    expect(socket).toBeNull();
    expect(elapsedMs).toBeGreaterThanOrEqual(45);
  });

  it('offers h2 by ALPN only with http2: true, and records the protocol chosen', async () => {
    const connectTo = (http2: boolean) =>
      connectWith(createTimedConnector({ http2, tls: { rejectUnauthorized: false } }), {
        hostname: '127.0.0.1',
        protocol: 'https:',
        port: String(portOf(h2Server)),
      });
    const h2 = await connectTo(true);
    expect((h2.socket as TLSSocket | null)?.alpnProtocol).toBe('h2');
    expect(consumeConnectionPhases(h2.socket as Socket)?.protocol).toBe('h2');
    h2.socket?.destroy();
    const h1 = await connectTo(false);
    expect((h1.socket as TLSSocket | null)?.alpnProtocol).toBe('http/1.1');
    expect(consumeConnectionPhases(h1.socket as Socket)?.protocol).toBe('http/1.1');
    h1.socket?.destroy();
  });

  it('hands over a connected socket with nodelay and its phases', async () => {
    const { err, socket } = await connectWith(createTimedConnector(), {
      hostname: '127.0.0.1',
      protocol: 'http:',
      port: String(portOf(httpServer)),
    });
    expect(err).toBeNull();
    expect(socket?.remotePort).toBe(portOf(httpServer));
    expect(consumeConnectionPhases(socket as Socket)?.connectNs).toBeGreaterThan(0n);
    socket?.destroy();
  });
});

describe('createTimedConnector over a proxy tunnel', () => {
  it('runs TLS over the given socket and records no phases of its own', async () => {
    const tunnel = connect(portOf(httpsServer), '127.0.0.1');
    await once(tunnel, 'connect');
    const { err, socket } = await connectWith(
      createTimedConnector({ tls: { rejectUnauthorized: false } }),
      {
        hostname: 'localhost',
        protocol: 'https:',
        port: String(portOf(httpsServer)),
        httpSocket: tunnel,
      },
    );
    expect(err).toBeNull();
    expect((socket as TLSSocket | null)?.encrypted).toBe(true);
    expect((socket as TLSSocket | null)?.alpnProtocol).toBe('http/1.1');
    expect(consumeConnectionPhases(socket as Socket)).toBeUndefined();
    socket?.destroy();
  });
});

describe('consumeConnectionPhases', () => {
  it('returns undefined for sockets the timed connector did not open', async () => {
    const agent = new Agent();
    try {
      const { socket } = await get(agent, `http://127.0.0.1:${portOf(httpServer)}/`);
      expect(consumeConnectionPhases(socket)).toBeUndefined();
      expect(consumeConnectionPhases({})).toBeUndefined();
    } finally {
      await agent.close();
    }
  });
});
