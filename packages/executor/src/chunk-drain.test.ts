import { describe, expect, it } from 'vitest';
import { type ChunkConsumer, drainConsumer, enqueueChunk } from './chunk-drain.js';

function consumer(log: string[], name: string, work?: () => void): ChunkConsumer {
  return {
    consumeChunk(chunk, stampNs) {
      log.push(`${name}:${chunk.toString()}@${stampNs}`);
      work?.();
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('chunk drain', () => {
  it('parses nothing inside the data callback and everything, in arrival order, after the poll phase', async () => {
    const log: string[] = [];
    const a = consumer(log, 'a');
    const b = consumer(log, 'b');
    enqueueChunk(a, Buffer.from('1'), 1n);
    enqueueChunk(b, Buffer.from('1'), 2n);
    enqueueChunk(a, Buffer.from('2'), 3n);
    expect(log).toEqual([]);
    await nextTurn();
    expect(log).toEqual(['a:1@1', 'b:1@2', 'a:2@3']);
  });

  it('drains one consumer on demand and leaves the others queued in order', async () => {
    const log: string[] = [];
    const a = consumer(log, 'a');
    const b = consumer(log, 'b');
    enqueueChunk(a, Buffer.from('1'), 1n);
    enqueueChunk(b, Buffer.from('1'), 2n);
    enqueueChunk(a, Buffer.from('2'), 3n);
    drainConsumer(a);
    expect(log).toEqual(['a:1@1', 'a:2@3']);
    await nextTurn();
    expect(log).toEqual(['a:1@1', 'a:2@3', 'b:1@2']);
  });

  it('yields to the poll phase when a large batch takes longer than its budget, losing nothing', async () => {
    const log: string[] = [];
    const busy = () => {
      const until = process.hrtime.bigint() + 50_000n; // 50 µs of parsing per chunk
      while (process.hrtime.bigint() < until) {}
    };
    const slow = consumer(log, 's', busy);
    for (let i = 0; i < 100; i++) enqueueChunk(slow, Buffer.from(String(i)), BigInt(i));
    await nextTurn();
    // 0.2 ms of budget at 50 µs each, checked every 16 chunks: one slice, not the batch.
    expect(log.length).toBe(16);
    while (log.length < 100) await nextTurn();
    expect(log.map((l) => l.split('@')[1])).toEqual(
      Array.from({ length: 100 }, (_, i) => String(i)),
    );
  });
});
