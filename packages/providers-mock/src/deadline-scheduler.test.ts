import { describe, expect, it } from 'vitest';
import { ManualTime, MS } from '../test/manual-time.js';
import { DeadlineScheduler } from './deadline-scheduler.js';

function schedulerWith(time: ManualTime, spinNs = 500_000n): DeadlineScheduler {
  return new DeadlineScheduler({ spinNs, now: time.now, timers: time });
}

describe('DeadlineScheduler', () => {
  it('never runs a task before its deadline even when the timer fires early', () => {
    const time = new ManualTime(900_000n);
    const scheduler = schedulerWith(time);
    const ranAt: bigint[] = [];
    scheduler.schedule(10n * MS, () => ranAt.push(time.nowNs));
    time.runUntilIdle();
    expect(ranAt).toHaveLength(1);
    expect(ranAt[0]! >= 10n * MS).toBe(true);
    // Slept on timers up to spinNs before the deadline, polled the rest in 10 µs turns.
    expect(ranAt[0]! - 10n * MS).toBeLessThanOrEqual(10_000n);
    expect(time.log[0]).toBe('timeout 9ms');
    expect(time.log.slice(1).every((line) => line === 'timeout 1ms')).toBe(true);
  });

  it('polls with setImmediate instead of a timer when the deadline is within spin + 1 ms', () => {
    const time = new ManualTime();
    const scheduler = schedulerWith(time);
    let ran = false;
    scheduler.schedule(1_200_000n, () => {
      ran = true;
    });
    time.runUntilIdle();
    expect(ran).toBe(true);
    expect(time.log).toEqual([]);
  });

  it('uses timers only when spinNs is 0, still never running a task early', () => {
    const time = new ManualTime(400_000n);
    const scheduler = schedulerWith(time, 0n);
    const ranAt: bigint[] = [];
    scheduler.schedule(10_300_000n, () => ranAt.push(time.nowNs));
    time.runUntilIdle();
    expect(ranAt[0]! >= 10_300_000n).toBe(true);
    // 10.3 ms rounds up to an 11 ms timer, which fires 0.4 ms early at 10.6 ms.
    expect(time.log).toEqual(['timeout 11ms']);
    expect(ranAt[0]).toBe(10_600_000n);
  });

  it('passes each task its own deadline so chained schedules do not drift', () => {
    const time = new ManualTime(300_000n);
    const scheduler = schedulerWith(time);
    const deadlines: bigint[] = [];
    const ranAt: bigint[] = [];
    const tick = (dueNs: bigint): void => {
      deadlines.push(dueNs);
      ranAt.push(time.nowNs);
      // Pretend each task takes 2 ms of work: the chain must still stay on its grid.
      time.nowNs += 2n * MS;
      if (deadlines.length < 10) scheduler.schedule(dueNs + 10n * MS, tick);
    };
    scheduler.schedule(10n * MS, tick);
    time.runUntilIdle();
    expect(deadlines).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i + 1) * 10n * MS));
    for (let i = 0; i < 10; i++) {
      const lateness = ranAt[i]! - deadlines[i]!;
      expect(lateness >= 0n && lateness <= 20_000n).toBe(true);
    }
  });

  it('runs tasks due at the same time in the order they were scheduled', () => {
    const time = new ManualTime();
    const scheduler = schedulerWith(time);
    const order: string[] = [];
    scheduler.schedule(5n * MS, () => order.push('a'));
    scheduler.schedule(3n * MS, () => order.push('early'));
    scheduler.schedule(5n * MS, () => order.push('b'));
    scheduler.schedule(5n * MS, () => order.push('c'));
    time.runUntilIdle();
    expect(order).toEqual(['early', 'a', 'b', 'c']);
  });

  it('runs tasks that are already overdue on the next turn, all in one batch', () => {
    const time = new ManualTime();
    time.nowNs = 50n * MS;
    const scheduler = schedulerWith(time);
    const order: number[] = [];
    for (const due of [30n, 10n, 20n]) scheduler.schedule(due * MS, () => order.push(Number(due)));
    expect(time.step()).toBe(true);
    expect(order).toEqual([10, 20, 30]);
  });

  it('skips cancelled tasks and re-arms for an earlier deadline', () => {
    const time = new ManualTime();
    const scheduler = schedulerWith(time);
    const order: string[] = [];
    const late = scheduler.schedule(20n * MS, () => order.push('late'));
    scheduler.schedule(8n * MS, () => order.push('early'));
    scheduler.cancel(late);
    time.runUntilIdle();
    expect(order).toEqual(['early']);
    expect(time.log).toEqual(['timeout 19ms', 'timeout 7ms']);
  });

  it('runs nothing after stop', () => {
    const time = new ManualTime();
    const scheduler = schedulerWith(time);
    let ran = false;
    scheduler.schedule(5n * MS, () => {
      ran = true;
    });
    scheduler.stop();
    time.runUntilIdle();
    expect(ran).toBe(false);
    expect(scheduler.size).toBe(0);
  });

  it('keeps heap order across many random deadlines', () => {
    const time = new ManualTime();
    const scheduler = schedulerWith(time);
    const deadlines = Array.from({ length: 200 }, (_, i) => BigInt((i * 7919) % 1000) * 100_000n);
    const ran: bigint[] = [];
    for (const due of deadlines) scheduler.schedule(due, (d) => ran.push(d));
    time.runUntilIdle();
    expect(ran).toEqual([...deadlines].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});
