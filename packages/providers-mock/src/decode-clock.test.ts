import { describe, expect, it } from 'vitest';
import { ManualTime, MS } from '../test/manual-time.js';
import { DeadlineScheduler } from './deadline-scheduler.js';
import { type ClockedStream, DecodeClock } from './decode-clock.js';

const TICK = 10n * MS;

class CountingStream implements ClockedStream {
  readonly ticks: bigint[] = [];
  readonly wallTimes: bigint[] = [];

  constructor(
    readonly clock: DecodeClock,
    readonly time: ManualTime,
    public readyAtNs: bigint,
    public remaining: number,
    readonly pauseAfter?: { events: number; pauseNs: bigint },
  ) {}

  onTick(tickNs: bigint): void {
    this.ticks.push(tickNs);
    this.wallTimes.push(this.time.nowNs);
    this.remaining--;
    if (this.remaining === 0) {
      this.clock.leave(this);
      return;
    }
    const pause = this.pauseAfter?.events === this.ticks.length ? this.pauseAfter.pauseNs : 0n;
    this.readyAtNs = tickNs + TICK + pause;
  }
}

function setup(): { time: ManualTime; clock: DecodeClock; scheduler: DeadlineScheduler } {
  const time = new ManualTime(200_000n);
  const scheduler = new DeadlineScheduler({ spinNs: 500_000n, now: time.now, timers: time });
  return { time, clock: new DecodeClock(TICK, scheduler), scheduler };
}

describe('DecodeClock', () => {
  it('anchors an idle clock on the first stream, which then decodes every tick from its ready time', () => {
    const { time, clock } = setup();
    const stream = new CountingStream(clock, time, 105n * MS, 4);
    clock.join(stream);
    time.runUntilIdle();
    expect(stream.ticks).toEqual([105n, 115n, 125n, 135n].map((ms) => ms * MS));
    // Never early against the clock.
    for (const [i, wall] of stream.wallTimes.entries()) expect(wall >= stream.ticks[i]!).toBe(true);
    expect(clock.size).toBe(0);
  });

  it('makes a stream that joins a running clock wait for the next tick at or after its ready time', () => {
    const { time, clock } = setup();
    const first = new CountingStream(clock, time, 100n * MS, 6);
    clock.join(first);
    // Advance to 112 ms (ticks at 100 and 110 processed), then a stream ready at 113 ms joins.
    while (time.nowNs < 112n * MS && time.step());
    const second = new CountingStream(clock, time, 113n * MS, 3);
    clock.join(second);
    time.runUntilIdle();
    expect(first.ticks).toEqual([100n, 110n, 120n, 130n, 140n, 150n].map((ms) => ms * MS));
    expect(second.ticks).toEqual([120n, 130n, 140n].map((ms) => ms * MS));
  });

  it('steps every ready stream on the same tick, back to back', () => {
    const { time, clock } = setup();
    const streams = [100n, 101n, 104n, 109n].map(
      (readyMs) => new CountingStream(clock, time, readyMs * MS, 3),
    );
    for (const stream of streams) clock.join(stream);
    time.runUntilIdle();
    // The first anchors the grid at 100 ms; the rest were ready before 110 ms.
    expect(streams[0]!.ticks).toEqual([100n, 110n, 120n].map((ms) => ms * MS));
    for (const stream of streams.slice(1)) {
      expect(stream.ticks).toEqual([110n, 120n, 130n].map((ms) => ms * MS));
    }
    // On each shared tick the writes happen in one batch: same wall time.
    expect(streams[1]!.wallTimes).toEqual(streams[3]!.wallTimes);
  });

  it('keeps a paused stream on the grid when it resumes', () => {
    const { time, clock } = setup();
    const steady = new CountingStream(clock, time, 0n, 8);
    const paused = new CountingStream(clock, time, 0n, 4, { events: 2, pauseNs: 25n * MS });
    clock.join(steady);
    clock.join(paused);
    time.runUntilIdle();
    // After its second event (tick 10) it may not run before 10 + 10 + 25 = 45 → tick 50.
    expect(paused.ticks).toEqual([0n, 10n, 50n, 60n].map((ms) => ms * MS));
    expect(steady.ticks).toHaveLength(8);
  });

  it('sleeps when the last stream leaves and re-anchors on the next one', () => {
    const { time, clock, scheduler } = setup();
    const first = new CountingStream(clock, time, 10n * MS, 2);
    clock.join(first);
    time.runUntilIdle();
    expect(first.ticks).toEqual([10n * MS, 20n * MS]);
    expect(scheduler.size).toBe(0);
    const later = new CountingStream(clock, time, 33n * MS, 2);
    clock.join(later);
    time.runUntilIdle();
    expect(later.ticks).toEqual([33n * MS, 43n * MS]);
  });

  it('lets a stream leave early without disturbing the others', () => {
    const { time, clock } = setup();
    const a = new CountingStream(clock, time, 0n, 5);
    const b = new CountingStream(clock, time, 0n, 5);
    clock.join(a);
    clock.join(b);
    while (a.ticks.length < 2 && time.step());
    clock.leave(b);
    time.runUntilIdle();
    expect(a.ticks).toEqual([0n, 10n, 20n, 30n, 40n].map((ms) => ms * MS));
    expect(b.ticks).toEqual([0n, 10n * MS]);
  });
});
