import { Agent, type Dispatcher, request } from 'undici';
import { InfluxExportError } from './influx-error.js';
import type { InfluxHttpTarget } from './influx-options.js';

/** Lines per write request: InfluxDB's advice is batches of 5,000 to 10,000 points. */
const DEFAULT_BATCH_LINES = 5000;
/**
 * How long a line may wait for its batch to fill, ms: a dashboard watching a slow run sees
 * its points within a second, and a fast run still sends full batches.
 */
const DEFAULT_FLUSH_INTERVAL_MS = 1000;
/** How long one write may wait for the response headers and then for its body, ms. */
const DEFAULT_TIMEOUT_MS = 30_000;
/** Characters of a server's error text quoted in a message. */
const SERVER_TEXT_MAX_CHARS = 500;

export interface InfluxHttpWriterOptions {
  /** Lines per write request. Default 5000. */
  batchLines?: number;
  /** How long a line may wait for its batch to fill before it is sent anyway, ms. Default 1000. */
  flushIntervalMs?: number;
  /** Timeout of each write, for the response headers and again for its body, ms. Default 30000. */
  timeoutMs?: number;
  /**
   * The undici dispatcher the writes go through. Default: an Agent of the writer's own (one
   * connection), closed by `close()`, so the writes never share a pool with measured requests.
   */
  dispatcher?: Dispatcher;
}

/**
 * POSTs a body of lines (each ending in a newline) to the target's write endpoint. Resolves
 * on a 2xx; otherwise rejects with an {@link InfluxExportError} naming the URL, the HTTP status
 * and the server's error text, with the token cut out of anything quoted.
 */
export async function postLineProtocol(
  target: InfluxHttpTarget,
  body: string,
  options: { dispatcher?: Dispatcher; timeoutMs?: number } = {},
): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (target.authorization !== undefined) headers.authorization = target.authorization;
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(target.writeUrl, {
      method: 'POST',
      headers,
      body,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
  } catch (error) {
    const reason = redact(error instanceof Error ? error.message : String(error), target.token);
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_WRITE',
      `InfluxDB write to ${target.displayUrl} failed: ${reason}; check that --influx-url reaches a running InfluxDB`,
      { cause: error },
    );
  }
  if (response.statusCode >= 200 && response.statusCode < 300) {
    await response.body.dump();
    return;
  }
  const text = await response.body.text().catch(() => '');
  throw new InfluxExportError(
    'LENS_EXPORT_INFLUX_WRITE',
    `InfluxDB write to ${target.displayUrl} failed with HTTP ${response.statusCode}: ${serverErrorText(text, target.token)}${statusAdvice(response.statusCode, target)}`,
  );
}

function statusAdvice(status: number, target: InfluxHttpTarget): string {
  if (status === 401 || status === 403) {
    return target.authorization === undefined
      ? '; the server wants a token: set INFLUX_TOKEN (or the variable --influx-token-env names)'
      : '; check that the token is valid and may write there';
  }
  if (status === 404) {
    return target.api === 'v1'
      ? '; check --influx-db (the database must exist: CREATE DATABASE)'
      : '; check --influx-org and --influx-bucket (InfluxDB 1.x before 1.8 has no /api/v2/write: use --influx-db)';
  }
  return '';
}

/** The error a server sent (`{"error": ...}` from 1.x, `{"message": ...}` from 2.x), on one line. */
function serverErrorText(text: string, token: string | undefined): string {
  let message = text;
  try {
    const json = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof json.error === 'string') message = json.error;
    else if (typeof json.message === 'string') message = json.message;
  } catch {
    // Not JSON (a proxy's HTML page): quote it as it came.
  }
  message = redact(message, token).replace(/\s+/g, ' ').trim();
  if (message === '') return '(no error text)';
  return message.length <= SERVER_TEXT_MAX_CHARS
    ? message
    : `${message.slice(0, SERVER_TEXT_MAX_CHARS)}…`;
}

function redact(text: string, token: string | undefined): string {
  return token === undefined || token === '' ? text : text.split(token).join('[token]');
}

/**
 * Sends lines to InfluxDB in batches, one write in flight at a time. `add` returns false
 * while a write is in flight and the next batch is already full; the caller then waits for
 * `drain()` (as with a Node stream). Memory holds at most the batch in flight and the one
 * filling. After a failed write the writer stops sending and counts the points it drops;
 * `flush()` and `close()` then reject with the first failure and that count.
 */
