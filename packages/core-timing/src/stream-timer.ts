import { now } from './clock.js';
import type { ConnectionPhases } from './record.js';

// Small start, doubling growth. 8 keeps both arrays within 64 bytes, which V8 allocates on
// the JS heap; larger typed arrays get an off-heap backing store, costly to create and collect.
const INITIAL_EVENT_CAPACITY = 8;

/** Timing fields derived from one request's stamps; see ARCHITECTURE.md for each meaning. */
export interface StreamTimings {
  queueNs: bigint;
  /** Hand-off to the HTTP client → headers written (client scheduling + new-connection setup). */
  sendDelayNs?: bigint;
  connection?: ConnectionPhases;
  ttfbNs?: bigint;
  ttftNs?: bigint;
  ttfoNs?: bigint;
  e2eNs?: bigint;
  e2eFromScheduleNs?: bigint;
  ttftFromScheduleNs?: bigint;
  scheduleLagNs?: bigint;
  tpotNs?: bigint;
  tokenEventOffsetsNs: Float64Array;
  tokenEventTokens: Uint32Array;
}

/**
 * Collects the stamps of one request attempt: schedule, dispatch, headers, every
 * token-bearing event and the end. Stamps are taken by the caller at the moment the
 * bytes arrived (before parsing) and passed in, so parsing cost never shows up as latency.
 */
export class StreamTimer {
  readonly scheduledNs: bigint;
  /**
   * When the request was free to go: its scheduled time, or later when it had to wait for
   * an in-flight slot. Hand-off − this is the client's own lateness (schedule lag).
   */
  readonly readyNs: bigint;
  /** When the request was handed to the HTTP client. */
  dispatchNs: bigint | undefined;
  /** When its headers were written to the socket: the origin of every latency. */
  sentNs: bigint | undefined;
  headersNs: bigint | undefined;
  endNs: bigint | undefined;
  firstAnswerNs: bigint | undefined;
  connection: ConnectionPhases | undefined;
  private offsets = new Float64Array(INITIAL_EVENT_CAPACITY);
  private tokens = new Uint32Array(INITIAL_EVENT_CAPACITY);
  private count = 0;
  private tokenSum = 0;

  /**
   * @param scheduledNs when the schedule wanted this request sent (defaults to now).
   * @param readyNs when it was free to go (a slot freed after its due time); default scheduledNs.
   */
  constructor(scheduledNs: bigint = now(), readyNs: bigint = scheduledNs) {
    this.scheduledNs = scheduledNs;
    this.readyNs = readyNs < scheduledNs ? scheduledNs : readyNs;
  }

  /** The request was handed to the HTTP client. */
  markDispatch(stampNs: bigint = now()): void {
    this.dispatchNs = stampNs;
  }

  /**
   * The request's headers were written to the socket. Latencies (ttfb, ttft, e2e, token
   * offsets) count from here, so neither the HTTP client's own scheduling nor a new
   * connection's dns/connect/tls (reported on their own) is charged to the server.
   */
  markSent(stampNs: bigint): void {
    if (this.sentNs === undefined && this.count === 0) this.sentNs = stampNs;
  }

  /** The origin of latencies: sent, or dispatch when the request never reached a socket. */
  get originNs(): bigint | undefined {
    return this.sentNs ?? this.dispatchNs;
  }

  markHeaders(stampNs: bigint): void {
    if (this.headersNs === undefined) this.headersNs = stampNs;
  }

  setConnectionPhases(phases: ConnectionPhases | undefined): void {
    this.connection = phases;
  }

  /**
   * Records one token-bearing event.
   * @param stampNs arrival stamp of the chunk that held the event
   * @param tokens how many tokens the event carried (≥ 1)
   * @param isAnswer true for answer content, false for reasoning/thinking text
   */
  recordTokenEvent(stampNs: bigint, tokens: number, isAnswer: boolean): void {
    const dispatch = this.sentNs ?? this.dispatchNs ?? stampNs;
    if (this.count === this.offsets.length) this.grow();
    this.offsets[this.count] = Number(stampNs - dispatch);
    this.tokens[this.count] = tokens;
    this.count += 1;
    this.tokenSum += tokens;
    if (isAnswer && this.firstAnswerNs === undefined) this.firstAnswerNs = stampNs;
  }

  markEnd(stampNs: bigint = now()): void {
    if (this.endNs === undefined) this.endNs = stampNs;
  }

  /** Number of token-bearing events seen. */
  get eventCount(): number {
    return this.count;
  }

  /** Sum of the per-event token counts (the client's own count). */
  get clientTokenCount(): number {
    return this.tokenSum;
  }

  /**
   * Derives the timing fields.
   * @param outputTokens the request's final output token count (server usage when known);
   *   tpot needs it and at least two token events.
   */
  timings(outputTokens: number | undefined = this.tokenSum): StreamTimings {
    const dispatch = this.originNs;
    const result: StreamTimings = {
      queueNs: this.dispatchNs === undefined ? 0n : this.dispatchNs - this.scheduledNs,
      tokenEventOffsetsNs: this.offsets.slice(0, this.count),
      tokenEventTokens: this.tokens.slice(0, this.count),
    };
    if (this.connection) result.connection = this.connection;
    if (this.dispatchNs !== undefined) {
      const lag = this.dispatchNs - this.readyNs;
      result.scheduleLagNs = lag > 0n ? lag : 0n;
    }
    if (dispatch === undefined) return result;
    if (this.sentNs !== undefined && this.dispatchNs !== undefined) {
      result.sendDelayNs = this.sentNs - this.dispatchNs;
    }
    if (this.headersNs !== undefined) result.ttfbNs = this.headersNs - dispatch;
    if (this.count > 0) {
      result.ttftNs = BigInt(this.offsets[0]!);
      result.ttftFromScheduleNs = dispatch - this.scheduledNs + result.ttftNs;
    }
    if (this.firstAnswerNs !== undefined) result.ttfoNs = this.firstAnswerNs - dispatch;
    if (this.endNs !== undefined) {
      result.e2eNs = this.endNs - dispatch;
      result.e2eFromScheduleNs = this.endNs - this.scheduledNs;
    }
    const tpot = tpotNs(this.offsets, this.count, outputTokens);
    if (tpot !== undefined) result.tpotNs = BigInt(Math.round(tpot));
    return result;
  }

  private grow(): void {
    const offsets = new Float64Array(this.offsets.length * 2);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const tokens = new Uint32Array(this.tokens.length * 2);
    tokens.set(this.tokens);
    this.tokens = tokens;
  }
}

/**
 * Time per output token, the one definition every number in the project uses:
 * (t_last_token − t_first_token) / (output_tokens − 1), in ns, from the first `count` token
 * event offsets. Undefined with fewer than two token events or two output tokens.
 */
export function tpotNs(
  offsetsNs: ArrayLike<number>,
  count: number,
  outputTokens: number | undefined,
): number | undefined {
  if (count < 2 || outputTokens === undefined || outputTokens < 2) return undefined;
  return (offsetsNs[count - 1]! - offsetsNs[0]!) / (outputTokens - 1);
}
