import { describe, expect, it } from 'vitest';
import { StreamTimer } from './stream-timer.js';

const MS = 1_000_000n;

describe('StreamTimer', () => {
  it('measures queue from the scheduled time to dispatch', () => {
    const timer = new StreamTimer(1_000n * MS);
    timer.markDispatch(1_007n * MS);
    expect(timer.timings().queueNs).toBe(7n * MS);
  });

  it('reports queue 0 and no phase durations when the request was never dispatched', () => {
    const timer = new StreamTimer(5n * MS);
    const timings = timer.timings();
    expect(timings.queueNs).toBe(0n);
    expect(timings.ttftNs).toBeUndefined();
    expect(timings.e2eNs).toBeUndefined();
  });

  it('measures ttfb from dispatch to the first headers stamp and ignores later ones', () => {
    const timer = new StreamTimer(0n);
    timer.markDispatch(10n * MS);
    timer.markHeaders(55n * MS);
    timer.markHeaders(70n * MS);
    expect(timer.timings().ttfbNs).toBe(45n * MS);
  });

  it('takes ttft from the first reasoning token and ttfo from the first answer token', () => {
    const timer = new StreamTimer(0n);
    timer.markDispatch(100n * MS);
    timer.recordTokenEvent(250n * MS, 1, false);
    timer.recordTokenEvent(260n * MS, 1, false);
    timer.recordTokenEvent(400n * MS, 2, true);
    timer.recordTokenEvent(410n * MS, 1, true);
    const timings = timer.timings();
    expect(timings.ttftNs).toBe(150n * MS);
    expect(timings.ttfoNs).toBe(300n * MS);
  });

  it('gives equal ttft and ttfo when the first token is an answer token', () => {
    const timer = new StreamTimer(0n);
    timer.markDispatch(0n);
    timer.recordTokenEvent(80n * MS, 1, true);
    const timings = timer.timings();
    expect(timings.ttftNs).toBe(80n * MS);
    expect(timings.ttfoNs).toBe(80n * MS);
  });

  it('leaves ttfo absent when only reasoning tokens arrived', () => {
    const timer = new StreamTimer(0n);
    timer.markDispatch(0n);
    timer.recordTokenEvent(30n * MS, 3, false);
    const timings = timer.timings();
    expect(timings.ttftNs).toBe(30n * MS);
    expect(timings.ttfoNs).toBeUndefined();
  });

  it('measures e2e from dispatch and e2e_from_schedule from the scheduled time', () => {
    const timer = new StreamTimer(1_000n * MS);
    timer.markDispatch(1_040n * MS);
    timer.recordTokenEvent(1_100n * MS, 1, true);
    timer.markEnd(1_500n * MS);
    timer.markEnd(1_900n * MS);
    const timings = timer.timings();
    expect(timings.e2eNs).toBe(460n * MS);
    expect(timings.e2eFromScheduleNs).toBe(500n * MS);
    expect(timings.e2eFromScheduleNs).toBe(timings.queueNs + (timings.e2eNs ?? 0n));
  });

  it('stores token event offsets relative to dispatch with their token counts', () => {
    const timer = new StreamTimer(0n);
    timer.markDispatch(2_000n * MS);
    timer.recordTokenEvent(2_100n * MS, 1, true);
    timer.recordTokenEvent(2_120n * MS, 1, true);
    timer.recordTokenEvent(2_160n * MS, 2, true);
    const timings = timer.timings();
    expect(Array.from(timings.tokenEventOffsetsNs)).toEqual([100e6, 120e6, 160e6]);
    expect(Array.from(timings.tokenEventTokens)).toEqual([1, 1, 2]);
    expect(timer.eventCount).toBe(3);
    expect(timer.clientTokenCount).toBe(4);
  });

  it('computes tpot as (t_last - t_first) / (output_tokens - 1)', () => {
    const timer = new StreamTimer(0n);
    timer.markDispatch(0n);
    timer.recordTokenEvent(100n * MS, 1, true);
    timer.recordTokenEvent(120n * MS, 1, true);
    timer.recordTokenEvent(160n * MS, 2, true);
    // client count is 4 tokens: (160 - 100) / 3 = 20 ms
    expect(timer.timings().tpotNs).toBe(20n * MS);
    // the server's count wins when passed: (160 - 100) / (7 - 1) = 10 ms
    expect(timer.timings(7).tpotNs).toBe(10n * MS);
  });

  it('omits tpot with a single token event even when it carried several tokens', () => {
    const timer = new StreamTimer(0n);
    timer.markDispatch(0n);
    timer.recordTokenEvent(100n * MS, 5, true);
    expect(timer.timings().tpotNs).toBeUndefined();
    expect(timer.timings(5).tpotNs).toBeUndefined();
  });

  it('omits tpot when the output token count is below two', () => {
    const timer = new StreamTimer(0n);
    timer.markDispatch(0n);
    timer.recordTokenEvent(100n * MS, 1, true);
    timer.recordTokenEvent(150n * MS, 1, true);
    expect(timer.timings(1).tpotNs).toBeUndefined();
    expect(timer.timings(2).tpotNs).toBe(50n * MS);
  });

  it('keeps every token event when the stream grows far beyond its initial capacity', () => {
    const timer = new StreamTimer(0n);
    timer.markDispatch(1_000n);
    const events = 1_000;
    for (let i = 0; i < events; i += 1) {
      timer.recordTokenEvent(1_000n + BigInt(i) * MS, (i % 3) + 1, true);
    }
    const timings = timer.timings();
    expect(timings.tokenEventOffsetsNs.length).toBe(events);
    expect(timings.tokenEventTokens.length).toBe(events);
    expect(timings.tokenEventOffsetsNs[0]).toBe(0);
    expect(timings.tokenEventOffsetsNs[255]).toBe(255e6);
    expect(timings.tokenEventOffsetsNs[256]).toBe(256e6);
    expect(timings.tokenEventOffsetsNs[999]).toBe(999e6);
    expect(timings.tokenEventTokens[256]).toBe((256 % 3) + 1);
    expect(timer.clientTokenCount).toBe(333 * 6 + 1);
  });

  it('returns copies of the event arrays so later events do not change earlier timings', () => {
    const timer = new StreamTimer(0n);
    timer.markDispatch(0n);
    timer.recordTokenEvent(10n * MS, 1, true);
    const first = timer.timings();
    timer.recordTokenEvent(20n * MS, 1, true);
    expect(first.tokenEventOffsetsNs.length).toBe(1);
    expect(timer.timings().tokenEventOffsetsNs.length).toBe(2);
  });

  it('passes connection phases through to the timings', () => {
    const timer = new StreamTimer(0n);
    timer.setConnectionPhases({ dnsNs: 2n * MS, connectNs: 1n * MS });
    timer.markDispatch(0n);
    expect(timer.timings().connection).toEqual({ dnsNs: 2n * MS, connectNs: 1n * MS });
    timer.setConnectionPhases(undefined);
    expect(timer.timings().connection).toBeUndefined();
  });

  it('counts latencies from the moment the request was written, and queue up to the hand-off', () => {
    const timer = new StreamTimer(100n * MS); // due at 100 ms
    timer.markDispatch(103n * MS); // handed to the HTTP client after 3 ms in the queue
    timer.markSent(110n * MS); // written after 7 ms of connection setup
    timer.markHeaders(150n * MS);
    timer.recordTokenEvent(210n * MS, 1, true);
    timer.recordTokenEvent(230n * MS, 1, true);
    timer.markEnd(240n * MS);
    const t = timer.timings(2);
    expect(t.queueNs).toBe(3n * MS);
    expect(t.sendDelayNs).toBe(7n * MS);
    expect(t.ttfbNs).toBe(40n * MS);
    expect(t.ttftNs).toBe(100n * MS);
    expect(t.e2eNs).toBe(130n * MS);
    expect(t.e2eFromScheduleNs).toBe(140n * MS); // queue + send delay + e2e
    expect(Array.from(t.tokenEventOffsetsNs)).toEqual([100e6, 120e6]);
    expect(timer.originNs).toBe(110n * MS);
  });

  it('falls back to the hand-off when the request never reached a socket', () => {
    const timer = new StreamTimer(0n);
    timer.markDispatch(5n * MS);
    timer.markEnd(15n * MS);
    const t = timer.timings();
    expect(t.sendDelayNs).toBeUndefined();
    expect(t.e2eNs).toBe(10n * MS);
  });
});
