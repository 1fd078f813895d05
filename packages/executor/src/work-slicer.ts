import { now } from '@llm-lens/core-timing';

/*
 * Everything the thread that reads sockets does besides stamping, cut into slices.
 *
 * A batching server writes one token to every running stream in the same decode step, so
 * at concurrency C the client gets C readable sockets in one event-loop turn and reads them
 * back to back; and streams that start together end together, so their records are built,
 * counted, serialized and written together, and the next wave is sent together. Whatever
 * runs between two poll phases delays the stamp of every chunk that arrives meanwhile. So
 * the data callback only stamps a chunk and queues it here, and one `setImmediate` per
 * loop turn runs queued work (dispatches first, then parsing, then per-request accounting)
 * until SLICE_BUDGET_NS is spent, then yields to the next poll phase.
 */

/** Work done between two poll phases before yielding, ns (0.5 ms). */
export const SLICE_BUDGET_NS = 500_000n;
/** Chunks parsed between two clock reads: a clock read costs about as much as a small parse. */
const CHUNKS_PER_CLOCK_READ = 16;
/**
 * Bytes of one chunk parsed at a time. A token event is tens of bytes and usually comes in
 * a chunk of its own, but a socket read can hold 64 KB: a thousand events whose parsing
 * took 9–11 ms in one go (measured: 100,000 one-letter events in one body). Parsing them
 * 4 KB at a time keeps each step well under a millisecond.
 */
export const MAX_PARSE_BYTES = 4096;

export interface ChunkConsumer {
  /**
   * Parses one queued chunk, or a part of one: a chunk larger than {@link MAX_PARSE_BYTES}
   * comes in parts, in order, with the same stamp, and `isLastPart` false on all but the last.
   */
  consumeChunk(chunk: Buffer, stampNs: bigint, isLastPart?: boolean): void;
}

/**
 * Work that may take longer than one slice: `step` does some of it, stopping soon after
 * `deadlineNs` when it can, and returns true once the whole task is done.
 */
export interface SlicedTask {
  step(deadlineNs: bigint): boolean;
}

// FIFOs in arrays read from a head index: no per-item wrapper objects on the hot path.
const consumers: ChunkConsumer[] = [];
const chunks: Buffer[] = [];
const stamps: bigint[] = [];
let chunkHead = 0;
const dispatches: Array<() => void> = [];
let dispatchHead = 0;
const tasks: SlicedTask[] = [];
let taskHead = 0;
let isScheduled = false;

function schedule(): void {
  if (isScheduled) return;
  isScheduled = true;
  setImmediate(runSlice);
}

function runSlice(): void {
  isScheduled = false;
  const deadlineNs = now() + SLICE_BUDGET_NS;
  // Every queue makes progress in every slice, past the deadline by one item at most: a run
  // of slow dispatches must not starve the parsing or the accounting behind it.
  const dispatchesDone = runDispatches(deadlineNs);
  const chunksDone = runChunks(deadlineNs);
  const tasksDone = runTasks(deadlineNs);
  if (!(dispatchesDone && chunksDone && tasksDone)) schedule();
}

function runDispatches(deadlineNs: bigint): boolean {
  while (dispatchHead < dispatches.length) {
    const dispatch = dispatches[dispatchHead]!;
    dispatches[dispatchHead++] = noop;
    guard(dispatch);
    if (now() >= deadlineNs) break;
  }
  if (dispatchHead < dispatches.length) {
    compact(dispatches, dispatchHead);
    dispatchHead = 0;
    return false;
  }
  dispatches.length = 0;
  dispatchHead = 0;
  return true;
}

function runChunks(deadlineNs: bigint): boolean {
  let sinceClockRead = 0;
  while (chunkHead < consumers.length) {
    const i = chunkHead;
    const chunk = chunks[i]!;
    const isWhole = chunk.length <= MAX_PARSE_BYTES;
    // A large chunk stays at the head, shortened by the part parsed now.
    if (isWhole) chunkHead++;
    else chunks[i] = chunk.subarray(MAX_PARSE_BYTES);
    // No closure per chunk here (see guard): this loop runs for every chunk of every stream.
    try {
      if (isWhole) consumers[i]!.consumeChunk(chunk, stamps[i]!);
      else consumers[i]!.consumeChunk(chunk.subarray(0, MAX_PARSE_BYTES), stamps[i]!, false);
    } catch (error) {
      rethrowLater(error);
    }
    if (!isWhole) sinceClockRead = CHUNKS_PER_CLOCK_READ - 1;
    if (++sinceClockRead === CHUNKS_PER_CLOCK_READ) {
      sinceClockRead = 0;
      if (chunkHead < consumers.length && now() >= deadlineNs) {
        // Drop the parsed entries so a queue that never empties (sustained overload) does
        // not keep every chunk it ever held.
        consumers.splice(0, chunkHead);
        chunks.splice(0, chunkHead);
        stamps.splice(0, chunkHead);
        chunkHead = 0;
        return false;
      }
    }
  }
  resetChunks();
  return true;
}

function runTasks(deadlineNs: bigint): boolean {
  while (taskHead < tasks.length) {
    const task = tasks[taskHead]!;
    let isDone = true;
    guard(() => {
      isDone = task.step(deadlineNs);
    });
    if (!isDone) {
      compact(tasks, taskHead);
      taskHead = 0;
      return false;
    }
    taskHead++;
    if (taskHead < tasks.length && now() >= deadlineNs) {
      compact(tasks, taskHead);
      taskHead = 0;
      return false;
    }
  }
  tasks.length = 0;
  taskHead = 0;
  return true;
}

function compact<T>(queue: T[], head: number): void {
  if (head > 0) queue.splice(0, head);
}

function resetChunks(): void {
  consumers.length = 0;
  chunks.length = 0;
  stamps.length = 0;
  chunkHead = 0;
}

function noop(): void {}

/**
 * Runs one queued item. Items handle their own failures; one that throws anyway is dropped
 * and its error rethrown from a fresh task, so it surfaces (as Node reports any uncaught
 * error) without leaving the queues stuck on it.
 */
function guard(run: () => void): void {
  try {
    run();
  } catch (error) {
    rethrowLater(error);
  }
}

function rethrowLater(error: unknown): void {
  setImmediate(() => {
    throw error;
  });
}

/** Queues a stamped chunk for parsing after the current poll phase. */
export function enqueueChunk(consumer: ChunkConsumer, chunk: Buffer, stampNs: bigint): void {
  consumers.push(consumer);
  chunks.push(chunk);
  stamps.push(stampNs);
  schedule();
}

/** Queues a request dispatch; dispatches run before any other queued work. */
export function enqueueDispatch(dispatch: () => void): void {
  dispatches.push(dispatch);
  schedule();
}

/** Queues work that runs in slices after dispatches and parsing (per-request accounting). */
export function enqueueTask(task: SlicedTask): void {
  tasks.push(task);
  schedule();
}

const NO_BYTES = Buffer.alloc(0);

/**
 * Queues `run` behind every chunk queued so far, in the parse queue: a response's end (or a
 * timeout that must see its tokens first) is judged after the chunks that preceded it, in
 * slices like them, never by parsing a whole queued body at once.
 */
export function enqueueAfterChunks(run: () => void): void {
  enqueueChunk({ consumeChunk: run }, NO_BYTES, 0n);
}
