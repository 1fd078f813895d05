import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CompletionEndpoint,
  type CompletionRequest,
  parseCompletionRequest,
} from './completion-request.js';
import type { DeadlineScheduler, ScheduledTask } from './deadline-scheduler.js';
import type { ClockedStream, DecodeClock } from './decode-clock.js';
import { type GenerationPlan, planGeneration, plannedEvent } from './generation-plan.js';
import { sampleLatencyNs } from './latency-spec.js';
import {
  ChunkEncoder,
  completionBody,
  DONE_EVENT,
  errorJson,
  type OpenAiErrorBody,
  type UsageCounts,
} from './openai-chunks.js';
import type { ResolvedSimulatorOptions } from './simulator-options.js';
import { simulatedText } from './token-text.js';
import type { WriteOutcome, WriteRecord } from './write-log.js';

/** What a responder needs from the simulator that owns it. */
export interface ResponderContext {
  readonly options: ResolvedSimulatorOptions;
  readonly scheduler: DeadlineScheduler;
  /** The lockstep clock, or undefined in independent mode. */
  readonly clock: DecodeClock | undefined;
  tokensWritten(tokens: number): void;
  /** Called exactly once, when the response ended, failed or was abandoned. */
  settled(responder: CompletionResponder, record: WriteRecord | undefined): void;
}

// Bodies above this are answered 413: a benchmark prompt is far smaller, and the cap keeps a
// runaway client from growing the simulator's memory.
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
} as const;

const hrtime = process.hrtime.bigint;

/**
 * Serves one POST to /v1/chat/completions or /v1/completions: reads and checks the body,
 * draws the request's fault, then writes token events on the independent schedule (own
 * absolute deadlines) or on the lockstep clock's ticks.
 */
export class CompletionResponder implements ClockedStream {
  /** Lockstep: the earliest tick for the next event. */
  readyAtNs = 0n;
  readonly #context: ResponderContext;
  readonly #endpoint: CompletionEndpoint;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #requestId: string;
  readonly #arrivalNs: bigint;
  readonly #requestSeed: number;
  readonly #record: WriteRecord | undefined;
  #request: CompletionRequest | undefined;
  #plan: GenerationPlan | undefined;
  #encoder: ChunkEncoder | undefined;
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
    endpoint: CompletionEndpoint,
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
    this.#endpoint = endpoint;
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
        this.#sendError(413, 'invalid_request', {
          message: `Request body too large: the simulator accepts at most ${MAX_BODY_BYTES} bytes.`,
          type: 'invalid_request_error',
          param: null,
          code: 'request_too_large',
        });
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
    const parsed = parseCompletionRequest(this.#endpoint, rawBody);
    if (!parsed.ok) {
      this.#sendError(400, 'invalid_request', { ...parsed.problem, type: 'invalid_request_error' });
      return;
    }
    const request = parsed.request;
    const options = this.#context.options;
    const plan = planGeneration(request, options, this.#requestSeed);
    this.#request = request;
    this.#plan = plan;
    if (plan.fault === 'rate_limit') {
      this.#res.setHeader('retry-after', String(options.faults.retryAfterS));
      this.#sendError(429, 'rate_limited', {
        message: `Rate limit reached for ${request.model} (simulated). Please try again in ${options.faults.retryAfterS}s.`,
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      });
      return;
    }
    if (plan.fault === 'server_error') {
      this.#sendError(500, 'server_error', {
        message: 'The server had an error while processing your request (simulated).',
        type: 'server_error',
        param: null,
        code: null,
      });
      return;
    }

    this.#created = Math.floor(Date.now() / 1000);
    if (request.stream) {
      const prefix = request.endpoint === 'chat' ? 'chatcmpl-' : 'cmpl-';
      this.#encoder = new ChunkEncoder(request, prefix + this.#requestId, this.#created);
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
   * Headers and the role chunk go out right after arrival, so TTFB and TTFT differ as on
   * real servers. Deferred to the check phase: when many requests arrive in one poll, every
   * one of them is stamped and scheduled before the first write system call, instead of
   * each arrival waiting for the previous requests' writes.
   */
  #writeStreamHead = (): void => {
    if (this.#settled || this.#isHeadWritten) return;
    this.#isHeadWritten = true;
    this.#res.writeHead(200, STREAM_HEADERS);
    if (this.#request!.endpoint === 'chat') this.#writeNow(this.#encoder!.roleChunk());
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
      // No status, no [DONE]: to the client the connection just dies mid-stream.
      this.#res.destroy();
      this.#settle('dropped');
      return;
    }
    if (index === plan.faultAtEvent && plan.fault === 'mid_stream_error') {
      const error: OpenAiErrorBody = {
        message: 'The model stopped generating because of a server error (simulated).',
        type: 'server_error',
        param: null,
        code: 'simulated_mid_stream_error',
      };
      if (request.stream) {
        this.#res.end(this.#encoder!.errorEvent(error));
        this.#settle('mid_stream_error');
      } else {
        this.#sendError(500, 'mid_stream_error', error);
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
        encoder.tokenChunk(
          event.isReasoning,
          event.firstToken,
          event.tokens,
          finishReason,
          this.#completionTokens,
        ),
      );
      this.#record?.tokenWritesNs.push(hrtime());
      this.#context.tokensWritten(event.tokens);
      if (isLast) {
        // Leave the clock now (no more ticks for this stream), but write the usage chunk and
        // [DONE] after the current batch: other streams' token writes on this tick come first,
        // back to back, as a batching server emits the step's tokens before its bookkeeping.
        this.#isFinishing = true;
        this.#detach();
        queueMicrotask(() => {
          if (this.#settled) return;
          this.#res.end(
            request.includeUsage ? encoder.usageChunk(this.#usage()) + DONE_EVENT : DONE_EVENT,
          );
          this.#settle('completed');
        });
      }
      return;
    }
    if (!isLast) return;
    const prefix = request.endpoint === 'chat' ? 'chatcmpl-' : 'cmpl-';
    const body = completionBody(
      request,
      prefix + this.#requestId,
      this.#created,
      {
        reasoning: simulatedText(plan.reasoningTokens),
        content: simulatedText(plan.contentTokens),
      },
      plan.finishReason,
      this.#usage(),
    );
    this.#res.writeHead(200, {
      'content-type': 'application/json',
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
  #writeNow(chunk: string): void {
    this.#res.write(chunk);
    // Node's http layer corks the socket on a write and uncorks it on the next tick; without
    // this the bytes would leave after the whole tick loop, later than the stamp says.
    this.#res.socket?.uncork();
  }

  #usage(): UsageCounts {
    const plan = this.#plan!;
    return {
      promptTokens: this.#request!.promptTokens,
      completionTokens: plan.completionTokens,
      reasoningTokens: plan.reasoningTokens,
    };
  }

  #sendError(status: number, outcome: WriteOutcome, error: OpenAiErrorBody): void {
    const body = errorJson(error);
    this.#res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    this.#res.end(body);
    if (this.#record !== undefined) {
      this.#record.status = status;
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
    this.#context.settled(this, record);
  }
}
