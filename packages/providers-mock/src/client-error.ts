import type { RequestRecord } from '@llm-lens/core-timing';
import type { WriteRecord } from './write-log.js';

/**
 * How far a client's stamps are from what the simulator really did, per request joined by
 * its `x-request-id`: both processes read CLOCK_MONOTONIC, so stamps compare directly.
 * Errors are client minus server, in ms: a positive TTFT error is how late the client
 * stamped the first token; a chunk-gap error is how much longer (or shorter) the client saw
 * a gap between two token events than the server made it.
 */
export interface ClientError {
  /** Records given, and how many were joined with a write record of the same token count. */
  requests: number;
  joined: number;
  /** Per joined request: client first-token stamp − server first token write, ms. */
  ttftErrorsMs: number[];
  /** Per gap of joined requests: client gap − server gap, ms. */
  gapErrorsMs: number[];
}

/** Joins records with the simulator's write log; records with no matching write record are only counted. */
export function clientErrorAgainstWriteLog(
  records: readonly RequestRecord[],
  writes: ReadonlyMap<string, WriteRecord>,
): ClientError {
  const ttftErrorsMs: number[] = [];
  const gapErrorsMs: number[] = [];
  let joined = 0;
  for (const record of records) {
    const server = writes.get(record.requestId);
    const offsets = record.tokenEventOffsetsNs;
    if (
      server === undefined ||
      offsets.length === 0 ||
      server.tokenWritesNs.length !== offsets.length
    ) {
      continue;
    }
    joined++;
    // Monotonic stamps (ns since boot) stay below 2^53 for ~100 days: exact as doubles.
    const dispatch = Number(record.dispatchNs);
    const serverWrites = server.tokenWritesNs;
    let previousLag = 0;
    for (let i = 0; i < offsets.length; i++) {
      const lag = dispatch + offsets[i]! - Number(serverWrites[i]!);
      if (i === 0) ttftErrorsMs.push(lag / 1e6);
      else gapErrorsMs.push((lag - previousLag) / 1e6);
      previousLag = lag;
    }
  }
  return { requests: records.length, joined, ttftErrorsMs, gapErrorsMs };
}

/** p50, p99 and max of a list of values (nearest rank), rounded to µs; zeros when empty. */
export function errorPercentiles(values: readonly number[]): {
  p50: number;
  p99: number;
  max: number;
} {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!) };
}
