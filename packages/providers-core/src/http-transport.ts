import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { now } from '@llm-lens/core-timing';
import { Agent, type buildConnector, Client, type Dispatcher, errors, Pool } from 'undici';
import { consumeConnectionPhases, createTimedConnector } from './connection-phases.js';
import type { HttpRequestSpec } from './provider.js';
import { LensProviderError } from './provider-error.js';
import {
  abortError,
  type InFlightRequest,
  type ResponseSink,
  type Transport,
} from './transport.js';

/**
 * How requests use connections. `keep-alive`: a request reuses an idle connection of the
 * pool when there is one. `new`: every request opens a connection of its own, closed when
 * its response ends.
 */
export type ConnectionMode = 'keep-alive' | 'new';

/**
 * Most streams one HTTP/2 connection carries at once before the pool opens another: undici's
 * own default for `maxConcurrentStreams`. undici 7 does not hold streams back to the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS, so against a server that allows fewer, the extra streams
 * wait inside the session after their dispatch stamp (and that wait is counted in ttfb).
 */
const HTTP2_MAX_STREAMS_PER_CONNECTION = 100;

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /**
   * Maximum sockets per origin. Default: no cap. Concurrency belongs to the executor, which
   * measures time spent waiting for a slot as `queue`; a cap here would make requests wait
   * inside the pool, and that wait would be counted as ttfb instead.
   */
  connections?: number;
  /** DNS lookup + TCP connect + TLS handshake budget, ms. Default 10000; 0 disables it. */
  connectTimeoutMs?: number;
  /** Request written → response headers budget, ms. Default 300000 (slow prefill is normal). */
  headersTimeoutMs?: number;
  /** Longest silence between two body chunks, ms. Default 300000; 0 disables it. */
  bodyTimeoutMs?: number;
  /** How long an idle keep-alive socket is kept when the server gives no hint, ms. Default 30000. */
  keepAliveTimeoutMs?: number;
  /** Extra TLS options (CA, client certificate, ...). Default none. */
  tls?: ConnectionOptions;
  /**
   * `keep-alive` (default) or `new`: with `new`, every request opens its own connection
   * (HTTP/1.1: undici's `reset` option, sent as `connection: close`; HTTP/2: the transport
   * closes the connection when the response ends), so every request has dns, connect and
   * tls phases.
   */
  connectionMode?: ConnectionMode;
  /**
   * Offer HTTP/2 by ALPN on TLS (`https:`) origins. Default false (HTTP/1.1 only). Plain
   * `http:` origins always speak HTTP/1.1. With `keep-alive`, requests share an HTTP/2
   * connection as concurrent streams (at most 100 per connection, undici's default);
   * only the request that opened a connection gets its phases.
   */
  http2?: boolean;
}

/*
 * Which request opened which connection. The timed connector records phases per socket;
 * undici publishes `undici:client:sendHeaders` ({ request, headers, socket }) when it
 * writes a request on a socket, but the message's `request` is undici's internal object,
 * not our handler. In undici 7 (lib/dispatcher/client-h1.js, `writeH1`), `request.onConnect`
 * (which reaches our handler's `onRequestStart` through UnwrapHandler) is called
 * synchronously, and the same function then publishes `sendHeaders` with no await or
 * callback in between, on the same tick. So the handler that last ran `onRequestStart` is
 * exactly the one `sendHeaders` is about: it parks itself in `connectingHandler`, and the
 * subscriber takes it. A message while nothing is parked (a request of another undici
 * instance, such as Node's own fetch) is ignored.
 *
 * HTTP/2 (lib/dispatcher/client-h2.js, `writeH2`, undici 7.30) keeps the same order:
 * `request.onConnect` first, then `sendHeaders` with `socket: session[kSocket]` (the TLS
 * socket our connector returned) in the same synchronous call, before `session.request()`
 * creates the stream. Streams are written one `writeH2` call at a time, so each stream's
 * handler is parked exactly while its own message is published, and the socket's phases go
 * to the first stream written on it: the request that was queued when the connection was
 * opened. Every return of `writeH2` between the two that skips `sendHeaders` fails the
 * request first, which unparks it (`#finish`). The stamp is therefore the moment the
 * HEADERS frame is handed to the session, just before nghttp2 writes it.
 */
