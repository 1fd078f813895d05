import { type LookupAddress, lookup } from 'node:dns';
import { isIP, type LookupFunction, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type ConnectionPhases, now } from '@llm-lens/core-timing';
import { type buildConnector, errors } from 'undici';

/** Default connect timeout, the same as undici's own connector. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** TCP keep-alive probe delay, the same as undici's own connector. */
const KEEP_ALIVE_INITIAL_DELAY_MS = 60_000;

// ALPN offers, most wanted first. Shared arrays: tls.connect only reads them.
const HTTP1_ALPN = ['http/1.1'];
const H2_ALPN = ['h2', 'http/1.1'];

export interface TimedConnectorOptions {
  /**
   * Time allowed for name lookup, TCP connect and TLS handshake together, in
   * milliseconds. Default 10000; 0 disables the timeout.
   */
  connectTimeoutMs?: number;
  /** Extra TLS options (CA, client certificate, `rejectUnauthorized`, ...). Default none. */
  tls?: ConnectionOptions;
  /**
   * Offer HTTP/2 in the TLS handshake (ALPN `h2`, then `http/1.1`). Default false: only
   * `http/1.1` is offered. Plain-TCP connections always speak HTTP/1.1 (no h2c).
   */
  http2?: boolean;
}

// Keyed by the socket handed to undici, so a socket that is garbage collected takes its
// phases with it and nothing needs explicit cleanup.
const phasesBySocket = new WeakMap<object, ConnectionPhases>();

/**
 * An undici connector that opens connections like undici's own one and records how long
 * the DNS lookup, TCP connect and TLS handshake of each new connection took, and which
 * HTTP version it speaks (`protocol`). Unlike undici's connector it keeps no TLS session
 * cache: every handshake is a full one, so `tls` is the same on every new connection.
 */
export function createTimedConnector(
  options: TimedConnectorOptions = {},
): buildConnector.connector {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const tlsOptions = options.tls ?? {};
  const alpnProtocols = options.http2 === true ? H2_ALPN : HTTP1_ALPN;

  return function timedConnect(opts, callback) {
    const isHttps = opts.protocol === 'https:';
    const port = Number(opts.port) || (isHttps ? 443 : 80);
    const hostname = opts.hostname;
    let socket: Socket | TLSSocket | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      socket?.destroy();
      callback(err, null);
    };
    const succeed = (connected: Socket | TLSSocket, phases: ConnectionPhases | undefined): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (phases !== undefined) phasesBySocket.set(connected, phases);
      callback(null, connected);
    };

    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        fail(
          new errors.ConnectTimeoutError(
            `Connect Timeout Error (attempted address: ${hostname}:${port}, timeout: ${timeoutMs}ms)`,
          ),
        );
      }, timeoutMs);
    }

    const openTcp = (replayLookup: LookupFunction | undefined, dnsNs: bigint | undefined): void => {
      if (settled) return;
      const tcpStart = now();
      const tcp = netConnect({
        host: hostname,
        port,
        // The addresses were already resolved (and timed); replaying them keeps Node's
        // address-family fallback (happy eyeballs) without a second, untimed lookup.
        ...(replayLookup === undefined ? {} : { lookup: replayLookup }),
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      });
      socket = tcp;
      tcp.setNoDelay(true);
      tcp.setKeepAlive(true, KEEP_ALIVE_INITIAL_DELAY_MS);
      tcp.on('error', fail);
      tcp.once('connect', () => {
        const connectNs = now() - tcpStart;
        if (!isHttps) {
          succeed(tcp, buildPhases(connectNs, dnsNs, undefined, 'http/1.1'));
          return;
        }
        startTls(tcp, (tlsNs, protocol) => buildPhases(connectNs, dnsNs, tlsNs, protocol));
      });
    };

    const startTls = (
      underlying: Socket,
      phasesWith: ((tlsNs: bigint, protocol: string) => ConnectionPhases) | undefined,
    ): void => {
      const tlsStart = now();
      const servername = opts.servername || (isIP(hostname) === 0 ? hostname : undefined);
      const secure = tlsConnect({
        ...tlsOptions,
        socket: underlying,
        host: hostname,
        ...(servername ? { servername } : {}),
        ALPNProtocols: alpnProtocols,
      });
      socket = secure;
      secure.on('error', fail);
      secure.once('secureConnect', () => {
        const tlsNs = now() - tlsStart;
        // undici picks its HTTP/2 client when (and only when) ALPN says `h2`; a server that
        // answers no ALPN at all speaks HTTP/1.1 to it.
        succeed(secure, phasesWith?.(tlsNs, secure.alpnProtocol || 'http/1.1'));
      });
    };

    if (opts.httpSocket !== undefined) {
      // A tunnel through a proxy (undici's ProxyAgent): the TCP connection belongs to the
      // proxy's, so there are no phases of our own to report, only TLS over the tunnel.
      if (!isHttps) {
        fail(
          new errors.InvalidArgumentError(
            `httpSocket is only valid for https: origins, got ${opts.protocol}`,
          ),
        );
        return;
      }
      startTls(opts.httpSocket, undefined);
      return;
    }

    if (isIP(hostname) !== 0) {
      openTcp(undefined, undefined);
      return;
    }
    const dnsStart = now();
    lookup(hostname, { all: true }, (err, addresses) => {
      if (err) {
        fail(err);
        return;
      }
      openTcp(replayAddresses(addresses), now() - dnsStart);
    });
  };
}

/**
 * The phases of a connection opened by a timed connector, returned only the first time it
 * is asked for that socket: `undefined` afterwards means the request reused the connection.
 * Also `undefined` for sockets the timed connector did not open.
 */
export function consumeConnectionPhases(socket: object): ConnectionPhases | undefined {
  const phases = phasesBySocket.get(socket);
  if (phases !== undefined) phasesBySocket.delete(socket);
  return phases;
}

function buildPhases(
  connectNs: bigint,
  dnsNs: bigint | undefined,
  tlsNs: bigint | undefined,
  protocol: string,
): ConnectionPhases {
  const phases: ConnectionPhases = { connectNs };
  if (dnsNs !== undefined) phases.dnsNs = dnsNs;
  if (tlsNs !== undefined) phases.tlsNs = tlsNs;
  phases.protocol = protocol;
  return phases;
}

function replayAddresses(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, lookupOptions, cb) => {
    const wanted = lookupOptions.family;
    const family = wanted === 'IPv4' ? 4 : wanted === 'IPv6' ? 6 : wanted;
    const matching =
      family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
    if (lookupOptions.all) {
      cb(null, matching);
      return;
    }
    const first = matching[0];
    if (first === undefined) {
      const err: NodeJS.ErrnoException = new Error(`no IPv${family} address for ${_hostname}`);
      err.code = 'ENOTFOUND';
      cb(err, '', 0);
      return;
    }
    cb(null, first.address, first.family);
  };
}
