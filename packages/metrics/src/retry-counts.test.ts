import type { ErrorClass, RequestRecord, RetryGaveUp } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { Aggregator } from './aggregator.js';

const MS = 1_000_000n;

let nextId = 0;

/** A measured attempt: ok, or failed with a class. */
function attempt(
  number: number,
  outcome: 'ok' | ErrorClass,
  mark: { isRetried?: boolean; gaveUp?: RetryGaveUp; first?: string } = {},
): RequestRecord {
  return {
    requestId: `r${nextId++}`,
    provider: 'p',
    model: 'm',
    scenario: 's',
    isWarmup: false,
    startedAtMs: 1_767_225_600_000 + nextId,
    dispatchNs: 0n,
    status: outcome === 'ok' ? 'ok' : 'error',
    ...(outcome === 'ok' ? { ttftNs: 10n * MS } : { errorClass: outcome }),
    queueNs: 0n,
    e2eNs: 20n * MS,
    attempt: number,
    ...(mark.first === undefined ? {} : { firstRequestId: mark.first }),
    ...(mark.isRetried === true ? { isRetried: true, retryDelayMs: 5 } : {}),
    ...(mark.gaveUp === undefined ? {} : { retryGaveUp: mark.gaveUp }),
    tokenEventOffsetsNs: new Float64Array(),
    tokenEventTokens: new Uint32Array(),
  };
}

/** Four requests: ok at once; 429 then ok; three 500s (gave up); a 400 not retried. */
const SCRIPT: RequestRecord[] = [
  attempt(1, 'ok'),
  attempt(1, 'rate_limited', { isRetried: true }),
  attempt(2, 'ok', { first: 'x' }),
  attempt(1, 'server_error', { isRetried: true }),
  attempt(2, 'server_error', { isRetried: true, first: 'y' }),
  attempt(3, 'server_error', { gaveUp: 'attempts_exhausted', first: 'y' }),
  attempt(1, 'client_error'),
];

const EXPECTED = {
  requests: 4,
  attempts: 7,
  retries: 3,
  attempts_per_request: { '1': 2, '2': 1, '3': 1 },
  retries_by_class: { rate_limited: 1, server_error: 2 },
  succeeded_after_retry: 1,
  failed_after_retry: 1,
  gave_up: { attempts_exhausted: 1, retry_after_too_long: 0 },
};

const fidelity = { event_loop_delay_p99_ms: 0, event_loop_delay_max_ms: 0, client_bound: false };

describe('retries in a group', () => {
  it('counts each request once, by its last attempt, and its attempts and retries apart', () => {
    const aggregator = new Aggregator();
    for (const record of SCRIPT) aggregator.add(record);
    const [group] = aggregator.summarize({ complete: true, fidelity });
    expect(group!.retries).toEqual(EXPECTED);
    expect(group!.requests).toMatchObject({ total: 4, succeeded: 2, failed: 2 });
    // The retried attempts' failures are not the group's errors; the last attempts' are.
    expect(group!.errors).toEqual({ server_error: 1, client_error: 1 });
    expect(group!.ttft!.count).toBe(2);
  });

  it('merges the counts of worker threads exactly', () => {
    const [a, b] = [new Aggregator(), new Aggregator()];
    for (const r of SCRIPT.slice(0, 3)) a.add(r);
    for (const r of SCRIPT.slice(3)) b.add(r);
    const merged = new Aggregator();
    merged.mergeEncoded(JSON.parse(JSON.stringify(a.encodeGroups())));
    merged.mergeEncoded(JSON.parse(JSON.stringify(b.encodeGroups())));
    expect(merged.summarize({ complete: true, fidelity })[0]!.retries).toEqual(EXPECTED);
  });

  it('is null when no record came from a provider that retries', () => {
    const aggregator = new Aggregator();
    const { attempt: _, ...plain } = attempt(1, 'ok');
    aggregator.add(plain);
    expect(aggregator.summarize({ complete: true, fidelity })[0]!.retries).toBeNull();
  });
});