let connectingHandler: TransportHandler | undefined;
let isSubscribed = false;

function onSendHeaders(message: unknown): void {
  const stampNs = now();
  const handler = connectingHandler;
  if (handler === undefined) return;
  connectingHandler = undefined;
  handler.reportConnection((message as { socket: Socket }).socket, stampNs);
}

function ensureSubscribed(): void {
  if (isSubscribed) return;
  isSubscribed = true;
  subscribe('undici:client:sendHeaders', onSendHeaders);
}

class TransportHandler implements Dispatcher.DispatchHandler, InFlightRequest {
  readonly #sink: ResponseSink;
  readonly #signal: AbortSignal | undefined;
  // Bound only when there is a signal to listen on: most requests are cancelled through
  // cancel(), and a closure per request is garbage the hot path can do without.
  readonly #onSignalAbort: (() => void) | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #abortReason: Error | undefined;
  #isDone = false;
  // While true, an error is delivered from a microtask so no sink callback runs inside send().
  #isInSend = true;
  // Connection mode `new`: the request's connection is closed when it ends.
  readonly #isOwnConnection: boolean;
  // The HTTP/2 connection to close at the end (undici's `reset` only applies to HTTP/1.1).
  #h2SocketToClose: Socket | undefined;

  constructor(sink: ResponseSink, signal: AbortSignal | undefined, isOwnConnection: boolean) {
    this.#sink = sink;
    this.#signal = signal;
    this.#isOwnConnection = isOwnConnection;
    if (signal !== undefined) this.#onSignalAbort = () => this.cancel(signal.reason);
  }

