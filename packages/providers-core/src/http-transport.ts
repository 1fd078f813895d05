import { subscribe } from 'node:diagnostics_channel';
import type { ConnectionOptions } from 'node:tls';
import { now } from '@llm-lens/core-timing';
import { Agent, type Dispatcher } from 'undici';
import { consumeConnectionPhases, createTimedConnector } from './connection-phases.js';
import type { HttpRequestSpec } from './provider.js';
import { LensProviderError } from './provider-error.js';
import {
  abortError,
  type InFlightRequest,
  type ResponseSink,
  type Transport,
} from './transport.js';

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
 * instance, such as Node's own fetch) is ignored. HTTP/1.1 only: this transport never
 * negotiates h2.
 */
let connectingHandler: TransportHandler | undefined;
let isSubscribed = false;

function onSendHeaders(message: unknown): void {
  const stampNs = now();
  const handler = connectingHandler;
  if (handler === undefined) return;
  connectingHandler = undefined;
  handler.reportConnection((message as { socket: object }).socket, stampNs);
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

  constructor(sink: ResponseSink, signal: AbortSignal | undefined) {
    this.#sink = sink;
    this.#signal = signal;
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

  reportConnection(socket: object, stampNs: bigint): void {
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
 * Sends requests over one keep-alive undici `Agent` (one pool per origin, HTTP/1.1, no
 * pipelining) whose connector records DNS, connect and TLS durations, and streams each
 * response into a {@link ResponseSink} with arrival stamps.
 */
export class HttpTransport implements Transport {
  readonly #agent: Agent;
  #lastUrl = '';
  #lastOrigin = '';
  #lastPath = '';
  // The body as bytes, for as long as requests send the same body (every request of a pair
  // does): undici would encode a string body into a new Buffer for each request.
  #lastBody: string | undefined;
  #lastBodyBytes: Buffer | null = null;

  constructor(options: HttpTransportOptions = {}) {
    ensureSubscribed();
    const connectorOptions: { connectTimeoutMs?: number; tls?: ConnectionOptions } = {
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    };
    if (options.tls !== undefined) connectorOptions.tls = options.tls;
    this.#agent = new Agent({
      connect: createTimedConnector(connectorOptions),
      connections: options.connections ?? null,
      // One request per socket at a time: a pipelined request would wait behind another
      // response and that wait would be measured as its ttft.
      pipelining: 1,
      headersTimeout: options.headersTimeoutMs ?? 300_000,
      bodyTimeout: options.bodyTimeoutMs ?? 300_000,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    });
  }

  /**
   * Sends one request; the outcome arrives through `sink`. Aborting `signal`, or calling
   * `cancel()` on the returned handle, cancels it.
   */
  send(spec: HttpRequestSpec, sink: ResponseSink, signal?: AbortSignal): InFlightRequest {
    const handler = new TransportHandler(sink, signal);
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
    this.#agent.dispatch(
      {
        origin: this.#lastOrigin,
        path: this.#lastPath,
        method: spec.method,
        headers: spec.headers,
        body: this.#lastBodyBytes,
      },
      handler,
    );
    handler.sent();
    return handler;
  }

  /** Closes the pool gracefully: in-flight requests finish, idle sockets close. */
  close(): Promise<void> {
    return this.#agent.close();
  }
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
