import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeadlineScheduler, ScheduledTask } from './deadline-scheduler.js';
import type { ClockedStream, DecodeClock } from './decode-clock.js';
import { type GenerationPlan, planGeneration, plannedEvent } from './generation-plan.js';
import { sampleLatencyNs } from './latency-spec.js';
import type {
  ProtocolErrorResponse,
  ProtocolExchange,
  ProtocolRoute,
  SimulatedRequest,
  StreamEncoder,
  UsageCounts,
  WireChunk,
} from './protocols/wire-protocol.js';
import type { SimulatorMetricsEndpoint } from './server-metrics-endpoint.js';
import type { ResolvedSimulatorOptions } from './simulator-options.js';
import { simulatedText } from './token-text.js';
import type { WriteOutcome, WriteRecord } from './write-log.js';

/** What a responder needs from the simulator that owns it. */
export interface ResponderContext {
  readonly options: ResolvedSimulatorOptions;
  readonly scheduler: DeadlineScheduler;
  /** The lockstep clock, or undefined in independent mode. */
  readonly clock: DecodeClock | undefined;
  /** What `GET /metrics` reports: fed the first token and the end of every request. */
  readonly serverMetrics: SimulatorMetricsEndpoint;
  tokensWritten(tokens: number): void;
  /** Called exactly once, when the response ended, failed or was abandoned. */
  settled(responder: CompletionResponder, record: WriteRecord | undefined): void;
}

// Bodies above this are answered 413: a benchmark prompt is far smaller, and the cap keeps a
// runaway client from growing the simulator's memory.
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const hrtime = process.hrtime.bigint;

/**
 * Serves one generating request of any wire protocol: reads and checks the body,
 * draws the request's fault, then writes token events on the independent schedule (own
 * absolute deadlines) or on the lockstep clock's ticks.
 */
export class CompletionResponder implements ClockedStream {
  /** Lockstep: the earliest tick for the next event. */
  readyAtNs = 0n;
  readonly #context: ResponderContext;
  readonly #route: ProtocolRoute;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #requestId: string;
  readonly #arrivalNs: bigint;
  readonly #requestSeed: number;
  readonly #record: WriteRecord | undefined;
  #request: SimulatedRequest | undefined;
  #exchange: ProtocolExchange | undefined;
  #plan: GenerationPlan | undefined;
  #encoder: StreamEncoder | undefined;
  #created = 0;
  #nextEvent = 0;
  #completionTokens = 0;
  /** Independent mode: the absolute deadline of the next event. */
  #dueNs = 0n;
  #task: ScheduledTask | undefined;
  #onClock = false;
  /** Streaming: the status line, headers and (chat) role chunk are out. */
  #isHeadWritten = false;
  /** The last token is out; only the usage chunk and [DONE] remain. */
  #isFinishing = false;
  #settled = false;

  constructor(
    context: ResponderContext,
    route: ProtocolRoute,
    req: IncomingMessage,
    res: ServerResponse,
    init: {
      requestId: string;
      arrivalNs: bigint;
      requestSeed: number;
      record: WriteRecord | undefined;
    },
  ) {
    this.#context = context;
    this.#route = route;
    this.#req = req;
    this.#res = res;
    this.#requestId = init.requestId;
    this.#arrivalNs = init.arrivalNs;
    this.#requestSeed = init.requestSeed;
    this.#record = init.record;
  }

  /** Reads the body and answers; everything after this is driven by events and deadlines. */
  start(): void {
    this.#res.setHeader('x-request-id', this.#requestId);
    this.#res.on('close', () => this.abort('client_closed'));
    const chunks: Buffer[] = [];
    let size = 0;
    this.#req.on('data', (chunk: Buffer) => {
      if (this.#settled) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        this.#res.setHeader('connection', 'close');
        this.#sendError(
          'invalid_request',
          this.#route.error(
            'request_too_large',
            `Request body too large: the simulator accepts at most ${MAX_BODY_BYTES} bytes.`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    this.#req.on('end', () => {
      if (!this.#settled) this.#onBody(Buffer.concat(chunks).toString('utf8'));
    });
  }

  /** Stops at once (client went away or the simulator is closing); a no-op once settled. */
  abort(outcome: 'client_closed' | 'server_closed'): void {
    this.#settle(outcome);
  }

