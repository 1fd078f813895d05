/**
 * Defers parsing out of the socket data callback.
 *
 * A batching server writes one token to every running stream in the same decode step, so
 * at concurrency C the client gets C readable sockets in one event-loop turn and reads
 * them back to back. Whatever runs inside each data callback delays the stamp of every
 * later socket in that turn. So the callback only stamps the chunk and queues it here;
 * the queue is drained in a `setImmediate`, after the poll phase has delivered (and
 * stamped) every chunk that was ready.
 */
export interface ChunkConsumer {
  consumeChunk(chunk: Buffer, stampNs: bigint): void;
}

const consumers: ChunkConsumer[] = [];
const chunks: Buffer[] = [];
const stamps: bigint[] = [];
let scheduled = false;

function drain(): void {
  scheduled = false;
  // Index loop over parallel arrays: no per-chunk tuple objects on the hot path.
  for (let i = 0; i < consumers.length; i++) {
    consumers[i]!.consumeChunk(chunks[i]!, stamps[i]!);
  }
  consumers.length = 0;
  chunks.length = 0;
  stamps.length = 0;
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
 * ends, so the end is never processed before the chunks that preceded it.
 */
export function drainConsumer(consumer: ChunkConsumer): void {
  let write = 0;
  for (let i = 0; i < consumers.length; i++) {
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
}
