import type { RequestRecord } from '@llm-lens/core-timing';
import type { RunSummary } from '@llm-lens/metrics';
import { decode, decodeMulti } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import {
  asRunHeader,
  asRunRecord,
  asRunSummary,
  encodeRunHeader,
  encodeRunRecord,
  encodeRunSummary,
  fromLittleEndianBytes,
  RUN_FILE_CODEC_OPTIONS,
  toLittleEndianBytes,
} from './run-file-codec.js';

const MS = 1_000_000n;

/** A record with every optional field set. */
function fullRecord(): RequestRecord {
  return {
    requestId: 'r-1',
    provider: 'openai',
    model: 'gpt-4o-mini',
    scenario: 'chat',
    isWarmup: false,
    isCooldown: true,
    repeat: 2,
    sessionId: 's-1',
    turn: 3,
    attempt: 2,
    firstRequestId: 'r-0',
    isRetried: true,
    retryDelayMs: 1250.5,
    retryGaveUp: 'retry_after_too_long',
    startedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5, 600),
    dispatchNs: 987_654_321_012_345n,
    status: 'error',
    httpStatus: 429,
    errorClass: 'rate_limited',
    errorMessage: 'HTTP 429: "slow down" — 请稍后',
    errorIsPersistent: false,
    queueNs: 1_500_001n,
    sendDelayNs: 40_003n,
    connection: { dnsNs: 1_000_007n, connectNs: 250_009n, tlsNs: 3_000_011n, protocol: 'h2' },
    ttfbNs: 90n * MS + 13n,
    ttftNs: 100n * MS + 123_457n,
    ttfoNs: 100n * MS + 123_457n,
    e2eNs: 160n * MS + 1n,
    e2eFromScheduleNs: 161n * MS + 541_005n,
    ttftFromScheduleNs: 101n * MS + 663_461n,
    scheduleLagNs: 0n,
    tpotNs: 29_958_847n,
    inputTokens: 12,
    outputTokens: 4,
    reasoningTokens: 1,
    cachedInputTokens: 8,
    tokenCountSource: 'tokenizer',
    reportedOutputTokens: 3,
    tokenCountMismatch: true,
    tokenCountEstimated: false,
    usageIgnored: 'completion_tokens -1',
    serverTimings: { latency_ms: 140.25, eval_duration_ms: 12 },
    costUsd: 0.000_123_4,
    tokenEventOffsetsNs: new Float64Array([100_123_457, 120_000_000.5, 160_000_000]),
    tokenEventTokens: new Uint32Array([1, 4_000_000_000, 2]),
  };
}