export class InfluxHttpWriter {
  private readonly batchLines: number;
  private readonly flushIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private waiting: string[] = [];
  private inFlight: Promise<void> | undefined;
  private isDue = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private failure: InfluxExportError | undefined;
  private sent = 0;
  private dropped = 0;
  private drainWaiters: Array<() => void> = [];
  private isClosed = false;

  constructor(
    readonly target: InfluxHttpTarget,
    options: InfluxHttpWriterOptions = {},
  ) {
    this.batchLines = Math.max(1, options.batchLines ?? DEFAULT_BATCH_LINES);
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? new Agent({ connections: 1 });
  }

  /** Points InfluxDB accepted so far. */
  get written(): number {
    return this.sent;
  }

  /** Points not written because an earlier write failed. */
  get notWritten(): number {
    return this.dropped;
  }

  /** Takes one line (without its newline); false when the caller should wait for `drain()`. */
  add(line: string): boolean {
    if (this.isClosed) {
      throw new InfluxExportError(
        'LENS_EXPORT_INFLUX_WRITE',
        `a point was added after the InfluxDB writer for ${this.target.displayUrl} was closed`,
      );
    }
    if (this.failure !== undefined) {
      this.dropped++;
      return true;
    }
    this.waiting.push(line);
    if (this.waiting.length >= this.batchLines) this.sendNext();
    else if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(this.onFlushTimer, this.flushIntervalMs);
      // close() sends what waits; the timer alone must not keep a finished process alive.
      this.flushTimer.unref();
    }
    return !this.isBackedUp();
  }

  private isBackedUp(): boolean {
    return this.inFlight !== undefined && this.waiting.length >= this.batchLines;
  }

  private readonly onFlushTimer = (): void => {
    this.flushTimer = undefined;
    this.isDue = true;
    this.sendNext();
  };

  /** Starts the next write when none is in flight and a full (or due) batch waits. */
  private sendNext(): void {
    if (this.inFlight !== undefined || this.waiting.length === 0) return;
    if (this.waiting.length < this.batchLines && !this.isDue) return;
    const batch =
      this.waiting.length <= this.batchLines
        ? this.waiting
        : this.waiting.slice(0, this.batchLines);
    this.waiting = batch === this.waiting ? [] : this.waiting.slice(this.batchLines);
    if (this.waiting.length === 0) {
      this.isDue = false;
      if (this.flushTimer !== undefined) {
        clearTimeout(this.flushTimer);
        this.flushTimer = undefined;
      }
    }
    this.inFlight = this.write(batch).finally(() => {
      this.inFlight = undefined;
      this.sendNext();
      if (!this.isBackedUp()) this.wakeDrainWaiters();
    });
  }

  private async write(batch: string[]): Promise<void> {
    try {
      await postLineProtocol(this.target, `${batch.join('\n')}\n`, {
        dispatcher: this.dispatcher,
        timeoutMs: this.timeoutMs,
      });
      this.sent += batch.length;
    } catch (error) {
      this.failure =
        error instanceof InfluxExportError
          ? error
          : new InfluxExportError('LENS_EXPORT_INFLUX_WRITE', String(error), { cause: error });
      this.dropped += batch.length + this.waiting.length;
      this.waiting = [];
    }
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once `add` would return true again. */
  drain(): Promise<void> {
    if (!this.isBackedUp()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Sends every waiting line and resolves once InfluxDB has taken them all; rejects if any
   * write failed, with how many points were not written.
   */
  async flush(): Promise<void> {
    this.isDue = true;
    this.sendNext();
    while (this.inFlight !== undefined) {
      await this.inFlight;
    }
    if (this.failure !== undefined) {
      const total = this.sent + this.dropped;
      throw new InfluxExportError(
        this.failure.code,
        `${this.failure.message} (${this.dropped} of ${total} points not written)`,
        { cause: this.failure },
      );
    }
  }

  /** Sends what waits, then closes the writer's own connection; rejects as `flush()` does. */
  async close(): Promise<void> {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    try {
      await this.flush();
    } finally {
      this.isClosed = true;
      if (this.ownsDispatcher) await this.dispatcher.close();
    }
  }
}
