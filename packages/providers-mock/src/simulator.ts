import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CompletionResponder, type ResponderContext } from './completion-responder.js';
import { DeadlineScheduler } from './deadline-scheduler.js';
import { DecodeClock } from './decode-clock.js';
import { errorJson } from './openai-chunks.js';
import { WIRE_PROTOCOLS } from './protocols/index.js';
import type { ProtocolRoute } from './protocols/wire-protocol.js';
import { SeededRandom } from './seeded-random.js';
import { SimulatorMetricsEndpoint } from './server-metrics-endpoint.js';
import { LensSimulatorError } from './simulator-error.js';
import {
  type FaultOptions,
  type ResolvedSimulatorOptions,
  resolveSimulatorOptions,
  type SimulatorOptions,
} from './simulator-options.js';
import { WriteLog, WriteLogFile, type WriteRecord } from './write-log.js';

/** Counters of a running simulator. */
export interface SimulatorStats {
  /** Completion requests received (chat and legacy), whatever their outcome. */
  requests: number;
  /** Completion requests still in flight. */
  active: number;
  /** Tokens written in token events and non-streaming bodies (reasoning included). */
  tokensWritten: number;
}

/** A listening simulator. */
export interface RunningSimulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `url + '/v1'`: the base URL for OpenAI clients. */
  readonly baseUrl: string;
  readonly port: number;
  /** The PRNG seed in use: pass it back as `seed` to replay the same faults and latencies. */
  readonly seed: number;
  /** What was really written and when; only with `recordWrites: true`. */
  readonly writeLog: WriteLog | undefined;
  stats(): SimulatorStats;
  /**
   * Replaces the fault injection from the next request on (requests already answered keep
   * theirs): a test can take a server down and bring it back. Validated like `faults`.
   */
  setFaults(faults: FaultOptions): void;
  /** Stops listening, ends in-flight responses and keep-alive sockets, flushes the write-log file. */
  close(): Promise<void>;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'application/json',
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** What to do about a failed listen, by its error code. */
function listenHint(code: string | undefined): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'the port is taken: use another port, or port 0 for a free one';
    case 'EACCES':
      return 'ports below 1024 need privileges: use a port above 1023, or port 0 for a free one';
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return 'the host is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its interface addresses';
    default:
      return 'check the host and port';
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

