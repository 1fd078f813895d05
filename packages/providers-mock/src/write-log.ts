import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { LensSimulatorError } from './simulator-error.js';

/** How a recorded request ended. */
export type WriteOutcome =
  | 'completed'
  | 'invalid_request'
  | 'rate_limited'
  | 'server_error'
  | 'dropped'
  | 'mid_stream_error'
  | 'client_closed'
  | 'server_closed';

/**
 * What the simulator really did for one completion request. All stamps are
 * `process.hrtime.bigint()` readings (CLOCK_MONOTONIC on Linux, so comparable between
 * processes on one host).
 */
export interface WriteRecord {
  /** The request's `x-request-id` header, or the id the simulator generated. */
  requestId: string;
  /** '/v1/chat/completions' or '/v1/completions'. */
  path: string;
  /** Taken when the request's headers were parsed, before its body was read. */
  arrivalNs: bigint;
  /** Right after the first bytes of the response (headers and role chunk, or the whole body) were written. */
  firstByteNs: bigint | undefined;
  /** Right after each token event's `res.write`, one entry per event (empty for non-streaming). */
  tokenWritesNs: bigint[];
  /** When the response ended or the socket was destroyed; undefined while in flight. */
  endNs: bigint | undefined;
  /** HTTP status sent (0 until the status line went out). */
  status: number;
  outcome: WriteOutcome | undefined;
}

/**
 * The in-memory write log of a simulator started with `recordWrites: true`, in arrival
 * order. It grows with every request: clear it between phases of a long run.
 */
export class WriteLog {
  readonly #records: WriteRecord[] = [];
  readonly #byId = new Map<string, WriteRecord>();

  /** Every recorded request, in arrival order (in-flight ones have `endNs` undefined). */
  get records(): readonly WriteRecord[] {
    return this.#records;
  }

  /** The latest request with this id. */
  get(requestId: string): WriteRecord | undefined {
    return this.#byId.get(requestId);
  }

  /** Forgets every record. */
  clear(): void {
    this.#records.length = 0;
    this.#byId.clear();
  }

  /** Adds a record; the simulator fills it in as the response is written. */
  add(record: WriteRecord): void {
    this.#records.push(record);
    this.#byId.set(record.requestId, record);
  }
}

/** One JSON line of a write-log file; ns stamps are decimal strings because JSON has no bigint. */
export function writeRecordToJsonLine(record: WriteRecord): string {
  return `${JSON.stringify({
    requestId: record.requestId,
    path: record.path,
    status: record.status,
    outcome: record.outcome ?? null,
    arrivalNs: record.arrivalNs.toString(),
    firstByteNs: record.firstByteNs?.toString() ?? null,
    tokenWritesNs: record.tokenWritesNs.map((ns) => ns.toString()),
    endNs: record.endNs?.toString() ?? null,
  })}\n`;
}

/** Parses one line written by {@link writeRecordToJsonLine} back into a WriteRecord. */
export function parseWriteLogLine(line: string): WriteRecord {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const ns = (value: unknown, field: string): bigint => {
    if (typeof value !== 'string' || !/^\d+$/.test(value)) {
      throw new LensSimulatorError(
        'LENS_SIMULATOR_WRITE_LOG_FAILED',
        `write-log line has a bad ${field}: expected a decimal string of ns, got ${JSON.stringify(value)}`,
      );
    }
    return BigInt(value);
  };
  const writes = Array.isArray(raw.tokenWritesNs) ? raw.tokenWritesNs : [];
  return {
    requestId: String(raw.requestId),
    path: String(raw.path),
    status: Number(raw.status),
    outcome: (raw.outcome ?? undefined) as WriteOutcome | undefined,
    arrivalNs: ns(raw.arrivalNs, 'arrivalNs'),
    firstByteNs: raw.firstByteNs == null ? undefined : ns(raw.firstByteNs, 'firstByteNs'),
    tokenWritesNs: writes.map((value) => ns(value, 'tokenWritesNs')),
    endNs: raw.endNs == null ? undefined : ns(raw.endNs, 'endNs'),
  };
}

/** Appends finished records to a file, one JSON line each. */
export class WriteLogFile {
  readonly #path: string;
  readonly #stream: Writable;
  #failure: Error | undefined;

  private constructor(path: string, stream: Writable) {
    this.#path = path;
    this.#stream = stream;
    stream.on('error', (error: Error) => {
      if (this.#failure !== undefined) return;
      this.#failure = error;
      // Visible, not swallowed: the run carries on, but its accuracy data is incomplete.
      process.emitWarning(
        `simulator write log ${path} stopped: ${error.message}`,
        'LensSimulatorWarning',
      );
    });
  }

  /** Opens (creating or appending to) the file; fails early when it cannot be written. */
  static async open(path: string): Promise<WriteLogFile> {
    try {
      const handle = await open(path, 'a');
      return new WriteLogFile(path, handle.createWriteStream());
    } catch (error) {
      throw new LensSimulatorError(
        'LENS_SIMULATOR_WRITE_LOG_FAILED',
        `cannot open the write-log file ${path}: ${(error as Error).message}; check the directory exists and is writable`,
        { cause: error },
      );
    }
  }

  /** Queues one record's line. */
  append(record: WriteRecord): void {
    if (this.#failure === undefined) this.#stream.write(writeRecordToJsonLine(record));
  }

  /** Flushes and closes the file; rejects with the first write error, if any. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#stream.end(() => {
        if (this.#failure === undefined) resolve();
        else {
          reject(
            new LensSimulatorError(
              'LENS_SIMULATOR_WRITE_LOG_FAILED',
              `writing the write-log file ${this.#path} failed: ${this.#failure.message}`,
              { cause: this.#failure },
            ),
          );
        }
      });
    });
  }
}
