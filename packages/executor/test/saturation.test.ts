import type { RequestRecord } from '@llm-lens/core-timing';
import { afterEach, describe, expect, it } from 'vitest';
import { runPlan } from '../src/index.js';
import { type SimulatedTarget, scenario, simulatedTarget } from './harness.js';

let sim: SimulatedTarget | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('over-saturation guard', () => {
  it('stops an open loop that sends faster than the server serves, and says so', async () => {
    // One request in flight at a time, each 60 ms: 16 a second at most, asked for 50 a second.
    sim = await simulatedTarget({ ttftMs: 50, itlMs: 2, outputTokens: 5 });
    const records: RequestRecord[] = [];
    const started = Date.now();
    const summary = await runPlan(
      {
        targets: [sim.target],
        scenarios: [
          scenario({
            requests: Number.POSITIVE_INFINITY,
            durationMs: 20_000,
            load: { type: 'open', settings: { rate: 50, max_in_flight: 1 } },
          }),
        ],
      },
      {
        saturationGuard: { windowMs: 400, minRequests: 3 },
        graceMs: 0,
        onRecord: (r) => records.push(r),
      },
    );
    const group = summary.groups[0]!;
    expect(group.stopped_early).toMatch(
      /^over-saturated: the median latency from the schedule kept rising/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    // What it saw: each request waited longer than the one before it for the single slot.
    const fromSchedule = records.map((r) => Number(r.ttftFromScheduleNs) / 1e6);
    expect(fromSchedule.at(-1)!).toBeGreaterThan(2 * fromSchedule[2]!);
  });

  it('leaves a healthy closed loop alone', async () => {
    sim = await simulatedTarget({ ttftMs: 5, itlMs: 1, outputTokens: 3 });
    const summary = await runPlan(
      { targets: [sim.target], scenarios: [scenario({ requests: 60, concurrency: 4 })] },
      { saturationGuard: { windowMs: 50, minRequests: 3 } },
    );
    expect(summary.groups[0]!.stopped_early).toBeNull();
    expect(summary.groups[0]!.requests.total).toBe(60);
  });

  it('stops a phase whose requests keep failing', async () => {
    sim = await simulatedTarget({
      ttftMs: 5,
      itlMs: 1,
      outputTokens: 3,
      faults: { serverErrorRate: 0.9 },
    });
    const summary = await runPlan(
      { targets: [sim.target], scenarios: [scenario({ requests: 100_000, concurrency: 4 })] },
      { saturationGuard: { windowMs: 100, minRequests: 5 } },
    );
    const group = summary.groups[0]!;
    expect(group.stopped_early).toMatch(
      /^over-saturated: the error rate was \d+%, \d+% in the last 2 windows/,
    );
    expect(group.requests.total).toBeLessThan(100_000);
  });
});
