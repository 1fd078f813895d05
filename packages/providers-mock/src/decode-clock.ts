import type { DeadlineScheduler, ScheduledTask } from './deadline-scheduler.js';

/** A stream driven by a {@link DecodeClock}. */
export interface ClockedStream {
  /** Earliest tick (hrtime ns) at which the stream may emit its next event. */
  readyAtNs: bigint;
  /**
   * Emits the stream's next event at tick `tickNs`. It must either move `readyAtNs` past
   * `tickNs` or leave the clock before returning.
   */
  onTick(tickNs: bigint): void;
}

/**
 * The lockstep decode clock: models a continuous-batching server (vLLM, TGI) where one
 * decode step produces the next token of every running sequence. Ticks sit on an absolute
 * grid `origin + k × tickNs`; on each tick every stream whose `readyAtNs` has passed emits
 * one event, back to back in one loop, so concurrent clients see their sockets become
 * readable together, as they do against a real batching server.
 *
 * The grid is anchored at the ready time of the stream that wakes an idle clock, so a lone
 * stream decodes exactly like the independent schedule with a fixed ITL. Streams that join
 * a running clock wait for the next tick at or after their prefill end, as a new sequence
 * waits for the next scheduler step. The clock sleeps when no stream is attached.
 */
export class DecodeClock {
  readonly #tickNs: bigint;
  readonly #scheduler: DeadlineScheduler;
  readonly #streams = new Set<ClockedStream>();
  #originNs: bigint | undefined;
  #lastTickNs: bigint | undefined;
  #armed: ScheduledTask | undefined;

  constructor(tickNs: bigint, scheduler: DeadlineScheduler) {
    this.#tickNs = tickNs;
    this.#scheduler = scheduler;
  }

  /** Number of streams attached (prefilling, decoding or stalled). */
  get size(): number {
    return this.#streams.size;
  }

  /** Attaches a stream; its first event comes on the first tick at or after `readyAtNs`. */
  join(stream: ClockedStream): void {
    if (this.#streams.size === 0) {
      this.#originNs = stream.readyAtNs;
      this.#lastTickNs = undefined;
    }
    this.#streams.add(stream);
    // Never place a joiner on a tick that has already been processed.
    const earliest =
      this.#lastTickNs !== undefined && stream.readyAtNs <= this.#lastTickNs
        ? this.#lastTickNs + 1n
        : stream.readyAtNs;
    this.#armAt(this.#gridAtOrAfter(earliest));
  }

  /** Detaches a stream (finished, dropped or closed by the client). */
  leave(stream: ClockedStream): void {
    if (!this.#streams.delete(stream) || this.#streams.size > 0) return;
    if (this.#armed !== undefined) this.#scheduler.cancel(this.#armed);
    this.#armed = undefined;
    this.#originNs = undefined;
    this.#lastTickNs = undefined;
  }

  #tick = (tickNs: bigint): void => {
    this.#armed = undefined;
    this.#lastTickNs = tickNs;
    let nextReadyNs: bigint | undefined;
    for (const stream of this.#streams) {
      if (stream.readyAtNs <= tickNs) stream.onTick(tickNs);
      if (
        this.#streams.has(stream) &&
        (nextReadyNs === undefined || stream.readyAtNs < nextReadyNs)
      ) {
        nextReadyNs = stream.readyAtNs;
      }
    }
    if (nextReadyNs === undefined) return;
    const next = tickNs + this.#tickNs;
    this.#armAt(this.#gridAtOrAfter(nextReadyNs > next ? nextReadyNs : next));
  };

  #armAt(dueNs: bigint): void {
    if (this.#armed !== undefined) {
      if (this.#armed.dueNs <= dueNs) return;
      this.#scheduler.cancel(this.#armed);
    }
    this.#armed = this.#scheduler.schedule(dueNs, this.#tick);
  }

  #gridAtOrAfter(timeNs: bigint): bigint {
    const origin = this.#originNs ?? timeNs;
    const offset = timeNs - origin;
    // BigInt division truncates toward zero, which is already the ceiling for offset < 0.
    let steps = offset / this.#tickNs;
    if (steps * this.#tickNs < offset) steps += 1n;
    return origin + steps * this.#tickNs;
  }
}
