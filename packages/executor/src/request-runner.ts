import {
  type ConnectionPhases,
  type ErrorClass,
  now,
  type RequestRecord,
  StreamTimer,
  type TokenCountSource,
} from '@llm-lens/core-timing';
import {
  classifyTransportError,
  DEFAULT_MAX_EVENT_BYTES,
  type ErrorClassification,
  type HttpRequestSpec,
  type InFlightRequest,
  type ModelPrice,
  type Provider,
  type ProviderRequestInput,
  parseRetryAfterMs,
  type ResponseDecoder,
  type ResponseHeaders,
  type ResponseSink,
  requestCostUsd,
  type StreamEvent,
  type Transport,
  truncateErrorMessage,
  type Usage,
} from '@llm-lens/providers-core';
import type { TokenCountCache, WholeTextCount } from './token-count-cache.js';
import { type ChunkConsumer, enqueueAfterChunks, enqueueChunk } from './work-slicer.js';

/** Limits that end a request early, in milliseconds; undefined disables one. */
export interface RequestTimeouts {
  /** dispatch → end. */
  totalMs?: number;
  /** dispatch → first token-bearing event. */
  ttftMs?: number;
  /** longest silence between two chunks once the body started. */
  idleMs?: number;
}

export interface RequestContext {
  provider: Provider;
  transport: Transport;
  input: ProviderRequestInput;
  requestId: string;
  scenario: string;
  isWarmup: boolean;
  /** Sent in the cool-down phase (excluded from statistics). */
  isCooldown?: boolean;
  scheduledNs: bigint;
  /** When the request was free to go (an in-flight slot freed after `scheduledNs`); default scheduledNs. */
  readyNs?: bigint;
  /** Wall clock at a monotonic instant, to label the record. */
  anchor: { wallMs: number; monoNs: bigint };
  timeouts: RequestTimeouts;
  /** Per-event token counting when the server does not report it; undefined → 1 per event. */
  tokenCounter: TokenCountCache | undefined;
  /**
   * Largest response line, event or body accepted, bytes; a larger one fails the request as
   * `protocol` and closes its connection. Default `DEFAULT_MAX_EVENT_BYTES` (8 MiB).
   */
  maxEventBytes?: number;
  /** Aborting cancels the request (class `cancelled`). */
  signal?: AbortSignal;
  /** The model's price; the record's cost is unknown without one. */
  price?: ModelPrice;
  /**
   * Credentials to mask in error messages. We never put a key into a record; this guards
   * against servers that quote the key they rejected.
   */
  secrets?: readonly string[];
  /**
   * The request to send, built once for every request of a pair (it is the same request):
   * each request sends a copy with its own `x-request-id`. Default: the provider builds it
   * for this request.
   */
  request?: HttpRequestSpec;
}

/**
 * Server and client counts further apart than this share of the server's count, plus
 * {@link TOKEN_MISMATCH_ALLOWANCE} tokens, are flagged as a mismatch: servers count an
 * end-of-sequence token or two that never reaches the text (vLLM: 14 against 13).
 */
const TOKEN_MISMATCH_RATIO = 0.05;
const TOKEN_MISMATCH_ALLOWANCE = 2;
/** How much of an error body is kept to classify it. */
const ERROR_BODY_LIMIT = 16 * 1024;
/** Bytes of a body quoted when it turns out not to be in the protocol (an HTML login page). */
const FIRST_BYTES_QUOTED = 48;
/**
 * How long a stream whose end marker arrived may take to end its body. Servers end it at
 * once; one that keeps the connection open after `[DONE]` has still sent a complete
 * response, so the request completes at its end marker and the connection is closed.
 */
export const END_MARKER_GRACE_MS = 1000;

/**
 * Runs one request and measures it. Never throws: every failure becomes a record with an
 * error class.
 */
export function executeRequest(ctx: RequestContext): Promise<RequestRecord> {
  return new Promise((resolve) => {
    startRequest(ctx, (finished) => {
      let record: RequestRecord | undefined;
      while (record === undefined) record = finished.finalize(NO_DEADLINE);
      resolve(record);
    });
  });
}