describe('encodeRunRecord / asRunRecord', () => {
  it('gives back exactly the record: bigints as bigints, numbers as numbers, typed arrays as typed arrays', () => {
    const original = fullRecord();
    const back = asRunRecord(decode(encodeRunRecord(original), RUN_FILE_CODEC_OPTIONS));
    expect(back).toStrictEqual(original);
    expect(back!.dispatchNs).toBe(987_654_321_012_345n);
    expect(typeof back!.startedAtMs).toBe('number');
    expect(back!.tokenEventOffsetsNs).toBeInstanceOf(Float64Array);
    expect(back!.tokenEventTokens).toBeInstanceOf(Uint32Array);
    expect(Array.from(back!.tokenEventOffsetsNs)).toEqual([
      100_123_457, 120_000_000.5, 160_000_000,
    ]);
    expect(back!.connection).toEqual(original.connection);
  });

  it('keeps absent fields absent and empty token arrays empty', () => {
    const minimal: RequestRecord = {
      requestId: 'r-2',
      provider: 'mock',
      model: 'm',
      scenario: 's',
      isWarmup: true,
      startedAtMs: 0,
      dispatchNs: 0n,
      status: 'error',
      queueNs: 0n,
      ttftNs: undefined as unknown as bigint,
      tokenEventOffsetsNs: new Float64Array(),
      tokenEventTokens: new Uint32Array(),
    };
    const back = asRunRecord(decode(encodeRunRecord(minimal), RUN_FILE_CODEC_OPTIONS))!;
    expect(Object.keys(back).sort()).toEqual(
      Object.keys(minimal)
        .filter((k) => k !== 'ttftNs')
        .sort(),
    );
    expect('connection' in back).toBe(false);
    expect(back.tokenEventOffsetsNs.length).toBe(0);
  });

  it('copies the token arrays out of the decoder buffer', () => {
    const bytes = new Uint8Array([
      ...encodeRunRecord(fullRecord()),
      ...encodeRunRecord(fullRecord()),
    ]);
    const [first, second] = [...decodeMulti(bytes, RUN_FILE_CODEC_OPTIONS)].map(asRunRecord);
    bytes.fill(0);
    expect(first!.tokenEventTokens[1]).toBe(4_000_000_000);
    expect(second!.tokenEventOffsetsNs[0]).toBe(100_123_457);
    // A Node Buffer's slice() shares memory and its offset in the pool is rarely aligned.
    const pooled = Buffer.concat([Buffer.from([0x90]), encodeRunRecord(fullRecord())]);
    const [, fromBuffer] = [...decodeMulti(pooled, RUN_FILE_CODEC_OPTIONS)];
    const record = asRunRecord(fromBuffer)!;
    pooled.fill(0);
    expect(record.tokenEventOffsetsNs[1]).toBe(120_000_000.5);
  });

  it('takes only records for records', () => {
    expect(asRunRecord({ requestId: 'x' })).toBeUndefined();
    expect(asRunRecord(decode(encodeRunHeader(), RUN_FILE_CODEC_OPTIONS))).toBeUndefined();
    const odd = decode(encodeRunRecord(fullRecord()), RUN_FILE_CODEC_OPTIONS) as Record<
      string,
      unknown
    >;
    odd.tokenEventOffsetsNs = new Uint8Array(7); // not a whole number of float64s
    expect(asRunRecord(odd)).toBeUndefined();
  });
});

describe('little-endian token arrays', () => {
  it('writes and reads the same bytes on a big-endian machine as on a little-endian one', () => {
    const offsets = new Float64Array([0, 1.5, 123_456_789_012, -0]);
    const tokens = new Uint32Array([1, 2, 4_000_000_000]);
    for (const array of [offsets, tokens]) {
      expect(toLittleEndianBytes(array, false)).toEqual(
        new Uint8Array(toLittleEndianBytes(array, true)),
      );
    }
    expect(Array.from(toLittleEndianBytes(new Uint32Array([0x01020304]), false))).toEqual([
      4, 3, 2, 1,
    ]);
    const bytes = toLittleEndianBytes(offsets, true);
    expect(fromLittleEndianBytes(bytes, Float64Array, false)).toEqual(offsets);
    expect(fromLittleEndianBytes(bytes, Float64Array, true)).toEqual(offsets);
    expect(fromLittleEndianBytes(toLittleEndianBytes(tokens), Uint32Array, false)).toEqual(tokens);
  });
});

describe('header and summary values', () => {
  it('marks the header and the summary so a reader tells them from records', () => {
    const header = asRunHeader(decode(encodeRunHeader(new Date(0)), RUN_FILE_CODEC_OPTIONS));
    expect(header).toEqual({
      format: 'llm-lens-run',
      version: 1,
      created_at: '1970-01-01T00:00:00.000Z',
    });
    const withId = asRunHeader(
      decode(encodeRunHeader(new Date(0), 'run-7'), RUN_FILE_CODEC_OPTIONS),
    );
    expect(withId?.run_id).toBe('run-7');
    const summary = { schema_version: 2, groups: [], repeats: null } as unknown as RunSummary;
    const decoded = decode(encodeRunSummary(summary), RUN_FILE_CODEC_OPTIONS);
    expect(asRunSummary(decoded)).toEqual(summary);
    expect(asRunHeader(decoded)).toBeUndefined();
    expect(asRunRecord(decoded)).toBeUndefined();
    expect(
      asRunSummary(decode(encodeRunRecord(fullRecord()), RUN_FILE_CODEC_OPTIONS)),
    ).toBeUndefined();
  });
});
