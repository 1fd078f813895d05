import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLoopMonitor } from './event-loop-monitor.js';

function blockLoopFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy-wait on purpose: this is the stall the monitor must see
  }
}

describe('EventLoopMonitor', () => {
  let monitor: EventLoopMonitor | undefined;
  afterEach(() => {
    monitor?.stop();
    monitor = undefined;
  });

  it('reports zeros before any sample was taken', () => {
    monitor = new EventLoopMonitor();
    expect(monitor.snapshot()).toEqual({
      p50Ms: 0,
      p99Ms: 0,
      maxMs: 0,
      meanMs: 0,
      utilization: 0,
      samples: 0,
    });
  });

  it('sees a 30 ms busy-wait as a stall of at least 25 ms', async () => {
    monitor = new EventLoopMonitor();
    monitor.start();
    // let the sampling timer run a few times, stall, then give it a turn to record the stall
    await delay(5);
    blockLoopFor(30);
    await delay(10);
    monitor.stop();
    const snapshot = monitor.snapshot();
    expect(snapshot.maxMs).toBeGreaterThanOrEqual(25);
    expect(snapshot.maxMs).toBeLessThan(1_000);
    expect(snapshot.p99Ms).toBeGreaterThan(5);
    expect(snapshot.samples).toBeGreaterThan(3);
    expect(snapshot.utilization).toBeGreaterThan(0.1);
    expect(snapshot.utilization).toBeLessThanOrEqual(1);
  });

  it('forgets an earlier stall after reset', async () => {
    monitor = new EventLoopMonitor();
    monitor.start();
    await delay(2);
    blockLoopFor(30);
    await delay(5);
    monitor.reset();
    expect(monitor.snapshot().maxMs).toBe(0);
    await delay(20);
    expect(monitor.snapshot().maxMs).toBeLessThan(25);
  });

  it('covers only the windows between start and stop, across several', async () => {
    monitor = new EventLoopMonitor();
    monitor.start();
    await delay(5);
    blockLoopFor(15);
    await delay(10);
    monitor.stop();
    const first = monitor.snapshot();
    // A much longer stall while stopped (a warm-up between measured phases) is not seen...
    blockLoopFor(250);
    await delay(5);
    monitor.start();
    await delay(5);
    blockLoopFor(15);
    await delay(10);
    monitor.stop();
    const both = monitor.snapshot();
    expect(first.maxMs).toBeGreaterThanOrEqual(10);
    expect(both.maxMs).toBeGreaterThanOrEqual(10);
    // (a bound well below the 250 ms stall, well above what a busy CI core adds to 15 ms)
    expect(both.maxMs).toBeLessThan(150);
    // ...while the samples and the busy share of both windows add up.
    expect(both.samples).toBeGreaterThan(first.samples);
    expect(both.utilization).toBeGreaterThan(0.2);
    expect(both.utilization).toBeLessThanOrEqual(1);
  });
});