/** A request whose response has ended; its record is built by `finalize`. */
export interface FinishedRequest {
  /**
   * Builds the record, doing the token count of the whole text in slices: returns undefined
   * when `deadlineNs` passed before it was done (call again to go on), else the record.
   */
  finalize(deadlineNs: bigint): RequestRecord | undefined;
  /** Known as soon as it ended: the failure's class, or undefined when it succeeded. */
  readonly errorClass: ErrorClass | undefined;
  /** The failure would repeat (see `RequestRecord.errorIsPersistent`). */
  readonly isPersistent: boolean;
  /** The wait an HTTP error response asked for (`Retry-After`, `retry-after-ms`), ms. */
  readonly retryAfterMs: number | undefined;
  /** The answer's visible text, as received: the next turn of a conversation sends it back. */
  readonly replyText: string;
}

const NO_DEADLINE = 2n ** 63n;

const NO_HEADERS: ResponseHeaders = Object.freeze({});

/** A finished request's decoder: nothing is parsed after the end (every caller checks `finished` first). */
const FINISHED_DECODER: ResponseDecoder = Object.freeze({
  push() {},
  end() {},
  sawEndMarker: true,
});

/**
 * Starts one request. `onEnd` is called once, as soon as the response has ended (or
 * failed), with what is needed to build its record: the caller decides when that work runs.
 */
export function startRequest(
  ctx: RequestContext,
  onEnd: (finished: FinishedRequest) => void,
): void {
  new RequestExecution(ctx, onEnd).start();
}

/**
 * In-flight executions per external cancel signal, behind one 'abort' listener per signal.
 * A listener per request would cost microseconds each at high concurrency: EventTarget
 * scans its whole listener list on every add and remove. The executions sit in an array
 * and leave it by swapping with the last one (each knows its slot): a `Set` churned by
 * thousands of adds and deletes a second cost 8 µs per request in garbage collection
 * (measured, non-streaming at 64 in flight; see the package README).
 */
const executionsBySignal = new WeakMap<AbortSignal, RequestExecution[]>();

function watchSignal(signal: AbortSignal, execution: RequestExecution): void {
  let executions = executionsBySignal.get(signal);
  if (executions === undefined) {
    const watched: RequestExecution[] = [];
    executions = watched;
    executionsBySignal.set(signal, watched);
    signal.addEventListener(
      'abort',
      () => {
        // A copy: cancelling can finish an execution, which unwatches it.
        for (const execution of [...watched]) execution.cancelByUser();
      },
      { once: true },
    );
  }
  execution.watchSlot = executions.length;
  executions.push(execution);
}

function unwatchSignal(signal: AbortSignal, execution: RequestExecution): void {
  const executions = executionsBySignal.get(signal);
  const slot = execution.watchSlot;
  if (executions === undefined || slot < 0) return;
  execution.watchSlot = -1;
  const last = executions.pop()!;
  if (last !== execution) {
    executions[slot] = last;
    last.watchSlot = slot;
  }
}

