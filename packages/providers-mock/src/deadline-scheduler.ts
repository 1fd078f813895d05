/** The timer functions the scheduler uses; injectable so tests drive time by hand. */
export interface SchedulerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setImmediate(callback: () => void): unknown;
  clearImmediate(handle: unknown): void;
}

/** A task waiting in a {@link DeadlineScheduler}. */
export interface ScheduledTask {
  readonly dueNs: bigint;
  cancelled: boolean;
}

interface Entry extends ScheduledTask {
  readonly seq: number;
  readonly run: (dueNs: bigint) => void;
}

const NODE_TIMERS: SchedulerTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setImmediate: (callback) => setImmediate(callback),
  clearImmediate: (handle) => clearImmediate(handle as NodeJS.Immediate),
};

const NS_PER_MS = 1_000_000n;

function isBefore(a: Entry, b: Entry): boolean {
  return a.dueNs < b.dueNs || (a.dueNs === b.dueNs && a.seq < b.seq);
}

/**
 * Runs tasks at absolute hrtime deadlines. Node timers have 1 ms granularity and can fire
 * up to about 1 ms early or late, so the scheduler sleeps on a timer until `spinNs` before
 * the earliest deadline and polls with setImmediate for the rest: tasks never run early and
 * typically run within tens of microseconds of their deadline. Poll turns still service I/O,
 * so the polling delays nobody; it costs CPU, most when deadlines are dense (many streams).
 * With `spinNs` 0 it uses timers only: tasks still never run early but may run 1–2 ms late.
 * One heap and one timer serve every stream.
 *
 * Tasks due at the same time run in the order they were scheduled. A task receives its own
 * deadline (not the current time), so callers chain absolute schedules without drift.
 */
export class DeadlineScheduler {
  readonly #heap: Entry[] = [];
  readonly #spinNs: bigint;
  readonly #now: () => bigint;
  readonly #timers: SchedulerTimers;
  #seq = 0;
  #timer: unknown;
  #immediate: unknown;
  #armedDueNs: bigint | undefined;
  #stopped = false;
  #firing = false;

  constructor(options: { spinNs: bigint; now?: () => bigint; timers?: SchedulerTimers }) {
    this.#spinNs = options.spinNs;
    this.#now = options.now ?? process.hrtime.bigint;
    this.#timers = options.timers ?? NODE_TIMERS;
  }

  /** Number of tasks waiting (cancelled ones may still be counted until they surface). */
  get size(): number {
    return this.#heap.length;
  }

  /** Runs `run(dueNs)` once hrtime reaches `dueNs` (soon after, if it already has). */
  schedule(dueNs: bigint, run: (dueNs: bigint) => void): ScheduledTask {
    const entry: Entry = { dueNs, seq: this.#seq++, run, cancelled: false };
    this.#push(entry);
    // While firing, the loop re-arms once at the end; arming per new task would churn timers.
    if (this.#firing || this.#stopped) return entry;
    if (this.#armedDueNs === undefined || dueNs < this.#armedDueNs) {
      this.#arm(this.#now());
    }
    return entry;
  }

  /** Cancels a task that has not run yet; a no-op otherwise. */
  cancel(task: ScheduledTask): void {
    // Lazy deletion: the entry is skipped when it reaches the top of the heap.
    task.cancelled = true;
  }

  /** Drops every task and timer; the scheduler runs nothing afterwards. */
  stop(): void {
    this.#stopped = true;
    this.#heap.length = 0;
    this.#disarm();
  }

  #fire = (): void => {
    this.#timer = undefined;
    this.#immediate = undefined;
    this.#armedDueNs = undefined;
    const now = this.#now();
    this.#firing = true;
    try {
      this.#runDue(now);
    } finally {
      this.#firing = false;
    }
    // A fresh reading: the tasks just run took time, and a stale `now` would oversleep.
    if (!this.#stopped) this.#arm(this.#now());
  };

  #runDue(now: bigint): void {
    while (!this.#stopped) {
      const head = this.#heap[0];
      if (head === undefined) break;
      if (head.cancelled) {
        this.#pop();
        continue;
      }
      if (head.dueNs > now) break;
      this.#pop();
      head.cancelled = true;
      head.run(head.dueNs);
    }
  }

  #arm(now: bigint): void {
    while (this.#heap[0]?.cancelled) this.#pop();
    const head = this.#heap[0];
    this.#disarm();
    if (head === undefined) return;
    this.#armedDueNs = head.dueNs;
    const remaining = head.dueNs - now;
    if (remaining > 0n && this.#spinNs === 0n) {
      // Timers only: never early, up to ~1-2 ms late, and the process sleeps in between.
      const sleepMs = Number((remaining + NS_PER_MS - 1n) / NS_PER_MS);
      this.#timer = this.#timers.setTimeout(this.#fire, sleepMs);
      return;
    }
    const sleepMs = remaining > this.#spinNs ? Number((remaining - this.#spinNs) / NS_PER_MS) : 0;
    if (sleepMs >= 1) {
      this.#timer = this.#timers.setTimeout(this.#fire, sleepMs);
    } else {
      this.#immediate = this.#timers.setImmediate(this.#fire);
    }
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    if (this.#immediate !== undefined) this.#timers.clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    this.#armedDueNs = undefined;
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!isBefore(entry, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let index = 0;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && isBefore(heap[right]!, heap[left]!)) child = right;
      if (!isBefore(heap[child]!, last)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
  }
}
