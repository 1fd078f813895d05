import type { EventLoopSnapshot } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { buildFidelity, MIN_FIDELITY_SAMPLES } from './fidelity.js';

const calmLoop: EventLoopSnapshot = {
  p50Ms: 0.05,
  p99Ms: 0.41234,
  maxMs: 2.5,
  meanMs: 0.08,
  utilization: 0.2,
  samples: 5000,
};
const busyLoop: EventLoopSnapshot = { ...calmLoop, p99Ms: 12.3456, maxMs: 40 };
const main = (snapshot: EventLoopSnapshot) => [{ thread: 'main', snapshot }];

describe('buildFidelity', () => {
  it('is not client-bound when the loop p99 stays under 5 ms', () => {
    expect(buildFidelity(main(calmLoop))).toEqual({
      event_loop_delay_p99_ms: 0.412,
      event_loop_delay_max_ms: 2.5,
      client_bound: false,
      workers: 1,
      threads: [
        {
          thread: 'main',
          event_loop_delay_p99_ms: 0.412,
          event_loop_delay_max_ms: 2.5,
          samples: 5000,
        },
      ],
      calibration: null,
      warnings: [],
    });
  });

  it('flags the run client-bound with a warning naming the thread when its p99 exceeds the threshold', () => {
    const fidelity = buildFidelity(main(busyLoop));
    expect(fidelity.client_bound).toBe(true);
    expect(fidelity.event_loop_delay_p99_ms).toBe(12.346);
    expect(fidelity.warnings).toHaveLength(1);
    expect(fidelity.warnings[0]).toContain('main thread was 12.346 ms (threshold 5 ms)');
  });

  it('honours a custom threshold', () => {
    expect(buildFidelity(main(busyLoop), { thresholdP99Ms: 20 }).client_bound).toBe(false);
  });

  it('flags the run client-bound when the client fell behind its schedule', () => {
    const fidelity = buildFidelity(main(calmLoop), { isBehindSchedule: true, warnings: ['extra'] });
    expect(fidelity.client_bound).toBe(true);
    expect(fidelity.warnings).toHaveLength(2);
    expect(fidelity.warnings[0]).toContain('behind its send schedule');
    expect(fidelity.warnings[1]).toBe('extra');
  });

  it('gives no verdict from a run too short to judge, however bad its few samples look', () => {
    const brief = { ...busyLoop, samples: MIN_FIDELITY_SAMPLES - 1 };
    const fidelity = buildFidelity(main(brief));
    expect(fidelity.client_bound).toBeNull();
    expect(fidelity.warnings).toEqual([]);
    expect(fidelity.event_loop_delay_p99_ms).toBe(12.346);
  });

  it('judges worker threads together: the worst one decides, each is listed', () => {
    const fidelity = buildFidelity(
      [
        { thread: 'worker-1', snapshot: calmLoop },
        { thread: 'worker-2', snapshot: busyLoop },
      ],
      { workers: 2 },
    );
    expect(fidelity.workers).toBe(2);
    expect(fidelity.client_bound).toBe(true);
    expect(fidelity.event_loop_delay_max_ms).toBe(40);
    expect(fidelity.threads.map((t) => [t.thread, t.event_loop_delay_p99_ms])).toEqual([
      ['worker-1', 0.412],
      ['worker-2', 12.346],
    ]);
    expect(fidelity.warnings[0]).toContain('worker-2 thread');
  });

  it('flags one stall longer than the TTFT p50 or the request timeout, however short the run', () => {
    // The issue's case: a 30,000-character word blocked the loop 1.5 s in a 9-sample run.
    const shortStalled: EventLoopSnapshot = { ...calmLoop, p99Ms: 1557, maxMs: 1557, samples: 9 };
    const stalled = buildFidelity(main(shortStalled), { ttftP50Ms: 16, requestTimeoutMs: 120_000 });
    expect(stalled.client_bound).toBe(true);
    expect(stalled.warnings).toEqual([
      expect.stringMatching(
        /main thread's event loop stalled for 1557 ms at once, longer than the TTFT p50 \(16 ms\)/,
      ),
    ]);
    // A long run whose p99 is calm but whose max outlasts the per-request timeout.
    const oneStall: EventLoopSnapshot = { ...calmLoop, maxMs: 5615 };
    const timedOut = buildFidelity(main(oneStall), { ttftP50Ms: 8000, requestTimeoutMs: 2000 });
    expect(timedOut.client_bound).toBe(true);
    expect(timedOut.warnings[0]).toMatch(/longer than the per-request timeout \(2000 ms\)/);
    // The same max below both limits is no verdict of its own.
    expect(
      buildFidelity(main(oneStall), { ttftP50Ms: 8000, requestTimeoutMs: 120_000 }).client_bound,
    ).toBe(false);
    expect(buildFidelity(main(calmLoop), { ttftP50Ms: null }).client_bound).toBe(false);
  });
});
