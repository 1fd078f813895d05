import { describe, expect, it } from 'vitest';
import {
  type ChunkConsumer,
  enqueueAfterChunks,
  enqueueChunk,
  enqueueDispatch,
  enqueueTask,
  MAX_PARSE_BYTES,
} from './work-slicer.js';

function consumer(log: string[], name: string, work?: () => void): ChunkConsumer {
  return {
    consumeChunk(chunk, stampNs) {
      log.push(`${name}:${chunk.toString()}@${stampNs}`);
      work?.();
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('work slicer', () => {
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

  it('parses a large chunk in parts of MAX_PARSE_BYTES, in order, before the next chunk', async () => {
    const parts: string[] = [];
    const big: ChunkConsumer = {
      consumeChunk(chunk, stampNs, isLastPart = true) {
        parts.push(`${chunk.length}@${stampNs}${isLastPart ? '' : '+'}`);
      },
    };
    const log: string[] = [];
    enqueueChunk(big, Buffer.alloc(2 * MAX_PARSE_BYTES + 100), 7n);
    enqueueChunk(consumer(log, 'b'), Buffer.from('1'), 8n);
    enqueueChunk(big, Buffer.alloc(10), 9n);
    await nextTurn();
    expect(parts).toEqual([`${MAX_PARSE_BYTES}@7+`, `${MAX_PARSE_BYTES}@7+`, '100@7', '10@9']);
    expect(log).toEqual(['b:1@8']);
  });

  it('runs work queued after chunks once every chunk queued before it is parsed', async () => {
    const log: string[] = [];
    const a = consumer(log, 'a');
    const b = consumer(log, 'b');
    enqueueChunk(a, Buffer.from('1'), 1n);
    enqueueChunk(b, Buffer.from('1'), 2n);
    enqueueAfterChunks(() => log.push('a:end'));
    enqueueChunk(b, Buffer.from('2'), 3n);
    expect(log).toEqual([]);
    await nextTurn();
    expect(log).toEqual(['a:1@1', 'b:1@2', 'a:end', 'b:2@3']);
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
    // 0.5 ms of budget at 50 µs each, checked every 16 chunks: one slice, not the batch.
    expect(log.length).toBe(16);
    while (log.length < 100) await nextTurn();
    expect(log.map((l) => l.split('@')[1])).toEqual(
      Array.from({ length: 100 }, (_, i) => String(i)),
    );
  });

  it('runs dispatches before parsing, and parsing before accounting', async () => {
    const log: string[] = [];
    enqueueTask({
      step: () => {
        log.push('task');
        return true;
      },
    });
    enqueueChunk(consumer(log, 'c'), Buffer.from('1'), 1n);
    enqueueDispatch(() => log.push('dispatch'));
    await nextTurn();
    expect(log).toEqual(['dispatch', 'c:1@1', 'task']);
  });

  it('resumes a long task in later slices, with poll phases in between', async () => {
    let steps = 0;
    const deadlines: bigint[] = [];
    enqueueTask({
      step: (deadlineNs) => {
        deadlines.push(deadlineNs);
        steps++;
        while (process.hrtime.bigint() < deadlineNs) {}
        return steps === 3;
      },
    });
    await nextTurn();
    expect(steps).toBe(1);
    while (steps < 3) await nextTurn();
    expect(new Set(deadlines).size).toBe(3);
  });

  it('spends at most its budget on dispatches before yielding', async () => {
    let done = 0;
    for (let i = 0; i < 100; i++) {
      enqueueDispatch(() => {
        const until = process.hrtime.bigint() + 100_000n; // 0.1 ms each
        while (process.hrtime.bigint() < until) {}
        done++;
      });
    }
    await nextTurn();
    // 0.5 ms of budget, 0.1 ms per dispatch, the clock read after each one: at most 5
    // dispatches start inside the budget, and the one that passes it is the last. (Fewer is
    // possible: the OS may preempt a dispatch mid-spin and spend the budget for it.)
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThanOrEqual(6);
    while (done < 100) await nextTurn();
  });
});
