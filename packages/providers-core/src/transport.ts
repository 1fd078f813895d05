import { type ConnectionPhases, now } from '@llm-lens/core-timing';
import type { HttpRequestSpec } from './provider.js';

/**
 * Receives one response. Callbacks arrive in order: `onConnection` (at most once, before
 * the headers; absent when the request failed before it was written), `onHeaders` (once),
 * `onChunk` (any number), then exactly one of `onComplete` or `onError`. Stamps are
 * `now()` taken on arrival, before the sink sees the data (`onComplete` itself may run a
 * moment later, once the connection is free for the next request). A throw from
 * `onConnection`, `onHeaders` or `onChunk` aborts the request and comes back through
 * `onError`; `onComplete` and `onError` must not throw. No callback runs inside `send()`.
 */
export interface ResponseSink {
  /**
   * The request's headers were just written to the socket (`stampNs`), with the phases of
   * the new connection it opened, or `undefined` for a reused one.
   */
  onConnection(phases: ConnectionPhases | undefined, stampNs: bigint): void;
  onHeaders(
    status: number,
    headers: Record<string, string | string[] | undefined>,
    stampNs: bigint,
  ): void;
  onChunk(chunk: Buffer, stampNs: bigint): void;
  onComplete(stampNs: bigint): void;
  onError(error: Error, stampNs: bigint): void;
}

/** One exchange started by {@link Transport.send}. */
export interface InFlightRequest {
  /**
   * Cancels the exchange: the sink hears `onError` with an AbortError (or `reason`, when it
   * is an Error). A no-op once the exchange has ended.
   */
  cancel(reason?: unknown): void;
}

/** Sends one request and streams its response into a sink. */
export type SendFunction = (spec: HttpRequestSpec, sink: ResponseSink) => InFlightRequest;

/**
 * How requests reach a server. The executor times every request through this interface,
 * the same way for every provider; {@link HttpTransport} is the one implementation that
 * talks HTTP, and interceptors wrap it.
 */
export interface Transport {
  send: SendFunction;
  /** Closes the connection pool gracefully: in-flight requests finish, idle sockets close. */
  close(): Promise<void>;
}

/**
 * Wraps a send function, the way undici's interceptors wrap `dispatch`: request signing
 * (AWS SigV4), credential refresh (OAuth, Entra), retries. It may change the spec, call
 * `next` later (after an await: the returned handle must then honour `cancel()` until it
 * does) or call it more than once.
 */
export type TransportInterceptor = (next: SendFunction) => SendFunction;

/** A transport whose `send` runs through `interceptors`, the first one outermost. */
export function composeTransport(
  transport: Transport,
  ...interceptors: readonly TransportInterceptor[]
): Transport {
  if (interceptors.length === 0) return transport;
  let send: SendFunction = transport.send.bind(transport);
  for (let i = interceptors.length - 1; i >= 0; i--) send = interceptors[i]!(send);
  return { send, close: () => transport.close() };
}

/**
 * An interceptor that needs something asynchronous before every request: a fresh OAuth
 * token, a signature over the body. `prepare` returns the spec to send (it may add headers);
 * if it fails, the sink hears the error as a failed request. The time it takes is the
 * client's, so it falls in `send_delay`, never in ttfb or ttft.
 */
export function asyncInterceptor(
  prepare: (spec: HttpRequestSpec) => Promise<HttpRequestSpec>,
): TransportInterceptor {
  return (next) => (spec, sink) => {
    let inner: InFlightRequest | undefined;
    // Set once the sink has heard its outcome from here (cancelled or failed to prepare).
    let isSettled = false;
    prepare(spec).then(
      (prepared) => {
        if (!isSettled) inner = next(prepared, sink);
      },
      (error: unknown) => {
        if (isSettled) return;
        isSettled = true;
        sink.onError(error instanceof Error ? error : new Error(String(error)), now());
      },
    );
    return {
      cancel(reason?: unknown) {
        if (inner !== undefined) {
          inner.cancel(reason);
        } else if (!isSettled) {
          isSettled = true;
          sink.onError(abortError(reason), now());
        }
      },
    };
  };
}

/** The error a cancelled exchange reports: `reason` itself when it is an Error. */
export function abortError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  const message = typeof reason === 'string' ? reason : 'This operation was aborted';
  return new DOMException(message, 'AbortError');
}