class Simulator implements ResponderContext {
  readonly options: ResolvedSimulatorOptions;
  readonly scheduler: DeadlineScheduler;
  readonly clock: DecodeClock | undefined;
  readonly writeLog: WriteLog | undefined;
  readonly serverMetrics: SimulatorMetricsEndpoint;
  readonly #logFile: WriteLogFile | undefined;
  readonly #isRecording: boolean;
  readonly #root: SeededRandom;
  readonly #server: Server;
  readonly #responders = new Set<CompletionResponder>();
  readonly #idPrefix = randomBytes(4).toString('hex');
  #idCounter = 0;
  #requests = 0;
  #tokensWritten = 0;
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedSimulatorOptions, logFile: WriteLogFile | undefined) {
    this.options = options;
    this.scheduler = new DeadlineScheduler({ spinNs: options.spinNs });
    this.clock =
      options.mode === 'lockstep' ? new DecodeClock(options.tickNs, this.scheduler) : undefined;
    this.writeLog = options.recordWrites ? new WriteLog() : undefined;
    this.#logFile = logFile;
    this.#isRecording = this.writeLog !== undefined || logFile !== undefined;
    this.#root = new SeededRandom(options.seed);
    this.serverMetrics = new SimulatorMetricsEndpoint(
      options.models[0] ?? 'mock-model',
      () => this.#responders.size,
    );
    this.#server = createServer({ keepAlive: true, noDelay: true }, this.#onRequest);
    // Benchmarks pause between phases; a short keep-alive would close sockets the client is
    // about to reuse and turn the pause into spurious connect times or ECONNRESETs.
    this.#server.keepAliveTimeout = options.keepAliveTimeoutMs;
    this.#server.headersTimeout = options.keepAliveTimeoutMs + 1000;
    this.#server.requestTimeout = 0;
    this.#server.on('connection', (socket: Socket) => {
      // Nagle would hold a small token event back until the previous one is acknowledged.
      socket.setNoDelay(true);
    });
  }

  listen(): Promise<number> {
    const { host, port } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(
          new LensSimulatorError(
            'LENS_SIMULATOR_LISTEN_FAILED',
            `the simulator could not listen on ${formatHost(host)}:${port}: ${error.message}; ${listenHint(error.code)}`,
            { cause: error },
          ),
        );
      };
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        const address = this.#server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  tokensWritten(tokens: number): void {
    this.#tokensWritten += tokens;
    this.serverMetrics.tokensGenerated(tokens);
  }

  settled(responder: CompletionResponder, record: WriteRecord | undefined): void {
    this.#responders.delete(responder);
    if (record !== undefined) this.#logFile?.append(record);
  }

  stats(): SimulatorStats {
    return {
      requests: this.#requests,
      active: this.#responders.size,
      tokensWritten: this.#tokensWritten,
    };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      for (const responder of [...this.#responders]) responder.abort('server_closed');
      this.#server.closeAllConnections();
      await closed;
      this.scheduler.stop();
      await this.#logFile?.close();
    })();
    return this.#closing;
  }

  #onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const arrivalNs = process.hrtime.bigint();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const method = req.method ?? 'GET';
    for (const protocol of WIRE_PROTOCOLS) {
      const route = protocol.match(method, path, req.headers);
      if (route !== undefined) {
        this.#onCompletion(route, path, req, res, arrivalNs);
        return;
      }
    }
    if (method === 'GET' && path === '/healthz') {
      sendJson(res, 200, '{"status":"ok"}');
      return;
    }
    if (method === 'GET' && path === '/metrics') {
      req.resume();
      this.serverMetrics.serve(res);
      return;
    }
    for (const protocol of WIRE_PROTOCOLS) {
      const response = protocol.serveStatic?.(method, path, req.headers, this.options.models);
      if (response !== undefined) {
        req.resume();
        sendJson(res, response.status, response.body, response.contentType);
        return;
      }
    }
    this.#onUnknownRoute(req, res, path);
  };

  #onUnknownRoute(req: IncomingMessage, res: ServerResponse, path: string): void {
    req.resume();
    sendJson(
      res,
      404,
      errorJson({
        message: `Unknown request URL: ${req.method} ${path}. The simulator serves ${WIRE_PROTOCOLS.flatMap((p) => p.routes).join(', ')}, GET /healthz and GET /metrics.`,
        type: 'invalid_request_error',
        param: null,
        code: 'unknown_url',
      }),
    );
  }

  #onCompletion(
    route: ProtocolRoute,
    path: string,
    req: IncomingMessage,
    res: ServerResponse,
    arrivalNs: bigint,
  ): void {
    this.#requests++;
    // Drawn in arrival order, so the n-th request of a seeded run always gets the same seed.
    const requestSeed = this.#root.nextUint32();
    const header = req.headers['x-request-id'];
    const requestId =
      typeof header === 'string' && header !== ''
        ? header
        : `${this.#idPrefix}-${++this.#idCounter}`;
    let record: WriteRecord | undefined;
    if (this.#isRecording) {
      record = {
        requestId,
        path,
        arrivalNs,
        firstByteNs: undefined,
        tokenWritesNs: [],
        endNs: undefined,
        status: 0,
        outcome: undefined,
      };
      this.writeLog?.add(record);
    }
    const responder = new CompletionResponder(this, route, req, res, {
      requestId,
      arrivalNs,
      requestSeed,
      record,
    });
    this.#responders.add(responder);
    responder.start();
  }
}

/** Starts an OpenAI-compatible simulator on a loopback port (by default a free one). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const resolved = resolveSimulatorOptions(options);
  const logFile =
    resolved.writeLogFile === undefined
      ? undefined
      : await WriteLogFile.open(resolved.writeLogFile);
  const simulator = new Simulator(resolved, logFile);
  let port: number;
  try {
    port = await simulator.listen();
  } catch (error) {
    await logFile?.close();
    throw error;
  }
  const url = `http://${formatHost(resolved.host)}:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    port,
    seed: resolved.seed,
    writeLog: simulator.writeLog,
    stats: () => simulator.stats(),
    setFaults: (faults) => {
      simulator.options.faults = resolveSimulatorOptions({ faults }).faults;
    },
    close: () => simulator.close(),
  };
}