  /** Listens for an abort of the send signal; false (and aborted now) when it already was. */
  listen(): boolean {
    const signal = this.#signal;
    if (signal === undefined) return true;
    if (signal.aborted) {
      this.cancel(signal.reason);
      return false;
    }
    signal.addEventListener('abort', this.#onSignalAbort!, { once: true });
    return true;
  }

  cancel(reason?: unknown): void {
    if (this.#isDone) return;
    const error = abortError(reason);
    if (this.#controller !== undefined) {
      // Errors the request synchronously; onResponseError delivers it.
      this.#controller.abort(error);
      return;
    }
    // Not on a socket yet (connecting or queued): report now, abort when it starts.
    this.#abortReason = error;
    this.#fail(error, now());
  }

  sent(): void {
    this.#isInSend = false;
  }

  reportConnection(socket: Socket, stampNs: bigint): void {
    if (this.#isOwnConnection && (socket as TLSSocket).alpnProtocol === 'h2') {
      this.#h2SocketToClose = socket;
    }
    try {
      this.#sink.onConnection(consumeConnectionPhases(socket), stampNs);
    } catch (error) {
      this.#controller?.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#abortReason !== undefined) {
      controller.abort(this.#abortReason);
      return;
    }
    this.#controller = controller;
    connectingHandler = this;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    const stampNs = now();
    // undici keeps the raw header Buffers on the controller for the whole response, and
    // they pin the socket read that held them. Only the parsed `headers` are used: letting
    // the raw ones go cut the live heap per in-flight stream from 7.2 to 5.0 KB (heap
    // snapshots at 256 streams), memory every young-generation GC would otherwise copy.
    controller.rawHeaders = null;
    // 1xx informational responses (103 Early Hints) precede the real status line.
    if (statusCode < 200) return;
    this.#sink.onHeaders(statusCode, headers, stampNs);
  }

  // The hot path: stamp and hand over, nothing else.
  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#sink.onChunk(chunk, now());
  }

  onResponseEnd(): void {
    const stampNs = now();
    if (!this.#finish()) return;
    // With pipelining 1, undici 7 frees the socket only a loop turn later: right after this
    // callback returns, onMessageComplete (client-h1.js) queues `setImmediate(resume)`, and
    // resume tells the pool the client is free. A request sent from onComplete (or from a
    // promise it resolves) before that would find the socket busy and open a new
    // connection. Queueing our immediate from a microtask puts it after undici's, so the
    // socket is free when the sink hears of the end. The stamp was already taken.
    const sink = this.#sink;
    queueMicrotask(() => setImmediate(deliverComplete, sink, stampNs));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(error, now());
  }

  /** Fails the exchange before it was dispatched. */
  reject(error: Error): void {
    this.#fail(error, now());
  }

  #fail(error: Error, stampNs: bigint): void {
    if (!this.#finish()) return;
    if (this.#isInSend) {
      queueMicrotask(() => this.#sink.onError(error, stampNs));
    } else {
      this.#sink.onError(error, stampNs);
    }
  }

  /** Marks the exchange finished; false when it already was (exactly one outcome). */
  #finish(): boolean {
    if (this.#isDone) return false;
    this.#isDone = true;
    if (connectingHandler === this) connectingHandler = undefined;
    if (this.#h2SocketToClose !== undefined) {
      // Synchronously, from undici's own end or error callback: the connection is then
      // destroyed before undici could write a queued request on it, and that request opens
      // a new one instead. With an InformationalError (UND_ERR_INFO), as undici's HTTP/1.1
      // `reset` does: undici fails no queued request for it, and its session-close handler
      // finds the socket's error set (without one, undici 7.30 throws reading the address
      // of a socket it already let go).
      this.#h2SocketToClose.destroy(
        new errors.InformationalError('connection mode new: closed after its request'),
      );
      this.#h2SocketToClose = undefined;
    }
    if (this.#onSignalAbort !== undefined) {
      this.#signal!.removeEventListener('abort', this.#onSignalAbort);
    }
    return true;
  }
}

// A function of the module, not a bound field: one closure less per request.
function deliverComplete(sink: ResponseSink, stampNs: bigint): void {
  sink.onComplete(stampNs);
}

/**
 * Sends requests over one undici `Agent` (one pool per origin, no HTTP/1.1 pipelining)
 * whose connector records DNS, connect and TLS durations and the negotiated protocol, and
 * streams each response into a {@link ResponseSink} with arrival stamps. Connections are
 * kept alive and reused unless `connectionMode` is `new`; HTTP/2 only with `http2: true`.
 */
export class HttpTransport implements Transport {
  readonly #agent: Agent;
  readonly #isOwnConnection: boolean;
  readonly #isHttp2: boolean;
  #lastUrl = '';
  #lastOrigin = '';
  #lastPath = '';
  // The body as bytes, for as long as requests send the same body (every request of a pair
  // does): undici would encode a string body into a new Buffer for each request.
  #lastBody: string | undefined;
  #lastBodyBytes: Buffer | null = null;

  constructor(options: HttpTransportOptions = {}) {
    ensureSubscribed();
    this.#isOwnConnection = options.connectionMode === 'new';
    this.#isHttp2 = options.http2 === true;
    const connectorOptions: {
      connectTimeoutMs?: number;
      tls?: ConnectionOptions;
      http2?: boolean;
    } = {
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      http2: this.#isHttp2,
    };
    if (options.tls !== undefined) connectorOptions.tls = options.tls;
    const agentOptions: Agent.Options = {
      connect: createTimedConnector(connectorOptions),
      connections: options.connections ?? null,
      // One request per socket at a time: a pipelined request would wait behind another
      // response and that wait would be measured as its ttft. An HTTP/2 connection is raised
      // to many concurrent streams once ALPN chose h2 (multiplexedPool).
      pipelining: 1,
      headersTimeout: options.headersTimeoutMs ?? 300_000,
      bodyTimeout: options.bodyTimeoutMs ?? 300_000,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    };
    if (this.#isHttp2) {
      agentOptions.allowH2 = true;
      agentOptions.maxConcurrentStreams = HTTP2_MAX_STREAMS_PER_CONNECTION;
      // With `new`, every request has its connection to itself: no streams to share.
      if (!this.#isOwnConnection) agentOptions.factory = multiplexedPool;
    }
    this.#agent = new Agent(agentOptions);
  }

  /**
   * Sends one request; the outcome arrives through `sink`. Aborting `signal`, or calling
   * `cancel()` on the returned handle, cancels it.
   */
  send(spec: HttpRequestSpec, sink: ResponseSink, signal?: AbortSignal): InFlightRequest {
    const handler = new TransportHandler(sink, signal, this.#isOwnConnection);
    if (!handler.listen()) {
      handler.sent();
      return handler;
    }
    if (spec.url !== this.#lastUrl) {
      let url: URL;
      try {
        url = new URL(spec.url);
      } catch (cause) {
        const error = new LensProviderError(
          'LENS_PROVIDER_CONFIG',
          // The query is left out: some APIs take the key there.
          `invalid request URL "${spec.url.split('?')[0]}": expected an absolute http(s) URL`,
          { errorClass: 'client_error', cause },
        );
        handler.reject(error);
        handler.sent();
        return handler;
      }
      this.#lastUrl = spec.url;
      this.#lastOrigin = url.origin;
      this.#lastPath = url.pathname + url.search;
    }
    if (spec.body !== this.#lastBody) {
      this.#lastBody = spec.body;
      this.#lastBodyBytes = spec.body === undefined ? null : Buffer.from(spec.body);
    }
    const dispatchOptions: Dispatcher.DispatchOptions = {
      origin: this.#lastOrigin,
      path: this.#lastPath,
      method: spec.method,
      headers: spec.headers,
      body: this.#lastBodyBytes,
    };
    // HTTP/1.1: `connection: close`, and undici destroys the socket once the response ended.
    if (this.#isOwnConnection) dispatchOptions.reset = true;
    // undici 7's HTTP/2 client holds a non-idempotent request (every POST) back while any
    // other stream runs on the session (client-h2.js, `busy`), which would queue concurrent
    // requests one after another inside the pool. We never retry inside undici, so a POST is
    // as safe to multiplex as a GET.
    if (this.#isHttp2) dispatchOptions.idempotent = true;
    this.#agent.dispatch(dispatchOptions, handler);
    handler.sent();
    return handler;
  }

  /** Closes the pool gracefully: in-flight requests finish, idle sockets close. */
  close(): Promise<void> {
    return this.#agent.close();
  }
}

/**
 * The Agent's pool factory for HTTP/2 with keep-alive: a Pool whose clients start with
 * `pipelining: 1` and are raised to {@link HTTP2_MAX_STREAMS_PER_CONNECTION} once their
 * connection negotiated h2. undici 7.30 gates HTTP/2 streams by `pipelining` as well (a
 * client with 1 opens a connection per concurrent request), and a client left above 1 that
 * falls back to HTTP/1.1 would pipeline, so the factor is set per connection, after ALPN.
 * While a client's first connection is being opened it carries one request: a burst of N
 * requests at start opens N connections, as undici's own pool does; later requests share
 * the first connection with free streams.
 */
function multiplexedPool(origin: string | URL, options: object): Dispatcher {
  return new Pool(origin, { ...(options as Pool.Options), factory: multiplexedClient });
}

function multiplexedClient(origin: URL, options: object): Dispatcher {
  const clientOptions = options as Client.Options;
  const connect = clientOptions.connect as buildConnector.connector;
  const client: Client = new Client(origin, {
    ...clientOptions,
    connect(connectOptions, callback) {
      connect(connectOptions, (...args) => {
        callback(...args);
        const socket = args[1];
        if (socket === null) return;
        client.pipelining =
          (socket as TLSSocket).alpnProtocol === 'h2' ? HTTP2_MAX_STREAMS_PER_CONNECTION : 1;
      });
    },
  });
  return client;
}

let isWarm = false;

/**
 * Loads what undici only loads on a thread's first connection, above all its HTTP/1.1
 * parser (a WebAssembly module compiled on first connect, several ms of blocked event loop),
 * by sending one request to a throwaway loopback server. Runs once per thread; a benchmark
 * calls it before its first measured dispatch, so nothing compiles mid-run.
 */
export async function warmUpHttpClient(): Promise<void> {
  if (isWarm) return;
  const { createServer } = await import('node:http');
  const server = createServer((request, response) => {
    request.resume();
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const transport = new HttpTransport();
  try {
    await new Promise<void>((resolve, reject) => {
      transport.send(
        { url: `http://127.0.0.1:${port}/warm-up`, method: 'POST', headers: {}, body: '{}' },
        {
          onConnection() {},
          onHeaders() {},
          onChunk() {},
          onComplete: () => resolve(),
          onError: (error) => reject(error),
        },
      );
    });
    isWarm = true;
  } finally {
    await transport.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