  /** Lockstep: emits the next event at this tick and moves `readyAtNs` on. */
  onTick(tickNs: bigint): void {
    this.#emit();
    if (this.#settled || this.#isFinishing) return;
    this.readyAtNs = tickNs + this.#context.options.tickNs + this.#stallBefore(this.#nextEvent);
  }

  #onBody(rawBody: string): void {
    const parsed = this.#route.parse(rawBody, this.#req.headers);
    if (!parsed.ok) {
      this.#sendError('invalid_request', parsed.error);
      return;
    }
    this.#exchange = parsed.exchange;
    const request = parsed.exchange.request;
    const options = this.#context.options;
    const plan = planGeneration(request, options, this.#requestSeed);
    this.#request = request;
    this.#plan = plan;
    if (plan.fault === 'rate_limit') {
      this.#res.setHeader('retry-after', String(options.faults.retryAfterS));
      this.#sendError(
        'rate_limited',
        this.#route.error(
          'rate_limit',
          `Rate limit reached for ${request.model} (simulated). Please try again in ${options.faults.retryAfterS}s.`,
        ),
      );
      return;
    }
    if (plan.fault === 'server_error') {
      this.#sendError(
        'server_error',
        this.#route.error(
          'server_error',
          'The server had an error while processing your request (simulated).',
        ),
      );
      return;
    }

    this.#created = Math.floor(Date.now() / 1000);
    if (request.stream) {
      this.#encoder = parsed.exchange.streamEncoder(
        this.#route.responseIdPrefix + this.#requestId,
        this.#created,
      );
      setImmediate(this.#writeStreamHead);
    }

    const firstDueNs = this.#arrivalNs + plan.ttftNs + this.#stallBefore(0);
    if (this.#context.clock !== undefined) {
      this.readyAtNs = firstDueNs;
      this.#onClock = true;
      this.#context.clock.join(this);
    } else {
      this.#dueNs = firstDueNs;
      this.#task = this.#context.scheduler.schedule(firstDueNs, this.#onDeadline);
    }
  }

  /**
   * Headers and the protocol's opening event (OpenAI's role chunk, Anthropic's
   * message_start) go out right after arrival, so TTFB and TTFT differ as on
   * real servers. Deferred to the check phase: when many requests arrive in one poll, every
   * one of them is stamped and scheduled before the first write system call, instead of
   * each arrival waiting for the previous requests' writes.
   */
  #writeStreamHead = (): void => {
    if (this.#settled || this.#isHeadWritten) return;
    this.#isHeadWritten = true;
    const encoder = this.#encoder!;
    this.#res.writeHead(200, { 'content-type': encoder.contentType, 'cache-control': 'no-cache' });
    const head = encoder.head();
    if (head.length > 0) this.#writeNow(head);
    else this.#res.flushHeaders();
    if (this.#record !== undefined) {
      this.#record.status = 200;
      this.#record.firstByteNs = hrtime();
    }
  };

  #onDeadline = (): void => {
    this.#task = undefined;
    this.#emit();
    if (this.#settled || this.#isFinishing) return;
    const next = this.#nextEvent;
    // The next deadline is chained from this one, not from now: lateness never accumulates.
    this.#dueNs +=
      sampleLatencyNs(this.#context.options.itlMs, this.#plan!.random) + this.#stallBefore(next);
    this.#task = this.#context.scheduler.schedule(this.#dueNs, this.#onDeadline);
  };

  #stallBefore(eventIndex: number): bigint {
    const plan = this.#plan!;
    return plan.fault === 'stall' && eventIndex === plan.faultAtEvent
      ? this.#context.options.faults.stallNs
      : 0n;
  }

  /** Writes token event #nextEvent, or the fault that replaces it, or the end of the response. */
  #emit(): void {
    if (this.#settled || this.#isFinishing) return;
    const plan = this.#plan!;
    const request = this.#request!;
    // With TTFT 0 a deadline can come up before the deferred head write: keep the order.
    if (request.stream) this.#writeStreamHead();
    const index = this.#nextEvent;
    if (index === plan.faultAtEvent && plan.fault === 'drop') {
      // No status, no [DONE]: to the client the connection just dies mid-stream. A FIN after
      // the bytes already written, not a reset: Node 24 resets a destroyed response's socket,
      // and a reset lets the client's kernel discard tokens the server did send.
      const socket = this.#res.socket;
      if (socket) socket.end();
      else this.#res.destroy();
      this.#settle('dropped');
      return;
    }
    if (index === plan.faultAtEvent && plan.fault === 'mid_stream_error') {
      const message = 'The model stopped generating because of a server error (simulated).';
      if (request.stream) {
        this.#res.end(this.#encoder!.error(message));
        this.#settle('mid_stream_error');
      } else {
        this.#sendError('mid_stream_error', this.#route.error('server_error', message));
      }
      return;
    }

    const event = plannedEvent(plan, index);
    this.#nextEvent = index + 1;
    this.#completionTokens += event.tokens;
    const isLast = this.#nextEvent === plan.eventCount;
    if (request.stream) {
      const finishReason = isLast ? plan.finishReason : null;
      const encoder = this.#encoder!;
      this.#writeNow(
        encoder.token(
          event,
          simulatedText(event.tokens, event.firstToken),
          finishReason,
          this.#completionTokens,
        ),
      );
      this.#record?.tokenWritesNs.push(hrtime());
      this.#context.tokensWritten(event.tokens);
      if (index === 0)
        this.#context.serverMetrics.firstToken(this.#arrivalNs, request.promptTokens);
      if (isLast) {
        // Leave the clock now (no more ticks for this stream), but write the usage chunk and
        // [DONE] after the current batch: other streams' token writes on this tick come first,
        // back to back, as a batching server emits the step's tokens before its bookkeeping.
        this.#isFinishing = true;
        this.#detach();
        queueMicrotask(() => {
          if (this.#settled) return;
          this.#res.end(encoder.end(this.#usage(), plan.finishReason));
          this.#settle('completed');
        });
      }
      return;
    }
    if (index === 0) this.#context.serverMetrics.firstToken(this.#arrivalNs, request.promptTokens);
    if (!isLast) return;
    const { contentType, body } = this.#exchange!.body(
      this.#route.responseIdPrefix + this.#requestId,
      this.#created,
      {
        reasoning: simulatedText(plan.reasoningTokens),
        content: simulatedText(plan.contentTokens),
      },
      plan.finishReason,
      this.#usage(),
    );
    this.#res.writeHead(200, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
    });
    this.#res.end(body);
    if (this.#record !== undefined) {
      this.#record.status = 200;
      this.#record.firstByteNs = hrtime();
    }
    this.#context.tokensWritten(plan.completionTokens);
    this.#settle('completed');
  }

  /** Writes one event and hands it to the kernel before returning. */
  #writeNow(chunk: WireChunk): void {
    this.#res.write(chunk);
    // Node's http layer corks on a write and uncorks on the next tick; without this the bytes
    // would leave after the whole tick loop, later than the stamp says. Node 24 corks the
    // response itself as well as its socket (its chunk waits in the response), so both are
    // uncorked, the response first.
    const res = this.#res;
    while (res.writableCorked > 0) res.uncork();
    const socket = res.socket;
    if (socket) while (socket.writableCorked > 0) socket.uncork();
  }

  #usage(): UsageCounts {
    const plan = this.#plan!;
    return {
      promptTokens: this.#request!.promptTokens,
      completionTokens: plan.completionTokens,
      reasoningTokens: plan.reasoningTokens,
    };
  }

  #sendError(outcome: WriteOutcome, error: ProtocolErrorResponse): void {
    this.#res.writeHead(error.status, {
      ...error.headers,
      'content-type': error.contentType ?? 'application/json',
      'content-length': Buffer.byteLength(error.body),
    });
    this.#res.end(error.body);
    if (this.#record !== undefined) {
      this.#record.status = error.status;
      this.#record.firstByteNs = hrtime();
    }
    this.#settle(outcome);
  }

  /** Stops all scheduling of further events. */
  #detach(): void {
    if (this.#task !== undefined) this.#context.scheduler.cancel(this.#task);
    this.#task = undefined;
    if (this.#onClock) this.#context.clock?.leave(this);
    this.#onClock = false;
  }

  #settle(outcome: WriteOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#detach();
    const record = this.#record;
    if (record !== undefined) {
      record.endNs = hrtime();
      record.outcome = outcome;
    }
    this.#context.serverMetrics.requestEnded(this.#arrivalNs, outcome);
    this.#context.settled(this, record);
  }
}