// The execution is its own response sink and chunk consumer: one object per request, no
// closures per callback and no AbortController (the transport's cancel handle is cheaper).
class RequestExecution implements ChunkConsumer, ResponseSink, FinishedRequest {
  private readonly timer: StreamTimer;
  /** Replaced by {@link FINISHED_DECODER} once the request is finished (see `finish`). */
  private decoder: ResponseDecoder;
  private inFlight: InFlightRequest | undefined;
  private isCancelRequested = false;
  private status = 0;
  private headers: ResponseHeaders = NO_HEADERS;
  private errorBody = '';
  private failure: ErrorClassification | undefined;
  private usage: Usage | undefined;
  private serverTokenEvents = 0;
  private text = '';
  private reasoningText = '';
  private toolText = '';
  private finished = false;
  private endFailure: ErrorClassification | undefined;
  retryAfterMs: number | undefined;
  private wholeCount: WholeTextCount | undefined;
  /** Why the server's usage was ignored, when it was. */
  private usageIgnored: string | undefined;
  private serverTimings: Record<string, number> | undefined;
  private hasEstimatedCount = false;
  /** Reasoning arrived as text (not only as a count in the usage report). */
  private sawReasoningText = false;
  /** Events the decoder produced, token-bearing or not: whether the body spoke the protocol. */
  private decodedEvents = 0;
  /** The start of the body, kept in case it is not in the protocol. */
  private firstBytes: string | undefined;
  /** Arrival of the chunk that carried the end marker (0 until then). */
  private endMarkerNs = 0n;
  private graceHandle: NodeJS.Timeout | undefined;
  /** The transport has reported the end or the failure of the exchange. */
  private hasTransportEnded = false;
  /** The body broke the protocol: nothing after is parsed, and the class is protocol. */
  private isParseFailed = false;
  private totalTimeoutHandle: NodeJS.Timeout | undefined;
  private ttftTimeoutHandle: NodeJS.Timeout | undefined;
  private idleHandle: NodeJS.Timeout | undefined;
  private lastChunkNs = 0n;
  private readonly emitEvent: (event: StreamEvent) => void;
  private currentStamp = 0n;
  /** Chunks queued for parsing and not parsed yet: only then is a drain worth a scan. */
  private queuedChunks = 0;
  /** Index in its signal's watch list; -1 when not watched. */
  watchSlot = -1;
  /**
   * The token counter this request counts with: the run's, except that a non-streaming
   * request takes up an on-demand one ({@link TokenCountCache.isOnDemand}) only when its
   * response brings no output count of the server's (see `handleEvent`); until then none.
   */
  private tokenCounter: TokenCountCache | undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly onEnd: (finished: FinishedRequest) => void,
  ) {
    this.timer = new StreamTimer(ctx.scheduledNs, ctx.readyNs);
    this.decoder = ctx.provider.createDecoder(ctx.input, {
      maxEventBytes: ctx.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    });
    this.emitEvent = (event) => this.handleEvent(event);
    this.tokenCounter =
      ctx.tokenCounter?.isOnDemand === true && !ctx.input.stream ? undefined : ctx.tokenCounter;
  }

  start(): void {
    const { ctx } = this;
    let spec: HttpRequestSpec;
    try {
      // A copy of the pair's prebuilt request saves building (and JSON-encoding) it again
      // on every dispatch; its headers are copied because each request adds its own id.
      spec =
        ctx.request === undefined
          ? ctx.provider.buildRequest(ctx.input)
          : { ...ctx.request, headers: { ...ctx.request.headers } };
    } catch (error) {
      this.timer.markDispatch();
      this.fail({ errorClass: 'client_error', message: messageOf(error), persistent: true }, now());
      return;
    }
    // Servers such as vLLM adopt a client-sent request id, so their logs join our records.
    if (spec.headers['x-request-id'] === undefined) {
      spec.headers['x-request-id'] = ctx.requestId;
    }
    if (ctx.signal?.aborted) {
      this.timer.markDispatch();
      this.fail({ errorClass: 'cancelled', message: 'cancelled before dispatch' }, now());
      return;
    }
    if (ctx.signal) watchSignal(ctx.signal, this);
    const { totalMs, ttftMs } = ctx.timeouts;
    if (totalMs !== undefined) {
      this.totalTimeoutHandle = setTimeout(
        () =>
          this.cancel({
            errorClass: 'timeout_total',
            message: `no complete response within the ${totalMs} ms request timeout`,
          }),
        totalMs,
      );
    }
    if (ttftMs !== undefined) {
      this.ttftTimeoutHandle = setTimeout(() => {
        const check = () => {
          if (this.timer.eventCount > 0) return;
          this.cancel({
            errorClass: 'timeout_ttft',
            message: `no token within the ${ttftMs} ms time-to-first-token timeout`,
          });
        };
        // A token that arrived before the deadline may still wait in the parse queue.
        if (this.queuedChunks > 0) enqueueAfterChunks(check);
        else check();
      }, ttftMs);
    }
    this.timer.markDispatch(now());
    this.inFlight = ctx.transport.send(spec, this);
    // No sink callback runs inside send(), but a cancel may have come first.
    if (this.isCancelRequested) this.inFlight.cancel();
  }

  onConnection(phases: ConnectionPhases | undefined, stampNs: bigint): void {
    this.timer.setConnectionPhases(phases);
    this.timer.markSent(stampNs);
  }

  onHeaders(
    status: number,
    headers: Record<string, string | string[] | undefined>,
    stampNs: bigint,
  ): void {
    this.status = status;
    this.timer.markHeaders(stampNs);
    this.headers = headers;
    this.armIdleTimer(stampNs);
  }

  onChunk(chunk: Buffer, stampNs: bigint): void {
    // The hot path: the chunk was stamped by the transport; only queue it here.
    this.lastChunkNs = stampNs;
    this.queuedChunks++;
    enqueueChunk(this, chunk, stampNs);
  }

  onComplete(stampNs: bigint): void {
    this.hasTransportEnded = true;
    if (this.queuedChunks > 0) enqueueAfterChunks(() => this.complete(stampNs));
    else this.complete(stampNs);
  }

  onError(error: Error, stampNs: bigint): void {
    this.hasTransportEnded = true;
    if (this.queuedChunks > 0) enqueueAfterChunks(() => this.failWith(error, stampNs));
    else this.failWith(error, stampNs);
  }

  private failWith(error: Error, stampNs: bigint): void {
    if (this.finished) return;
    // What the socket does after the end marker (a reset, garbage, a timeout while it
    // stays open) does not undo a complete response.
    if (this.completeAtEndMarker() || this.completeAtUnterminatedMarker()) return;
    this.fail(
      this.failure ??
        classifyTransportError(error, { afterHeaders: this.timer.headersNs !== undefined }),
      stampNs,
    );
  }

  consumeChunk(chunk: Buffer, stampNs: bigint, isLastPart = true): void {
    if (isLastPart) this.queuedChunks--;
    if (this.finished) return;
    if (this.status >= 300 || this.status === 0) {
      if (this.errorBody.length < ERROR_BODY_LIMIT) this.errorBody += chunk.toString('utf8');
      return;
    }
    this.firstBytes ??= chunk.toString('utf8', 0, FIRST_BYTES_QUOTED);
    if (this.isParseFailed) return;
    const isAfterEndMarker = this.endMarkerNs !== 0n;
    if (isAfterEndMarker && this.decoder.awaitsTrailer !== true) return;
    this.currentStamp = stampNs;
    try {
      this.decoder.push(chunk, this.emitEvent);
    } catch (error) {
      // The response was complete at its marker: a broken trailer changes nothing.
      if (isAfterEndMarker) return;
      // The marker came earlier in this same piece, and the break after it: complete too.
      if (this.decoder.sawEndMarker) {
        this.markEnd(stampNs);
        return;
      }
      // Final, whatever follows; the body may already have ended (its chunks were queued).
      this.failure = {
        errorClass: 'protocol',
        message: this.unexpectedBody() ?? messageOf(error),
      };
      this.isParseFailed = true;
      if (!this.hasTransportEnded) this.cancelTransport();
      return;
    }
    if (!isAfterEndMarker && this.decoder.sawEndMarker) this.markEnd(stampNs);
  }

  /** The end marker arrived with the chunk stamped `stampNs`: the body gets a grace period to end. */
  private markEnd(stampNs: bigint): void {
    this.endMarkerNs = stampNs;
    // A closure made here, not one per request at construction: a non-streaming response
    // never gets here.
    this.graceHandle = setTimeout(() => this.endGrace(), END_MARKER_GRACE_MS);
  }

  private endGrace(): void {
    // Read before completing: a finished request lets go of its in-flight handle.
    const inFlight = this.inFlight;
    if (this.completeAtEndMarker()) inFlight?.cancel();
  }

  /**
   * Completes the request at its end marker when one arrived and the body did not end
   * normally; false when there was none (or the request is already finished).
   */
  private completeAtEndMarker(): boolean {
    if (this.endMarkerNs === 0n || this.finished) return false;
    this.finish(this.failure, this.endMarkerNs);
    return true;
  }

  /**
   * A stream whose bytes end in an end marker not yet closed by its blank line
   * (`data: [DONE]`) when the connection failed: complete, as it would be had the body ended
   * there. False when the bytes do not end so.
   */
  private completeAtUnterminatedMarker(): boolean {
    if (
      this.finished ||
      this.isParseFailed ||
      !this.ctx.input.stream ||
      this.status < 200 ||
      this.status >= 300
    ) {
      return false;
    }
    try {
      this.currentStamp = this.lastChunkNs;
      this.decoder.end(this.emitEvent);
    } catch {
      return false;
    }
    if (!this.decoder.sawEndMarker) return false;
    this.endMarkerNs = this.lastChunkNs;
    return this.completeAtEndMarker();
  }

  /**
   * What arrived instead of the protocol, when the headers say so: a compressed body that was
   * not asked for, or a media type other than the decoder's (an HTML login page from a
   * proxy, a JSON object to a streaming request). Undefined when nothing says so.
   */
  private unexpectedBody(): string | undefined {
    const first = JSON.stringify(this.firstBytes ?? '');
    const encoding = headerOf(this.headers, 'content-encoding');
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      return `the server sent a body with content-encoding ${encoding}, which was not asked for and is not decoded (first bytes: ${first})`;
    }
    const expected = this.decoder.expectedContentType;
    if (expected === undefined || this.decodedEvents > 0) return undefined;
    const contentType = headerOf(this.headers, 'content-type');
    const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
    if (mediaType === expected) return undefined;
    return `expected ${expected}, got ${mediaType === undefined || mediaType === '' ? 'no content-type' : mediaType} (first bytes: ${first})`;
  }

  private handleEvent(event: StreamEvent): void {
    this.decodedEvents++;
    if (event.usage) {
      if (event.usage.ignoredReason === undefined) this.usage = { ...this.usage, ...event.usage };
      else this.usageIgnored ??= event.usage.ignoredReason;
    }
    if (event.serverTimings !== undefined) {
      this.serverTimings = { ...this.serverTimings, ...event.serverTimings };
    }
    if (event.error && !this.failure) {
      this.failure = this.ctx.provider.classifyStreamError(event.error);
    }
    const { text, reasoningText, toolText } = event;
    if (text.length === 0 && reasoningText.length === 0 && toolText.length === 0) return;
    if (reasoningText.length > 0) this.sawReasoningText = true;
    // A non-streaming body is one event, usage included: without the server's output count
    // in it, the on-demand counter is needed after all (its vocabulary loads at this count).
    if (this.tokenCounter === undefined && this.usage?.outputTokens === undefined) {
      this.tokenCounter = this.ctx.tokenCounter;
    }
    const counter = this.tokenCounter;
    // The texts are kept only for the tokenizer's whole-text count at the end: without one,
    // they would be memory held (and copied by every young-generation GC) for nothing.
    if (counter) {
      if (text.length > 0) this.text += text;
      if (reasoningText.length > 0) this.reasoningText += reasoningText;
      if (toolText.length > 0) this.toolText += toolText;
    }
    let tokens: number;
    if (event.serverTokens !== undefined && event.serverTokens > 0) {
      tokens = event.serverTokens;
      this.serverTokenEvents++;
    } else if (counter) {
      let counted = counter.count(text);
      let isEstimated = counter.lastCountEstimated;
      counted += counter.count(reasoningText);
      isEstimated ||= counter.lastCountEstimated;
      counted += counter.count(toolText);
      if (isEstimated || counter.lastCountEstimated) this.hasEstimatedCount = true;
      tokens = Math.max(1, counted);
    } else {
      tokens = 1;
    }
    // Answer text or tool-call text is "output"; reasoning alone is not (ttfo).
    this.timer.recordTokenEvent(this.currentStamp, tokens, text.length > 0 || toolText.length > 0);
  }

  private armIdleTimer(fromNs: bigint): void {
    const idleMs = this.ctx.timeouts.idleMs;
    if (idleMs === undefined) return;
    this.lastChunkNs = fromNs;
    const check = () => {
      if (this.finished || this.completeAtEndMarker()) return;
      const silentMs = Number(now() - this.lastChunkNs) / 1e6;
      if (silentMs >= idleMs) {
        this.cancel({
          errorClass: 'timeout_idle',
          message: `the stream was silent for more than the ${idleMs} ms idle timeout`,
        });
      } else {
        this.idleHandle = setTimeout(check, Math.max(1, idleMs - silentMs));
      }
    };
    this.idleHandle = setTimeout(check, idleMs);
  }

  /** The run's cancel signal aborted. */
  cancelByUser(): void {
    this.cancel({ errorClass: 'cancelled', message: 'cancelled by the user (interrupt)' });
  }

  private cancel(reason: ErrorClassification): void {
    if (this.finished || this.failure?.errorClass === reason.errorClass) return;
    // The response has ended, or broke the protocol: what its chunks said decides.
    if (this.hasTransportEnded || this.isParseFailed) return;
    const inFlight = this.inFlight;
    if (this.completeAtEndMarker()) {
      inFlight?.cancel();
      return;
    }
    // An error the server already reported in the stream is what went wrong; a timeout or
    // an interrupt after it (a server that keeps the connection open) only ends the wait.
    if (this.failure === undefined) this.failure = reason;
    this.cancelTransport();
  }

  private cancelTransport(): void {
    if (this.inFlight) this.inFlight.cancel();
    else this.isCancelRequested = true;
  }

  private complete(stampNs: bigint): void {
    if (this.finished) return;
    this.timer.markEnd(stampNs);
    if (this.status >= 300) {
      this.fail(
        this.ctx.provider.classifyHttpError(this.status, this.headers, this.errorBody),
        stampNs,
      );
      return;
    }
    if (this.endMarkerNs === 0n && !this.isParseFailed) {
      try {
        this.currentStamp = stampNs;
        this.decoder.end(this.emitEvent);
      } catch (error) {
        this.fail(
          { errorClass: 'protocol', message: this.unexpectedBody() ?? messageOf(error) },
          stampNs,
        );
        return;
      }
    }
    if (this.failure) {
      this.fail(this.failure, stampNs);
      return;
    }
    if (!this.decoder.sawEndMarker) {
      const unexpected = this.unexpectedBody();
      this.fail(
        unexpected === undefined
          ? {
              errorClass: 'stream_interrupted',
              message: 'the response ended without its end marker (e.g. data: [DONE])',
            }
          : { errorClass: 'protocol', message: unexpected },
        stampNs,
      );
      return;
    }
    this.finish(undefined, stampNs);
  }

  private fail(reason: ErrorClassification, stampNs: bigint): void {
    this.finish(reason, stampNs);
  }

  private finish(failure: ErrorClassification | undefined, stampNs: bigint): void {
    if (this.finished) return;
    this.finished = true;
    if (this.totalTimeoutHandle) clearTimeout(this.totalTimeoutHandle);
    if (this.ttftTimeoutHandle) clearTimeout(this.ttftTimeoutHandle);
    if (this.idleHandle) clearTimeout(this.idleHandle);
    if (this.graceHandle) clearTimeout(this.graceHandle);
    if (this.ctx.signal) unwatchSignal(this.ctx.signal, this);
    this.timer.markEnd(stampNs);
    this.endFailure = failure;
    // Read before the headers go; only failures pay for it.
    if (failure !== undefined && this.status >= 400)
      this.retryAfterMs = parseRetryAfterMs(this.headers);
    // What only the exchange needed goes now: the record is built later, in an accounting
    // slice, and under load finished requests wait there by the thousand (a zero-latency
    // server, 64 in flight: up to 3,000 for hundreds of ms). Kept, the transport's handle
    // (undici's request and controller), the decoder, the headers and the timers would
    // outlive two scavenges with them and be copied into the old generation as garbage.
    this.inFlight = undefined;
    this.decoder = FINISHED_DECODER;
    this.headers = NO_HEADERS;
    this.errorBody = '';
    this.firstBytes = undefined;
    this.totalTimeoutHandle = undefined;
    this.ttftTimeoutHandle = undefined;
    this.idleHandle = undefined;
    this.graceHandle = undefined;
    this.onEnd(this);
  }

  get errorClass(): ErrorClass | undefined {
    return this.endFailure?.errorClass as ErrorClass | undefined;
  }

  get replyText(): string {
    return this.text;
  }

  get isPersistent(): boolean {
    return this.endFailure?.persistent === true;
  }

  finalize(deadlineNs: bigint): RequestRecord | undefined {
    const counter = this.tokenCounter;
    // The whole text is counted only when it gives the output count: with the server's usage,
    // the sum of the per-event counts (taken as events arrived) is what the mismatch check
    // compares, and the tokenizer does not run a second time over the whole response.
    if (
      counter !== undefined &&
      this.usage?.outputTokens === undefined &&
      !this.hasServerTokenCounts()
    ) {
      this.wholeCount ??= counter.countWhole([this.text, this.reasoningText, this.toolText]);
      if (!this.wholeCount.step(deadlineNs)) return undefined;
    }
    return this.buildRecord(this.endFailure);
  }

  /** Every token event carried the server's own count (vLLM continuous usage). */
  private hasServerTokenCounts(): boolean {
    return this.serverTokenEvents > 0 && this.serverTokenEvents === this.timer.eventCount;
  }

  private buildRecord(failure: ErrorClassification | undefined): RequestRecord {
    const { ctx, timer } = this;
    const counts = this.tokenCounts();
    const timings = timer.timings(counts.outputTokens);
    const dispatchNs = timer.originNs ?? timer.scheduledNs;
    const record: RequestRecord = {
      requestId: ctx.requestId,
      provider: ctx.provider.name,
      model: ctx.input.model,
      scenario: ctx.scenario,
      isWarmup: ctx.isWarmup,
      ...(ctx.isCooldown === true ? { isCooldown: true } : {}),
      startedAtMs: ctx.anchor.wallMs + Number(dispatchNs - ctx.anchor.monoNs) / 1e6,
      dispatchNs,
      status: failure ? 'error' : 'ok',
      ...timings,
    };
    if (this.status !== 0) record.httpStatus = this.status;
    if (failure) {
      record.errorClass = failure.errorClass as ErrorClass;
      record.errorMessage = truncateErrorMessage(redact(failure.message, ctx.secrets));
      if (failure.persistent === true) record.errorIsPersistent = true;
    }
    if (counts.outputTokens !== undefined) record.outputTokens = counts.outputTokens;
    if (counts.source !== undefined) record.tokenCountSource = counts.source;
    if (counts.mismatch !== undefined) record.tokenCountMismatch = counts.mismatch;
    if (counts.estimated) record.tokenCountEstimated = true;
    if (this.usageIgnored !== undefined)
      record.usageIgnored = truncateErrorMessage(this.usageIgnored);
    const usage = this.usage;
    if (usage?.inputTokens !== undefined) record.inputTokens = usage.inputTokens;
    if (usage?.reasoningTokens !== undefined) record.reasoningTokens = usage.reasoningTokens;
    if (
      usage?.reportedOutputTokens !== undefined &&
      usage.reportedOutputTokens !== usage.outputTokens
    ) {
      record.reportedOutputTokens = usage.reportedOutputTokens;
    }
    if (usage?.cachedInputTokens !== undefined) record.cachedInputTokens = usage.cachedInputTokens;
    if (this.serverTimings !== undefined) record.serverTimings = this.serverTimings;
    if (ctx.price !== undefined) {
      const cost = requestCostUsd(ctx.price, {
        inputTokens: record.inputTokens,
        cachedInputTokens: record.cachedInputTokens,
        outputTokens: record.outputTokens,
        reasoningTokens: record.reasoningTokens,
      });
      if (cost !== undefined) record.costUsd = cost;
    }
    return record;
  }

  /** Server usage first, then the tokenizer on the whole text, then the event count. */
  private tokenCounts(): {
    outputTokens?: number;
    source?: TokenCountSource;
    mismatch?: boolean;
    estimated?: boolean;
  } {
    const events = this.timer.eventCount;
    const serverCount = this.usage?.outputTokens;
    let clientCount: number | undefined;
    // An estimate of a pathological text is no basis for a mismatch verdict, nor exact.
    const estimated = this.hasEstimatedCount || this.wholeCount?.estimated === true;
    if (this.wholeCount !== undefined) clientCount = this.wholeCount.total;
    else if (this.hasServerTokenCounts() || this.tokenCounter !== undefined) {
      clientCount = this.timer.clientTokenCount;
    }
    if (serverCount !== undefined) {
      const result: { outputTokens: number; source: TokenCountSource; mismatch?: boolean } = {
        outputTokens: serverCount,
        source: 'server_usage',
      };
      // Like with like: the server's count of what was streamed (reasoning it kept hidden
      // taken out), and only where our tokenizer is the model's own and counted exactly.
      const isComparable =
        !estimated && (this.hasServerTokenCounts() || this.tokenCounter?.isExact !== false);
      if (clientCount !== undefined && events > 0 && isComparable) {
        const hidden =
          (this.sawReasoningText ? 0 : (this.usage?.reasoningTokens ?? 0)) +
          (this.hasServerTokenCounts() ? 0 : (this.tokenCounter?.framingTokens ?? 0));
        const streamed = Math.max(0, serverCount - hidden);
        result.mismatch =
          Math.abs(streamed - clientCount) >
          TOKEN_MISMATCH_ALLOWANCE + TOKEN_MISMATCH_RATIO * streamed;
      }
      return result;
    }
    if (events === 0) return {};
    if (clientCount !== undefined) {
      return estimated
        ? { outputTokens: clientCount, source: 'tokenizer', estimated }
        : { outputTokens: clientCount, source: 'tokenizer' };
    }
    return { outputTokens: events, source: 'event_count' };
  }
}

function headerOf(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function redact(message: string, secrets: readonly string[] | undefined): string {
  if (secrets === undefined) return message;
  let redacted = message;
  for (const secret of secrets) {
    if (secret.length > 0 && redacted.includes(secret))
      redacted = redacted.split(secret).join('[redacted]');
  }
  return redacted;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
