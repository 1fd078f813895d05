// The run file's values, as bytes: the pure half of the format (no I/O), shared by the
// writer, the reader and anything that wants to send a run elsewhere (a socket, a queue).
import { endianness } from 'node:os';
import type { RequestRecord } from '@llm-lens/core-timing';
import type { RunSummary } from '@llm-lens/metrics';
import { Encoder } from '@msgpack/msgpack';

/** `format` of a run file's first value. */
export const RUN_FILE_FORMAT = 'llm-lens-run';
/** Version of the layout this package writes and reads. */
export const RUN_FILE_VERSION = 1;
/** `kind` of the value that carries the summary (the last value of a finished run). */
export const SUMMARY_KIND = 'summary';

/** The first value of a run file. */
export interface RunFileHeader {
  format: typeof RUN_FILE_FORMAT;
  version: number;
  /** When the file was started, ISO 8601 UTC. */
  created_at: string;
  /** The run's id (the summary's `run.run_id`), when the writer knew it: a reader has it before the records. */
  run_id?: string;
}

/** The value that closes a finished run: the summary, marked as such. */
export interface RunFileSummaryValue {
  kind: typeof SUMMARY_KIND;
  summary: RunSummary;
}

/**
 * Options for both ends. `useBigInt64` writes every bigint (the ns fields) as a 64-bit
 * integer and reads every 64-bit integer back as a bigint; with it the encoder writes a
 * number beyond 32 bits as a float64, so a number never comes back as a bigint.
 * `ignoreUndefined` leaves an optional field that is undefined absent, as it was.
 */
export const RUN_FILE_CODEC_OPTIONS = { useBigInt64: true, ignoreUndefined: true } as const;

const encoder = new Encoder(RUN_FILE_CODEC_OPTIONS);
const isLittleEndian = endianness() === 'LE';

/**
 * The bytes of a typed array, little-endian whatever the machine (the file's byte order): the
 * array's own memory on a little-endian machine, a converted copy otherwise.
 */
export function toLittleEndianBytes(
  array: Float64Array | Uint32Array,
  machineIsLittleEndian = isLittleEndian,
): Uint8Array {
  if (machineIsLittleEndian)
    return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const copy = new Uint8Array(array.byteLength);
  const view = new DataView(copy.buffer);
  for (let i = 0; i < array.length; i++) {
    if (array instanceof Float64Array) view.setFloat64(i * 8, array[i]!, true);
    else view.setUint32(i * 4, array[i]!, true);
  }
  return copy;
}

/**
 * A typed array from little-endian bytes, always a copy (the decoder's bytes are a view of
 * its buffer); undefined when the length is not a whole number of elements.
 */
export function fromLittleEndianBytes<T extends Float64Array | Uint32Array>(
  bytes: Uint8Array,
  Type: { new (length: number): T; new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number },
  machineIsLittleEndian = isLittleEndian,
): T | undefined {
  const size = Type.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) return undefined;
  // A fresh buffer of exact length: `slice` of a Node Buffer would share memory.
  if (machineIsLittleEndian) return new Type(new Uint8Array(bytes).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Type(bytes.byteLength / size);
  for (let i = 0; i < values.length; i++) {
    values[i] = size === 8 ? view.getFloat64(i * 8, true) : view.getUint32(i * 4, true);
  }
  return values;
}

/** The header value's bytes. */
export function encodeRunHeader(createdAt: Date = new Date(), runId?: string): Uint8Array {
  const header: RunFileHeader = {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    created_at: createdAt.toISOString(),
    ...(runId === undefined ? {} : { run_id: runId }),
  };
  return encoder.encode(header);
}

/**
 * One record's bytes: a map with the record's own field names and values, bigints as 64-bit
 * integers, the token arrays as binary (float64 and uint32, little-endian).
 */
export function encodeRunRecord(record: RequestRecord): Uint8Array {
  return encoder.encode({
    ...record,
    tokenEventOffsetsNs: toLittleEndianBytes(record.tokenEventOffsetsNs),
    tokenEventTokens: toLittleEndianBytes(record.tokenEventTokens),
  });
}

/** The summary value's bytes. */
export function encodeRunSummary(summary: RunSummary): Uint8Array {
  const value: RunFileSummaryValue = { kind: SUMMARY_KIND, summary };
  return encoder.encode(value);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !ArrayBuffer.isView(value);

/** The header, when a decoded value is one; undefined otherwise. */
export function asRunHeader(value: unknown): RunFileHeader | undefined {
  if (!isObject(value) || value.format !== RUN_FILE_FORMAT) return undefined;
  if (typeof value.version !== 'number') return undefined;
  return value as unknown as RunFileHeader;
}

/** The summary, when a decoded value is the summary value; undefined otherwise. */
export function asRunSummary(value: unknown): RunSummary | undefined {
  if (!isObject(value) || value.kind !== SUMMARY_KIND || !isObject(value.summary)) return undefined;
  return value.summary as unknown as RunSummary;
}

/**
 * The record a decoded value holds, with its token arrays as typed arrays again; undefined
 * when the value is not a record (checked: the id, the labels, the ns stamps and the arrays).
 */
export function asRunRecord(value: unknown): RequestRecord | undefined {
  if (!isObject(value)) return undefined;
  const { requestId, provider, dispatchNs, queueNs, status } = value;
  const offsets = value.tokenEventOffsetsNs;
  const tokens = value.tokenEventTokens;
  if (
    typeof requestId !== 'string' ||
    typeof provider !== 'string' ||
    typeof dispatchNs !== 'bigint' ||
    typeof queueNs !== 'bigint' ||
    (status !== 'ok' && status !== 'error') ||
    !(offsets instanceof Uint8Array) ||
    !(tokens instanceof Uint8Array)
  ) {
    return undefined;
  }
  const tokenEventOffsetsNs = fromLittleEndianBytes(offsets, Float64Array);
  const tokenEventTokens = fromLittleEndianBytes(tokens, Uint32Array);
  if (tokenEventOffsetsNs === undefined || tokenEventTokens === undefined) return undefined;
  return { ...value, tokenEventOffsetsNs, tokenEventTokens } as unknown as RequestRecord;
}
