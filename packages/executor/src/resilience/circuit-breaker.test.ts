import { describe, expect, it } from 'vitest';
import { ExecutorError } from '../executor-error.js';
import { CircuitBreaker, DEFAULT_TRIP_ON, PROBE_RECHECK_MS } from './circuit-breaker.js';

const MS = 1_000_000n;
const SECOND = 1000n * MS;

/** Sends one request at `sentNs` (it must be allowed) that ends at `endNs`. */
function send(
  breaker: CircuitBreaker,
  sentNs: bigint,
  endNs: bigint,
  outcome: 'ok' | Parameters<CircuitBreaker['onResult']>[2],
): void {
  expect(breaker.canSend(sentNs)).toBe(true);
  breaker.onResult(endNs, outcome === 'ok', outcome === 'ok' ? undefined : outcome, sentNs);
}

function trip(breaker: CircuitBreaker, atNs: bigint): void {
  for (let i = 0; i < breaker.failureThreshold; i++) send(breaker, atNs, atNs, 'server_error');
  expect(breaker.state).toBe('open');
}

describe('CircuitBreaker', () => {
  it('opens after failure_threshold consecutive counted failures, and only then', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000 });
    send(breaker, 0n, 1n, 'server_error');
    send(breaker, 1n, 2n, 'network');
    send(breaker, 2n, 3n, 'ok'); // a success starts the count again
    send(breaker, 3n, 4n, 'timeout_connect');
    send(breaker, 4n, 5n, 'client_error'); // neither a failure nor a success of the provider
    send(breaker, 5n, 6n, 'rate_limited');
    expect(breaker.state).toBe('closed');
    send(breaker, 6n, 7n, 'stream_interrupted');
    expect(breaker.state).toBe('open');
    expect(breaker.report(7n).transitions).toEqual([
      {
        atNs: 7n,
        from: 'closed',
        to: 'open',
        reason: '3 consecutive failures (last: stream_interrupted)',
      },
    ]);
  });

  it('counts the classes that say the provider is unwell, not the ones that say the request is wrong', () => {
    expect([...DEFAULT_TRIP_ON].sort()).toEqual([
      'network',
      'rate_limited',
      'server_error',
      'stream_interrupted',
      'timeout_connect',
      'timeout_idle',
      'timeout_total',
      'timeout_ttft',
    ]);
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    for (const neutral of ['client_error', 'auth', 'protocol', 'cancelled'] as const) {
      send(breaker, 0n, 0n, neutral);
    }
    expect(breaker.state).toBe('closed');
  });

  it('holds requests back for the cool-down, then lets exactly one probe through', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 30_000 });
    trip(breaker, 10n * SECOND);
    expect(breaker.canSend(10n * SECOND)).toEqual({ waitNs: 30n * SECOND, state: 'open' });
    expect(breaker.canSend(25n * SECOND)).toEqual({ waitNs: 15n * SECOND, state: 'open' });
    expect(breaker.canSend(40n * SECOND)).toBe(true);
    expect(breaker.state).toBe('half_open');
    for (const at of [40n, 41n, 60n]) {
      expect(breaker.canSend(at * SECOND)).toEqual({
        waitNs: BigInt(PROBE_RECHECK_MS) * MS,
        state: 'half_open',
      });
    }
  });

  it('closes when the probe succeeds', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 30_000 });
    trip(breaker, 10n * SECOND);
    send(breaker, 41n * SECOND, 42n * SECOND, 'ok');
    expect(breaker.state).toBe('closed');
    expect(breaker.canSend(42n * SECOND)).toBe(true);
    expect(breaker.canSend(42n * SECOND)).toBe(true);
    const report = breaker.report(100n * SECOND);
    expect(report.tripped).toBe(1);
    // Open at 10 s, half-open at 40 s, closed at 42 s.
    expect(report.open_ms_total).toBe(32_000);
    expect(report.transitions.map(({ atNs, to, reason }) => [atNs, to, reason])).toEqual([
      [10n * SECOND, 'open', '2 consecutive failures (last: server_error)'],
      [40n * SECOND, 'half_open', 'cool-down of 30000 ms over'],
      [42n * SECOND, 'closed', 'probe succeeded'],
    ]);
  });

  it('opens again for a full cool-down when the probe fails', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 30_000 });
    trip(breaker, 0n);
    send(breaker, 31n * SECOND, 33n * SECOND, 'timeout_ttft');
    expect(breaker.state).toBe('open');
    expect(breaker.canSend(33n * SECOND)).toEqual({ waitNs: 30n * SECOND, state: 'open' });
    expect(breaker.canSend(63n * SECOND)).toBe(true);
    const report = breaker.report(70n * SECOND);
    expect(report.tripped).toBe(2);
    expect(report.state).toBe('half_open');
    // Not closed since 0 s: the time so far counts.
    expect(report.open_ms_total).toBe(70_000);
    expect(report.transitions.at(-2)?.reason).toBe('probe failed (timeout_ttft)');
  });

  it('lets another probe go when the first ends in a way that says nothing about the provider', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1000 });
    trip(breaker, 0n);
    send(breaker, 2n * SECOND, 3n * SECOND, 'cancelled');
    expect(breaker.state).toBe('half_open');
    send(breaker, 3n * SECOND, 4n * SECOND, 'ok');
    expect(breaker.state).toBe('closed');
  });

  it('ignores results of requests sent before the state they end in', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 10_000 });
    // Two long requests sent while closed, still in flight when the breaker trips.
    expect(breaker.canSend(1n * SECOND)).toBe(true);
    expect(breaker.canSend(1n * SECOND)).toBe(true);
    trip(breaker, 2n * SECOND);
    // One ends in the cool-down, ok: it does not close the breaker.
    breaker.onResult(5n * SECOND, true, undefined, 1n * SECOND);
    expect(breaker.state).toBe('open');
    // The probe goes; the other old request fails meanwhile: not the probe's result.
    expect(breaker.canSend(12n * SECOND)).toBe(true);
    breaker.onResult(13n * SECOND, false, 'server_error', 1n * SECOND);
    expect(breaker.state).toBe('half_open');
    breaker.onResult(14n * SECOND, true, undefined, 12n * SECOND);
    expect(breaker.state).toBe('closed');
    // Stale failures after the close do not count toward the next trip.
    breaker.onResult(15n * SECOND, false, 'server_error', 1n * SECOND);
    breaker.onResult(15n * SECOND, false, 'server_error', 1n * SECOND);
    expect(breaker.state).toBe('closed');
  });

  it('refuses settings that cannot work', () => {
    const messageOf = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        expect(error).toBeInstanceOf(ExecutorError);
        return (error as Error).message;
      }
      return undefined;
    };
    expect(messageOf(() => new CircuitBreaker({ failureThreshold: 0 }))).toBe(
      'circuit_breaker: failure_threshold must be an integer >= 1, got 0',
    );
    expect(messageOf(() => new CircuitBreaker({ coolDownMs: 0 }))).toBe(
      'circuit_breaker: cool_down_ms must be a number > 0, got 0',
    );
  });
});
