import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import type { RequestRecord } from '@llm-lens/core-timing';
import { HistoryError } from './history-error.js';

// A run's records are stored as one gzip'd JSON Lines blob: one RequestRecord per line, its
// bigint durations and typed token arrays tagged so they come back as the same types. The
// blob is written and read as a stream, so only the compressed bytes are held whole.

const BIGINT_TAG = '$bigint';
const FLOAT64_TAG = '$f64';
const UINT32_TAG = '$u32';

function encodeValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return { [BIGINT_TAG]: value.toString() };
  if (value instanceof Float64Array) return { [FLOAT64_TAG]: Array.from(value) };
  if (value instanceof Uint32Array) return { [UINT32_TAG]: Array.from(value) };
  return value;
}

function decodeValue(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const tagged = value as Record<string, unknown>;
  const keys = Object.keys(tagged);
  if (keys.length !== 1) return value;
  const inner = tagged[keys[0]!];
  if (keys[0] === BIGINT_TAG && typeof inner === 'string') return BigInt(inner);
  if (keys[0] === FLOAT64_TAG && Array.isArray(inner)) return Float64Array.from(inner);
  if (keys[0] === UINT32_TAG && Array.isArray(inner)) return Uint32Array.from(inner);
  return value;
}

/** One record as a line of the blob (no newline). */
export function encodeRecordLine(record: RequestRecord): string {
  return JSON.stringify(record, encodeValue);
}

/** The records as a gzip'd JSONL blob, and how many there were. */
export async function encodeRecordsBlob(
  records: Iterable<RequestRecord> | AsyncIterable<RequestRecord>,
): Promise<{ blob: Buffer; count: number }> {
  let count = 0;
  async function* lines(): AsyncGenerator<string> {
    for await (const record of records) {
      count++;
      yield `${encodeRecordLine(record)}\n`;
    }
  }
  const chunks: Buffer[] = [];
  const gzip = Readable.from(lines()).pipe(createGzip());
  for await (const chunk of gzip) chunks.push(chunk as Buffer);
  return { blob: Buffer.concat(chunks), count };
}

/** The records of a blob written by encodeRecordsBlob, one at a time. */
export async function* decodeRecordsBlob(
  blob: Uint8Array,
  runId: string,
): AsyncGenerator<RequestRecord> {
  // A multi-byte character can straddle two chunks: the decoder keeps its first bytes.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 0;
  const parse = (text: string): RequestRecord => {
    line++;
    try {
      return JSON.parse(text, decodeValue) as RequestRecord;
    } catch (error) {
      throw new HistoryError(
        'LENS_HISTORY_RECORDS_INVALID',
        `history: the stored records of run ${runId} are damaged at line ${line} (${(error as Error).message}); save the run again with its records file`,
        { cause: error },
      );
    }
  };
  const gunzip = Readable.from([Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength)]).pipe(
    createGunzip(),
  );
  try {
    for await (const chunk of gunzip) {
      const lines = (pending + decoder.write(chunk as Buffer)).split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) if (text !== '') yield parse(text);
    }
    pending += decoder.end();
  } catch (error) {
    if (error instanceof HistoryError) throw error;
    throw new HistoryError(
      'LENS_HISTORY_RECORDS_INVALID',
      `history: the stored records of run ${runId} cannot be decompressed (${(error as Error).message}); save the run again with its records file`,
      { cause: error },
    );
  }
  if (pending !== '') yield parse(pending);
}
