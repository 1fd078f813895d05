import type { RequestRecord } from '@llm-lens/core-timing';
import type { RecordSink } from '@llm-lens/metrics';

/**
 * Writes every record to every sink in completion order, honouring backpressure: once a
 * sink's `write` returns false, later records wait here until every sink has drained, so a
 * slow disk never makes a stream buffer without bound. Nothing is dropped; `close` writes
 * what waits, then closes the sinks.
 */
export class SinkWriter {
  readonly #sinks: readonly RecordSink[];
  readonly #waiting: RequestRecord[] = [];
  #isBlocked = false;
  #failure: unknown;
  #flushing: Promise<void> = Promise.resolve();

  constructor(sinks: readonly RecordSink[]) {
    this.#sinks = sinks;
  }

  /** Records held back by backpressure right now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  write(record: RequestRecord): void {
    if (this.#sinks.length === 0) return;
    if (this.#isBlocked) {
      this.#waiting.push(record);
      return;
    }
    if (!this.#writeToAll(record)) this.#block();
  }

  #writeToAll(record: RequestRecord): boolean {
    let isReady = true;
    for (const sink of this.#sinks) {
      try {
        if (!sink.write(record)) isReady = false;
      } catch (error) {
        this.#failure ??= error;
      }
    }
    return isReady;
  }

  #block(): void {
    this.#isBlocked = true;
    this.#flushing = this.#flushing.then(() => this.#drainLoop());
  }

  async #drainLoop(): Promise<void> {
    while (this.#isBlocked) {
      await Promise.all(this.#sinks.map((sink) => sink.drain()));
      let isReady = true;
      while (isReady && this.#waiting.length > 0) {
        isReady = this.#writeToAll(this.#waiting.shift()!);
      }
      if (isReady) this.#isBlocked = false;
    }
  }

  /** Writes what waits, closes every sink; rejects with the first write or close error. */
  async close(): Promise<void> {
    await this.#flushing;
    const results = await Promise.allSettled(this.#sinks.map((sink) => sink.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (this.#failure !== undefined) throw this.#failure;
    if (failed !== undefined) throw failed.reason;
  }
}
