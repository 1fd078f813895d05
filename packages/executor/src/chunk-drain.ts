import { now } from '@llm-lens/core-timing';

/**
 * Defers parsing out of the socket data callback.
 *
 * A batching server writes one token to every running stream in the same decode step, so
 * at concurrency C the client gets C readable sockets in one event-loop turn and reads
 * them back to back. Whatever runs inside each data callback delays the stamp of every
 * later socket in that turn. So the callback only stamps the chunk and queues it here;
 * the queue is drained in a `setImmediate`, after the poll phase has delivered (and
 * stamped) every chunk that was ready.
 *
 * The drain itself is bounded too: after DRAIN_BUDGET_NS of parsing it yields to the next
 * poll phase (another `setImmediate`), so chunks that arrive while a large batch is parsed
 * are stamped within about that budget rather than after the whole batch.
 */
export interface ChunkConsumer {
  consumeChunk(chunk: Buffer, stampNs: bigint): void;
}

/** Parsing time after which a drain yields to the poll phase, ns (0.2 ms). */
const DRAIN_BUDGET_NS = 200_000n;
/** Chunks parsed between two clock reads: a clock read costs about as much as a small parse. */
const CHUNKS_PER_CLOCK_READ = 16;

// A FIFO in parallel arrays from `head` on: no per-chunk tuple objects on the hot path.
const consumers: ChunkConsumer[] = [];
const chunks: Buffer[] = [];
const stamps: bigint[] = [];
let head = 0;
let scheduled = false;

function drain(): void {
  scheduled = false;
  const deadlineNs = now() + DRAIN_BUDGET_NS;
  let sinceClockRead = 0;
  while (head < consumers.length) {
    // `head` moves first: a drainConsumer() from inside consumeChunk starts after this entry.
    const i = head++;
    consumers[i]!.consumeChunk(chunks[i]!, stamps[i]!);
    if (++sinceClockRead === CHUNKS_PER_CLOCK_READ) {
      sinceClockRead = 0;
      if (head < consumers.length && now() >= deadlineNs) {
        // Drop the parsed entries so a queue that never empties (sustained overload) does
        // not keep every chunk it ever held.
        consumers.splice(0, head);
        chunks.splice(0, head);
        stamps.splice(0, head);
        head = 0;
        scheduled = true;
        setImmediate(drain);
        return;
      }
    }
  }
  reset();
}

function reset(): void {
  consumers.length = 0;
  chunks.length = 0;
  stamps.length = 0;
  head = 0;
}

/** Queues a stamped chunk for parsing after the current poll phase. */
export function enqueueChunk(consumer: ChunkConsumer, chunk: Buffer, stampNs: bigint): void {
  consumers.push(consumer);
  chunks.push(chunk);
  stamps.push(stampNs);
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
}

/**
 * Parses every queued chunk of one consumer now, in arrival order. Used when its response
 * ends (or a timeout needs its events), so nothing is judged before the chunks that
 * preceded it.
 */
export function drainConsumer(consumer: ChunkConsumer): void {
  let write = head;
  for (let i = head; i < consumers.length; i++) {
    const c = consumers[i]!;
    if (c === consumer) {
      c.consumeChunk(chunks[i]!, stamps[i]!);
    } else {
      consumers[write] = c;
      chunks[write] = chunks[i]!;
      stamps[write] = stamps[i]!;
      write++;
    }
  }
  consumers.length = write;
  chunks.length = write;
  stamps.length = write;
  if (head === write) reset();
}
