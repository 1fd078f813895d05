// What one socket read costs the client before any of our code runs: the same saturated
// lockstep streams read by three bare readers that only stamp and count. If a hand-written
// HTTP reader were much cheaper than undici, it would show here.
import net from 'node:net';
import { spawnSimulator } from '@llm-lens/providers-mock';
import { Agent } from 'undici';
import { dispatchBare } from './bare-dispatch.mjs';

// The last bytes of a chunked body: the empty last chunk after the previous chunk's CRLF.
const BODY_END = Buffer.from('\r\n0\r\n\r\n');

/** Tracks the tail of a chunked body across reads, so an end split over two reads is seen. */
function endWatcher() {
  const tail = Buffer.alloc(BODY_END.length);
  let filled = 0;
  return (buffer, length) => {
    if (length >= BODY_END.length) {
      buffer.copy(tail, 0, length - BODY_END.length, length);
      filled = BODY_END.length;
    } else {
      const keep = Math.min(filled, BODY_END.length - length);
      tail.copy(tail, 0, filled - keep, filled);
      buffer.copy(tail, keep, 0, length);
      filled = keep + length;
    }
    return filled === BODY_END.length && tail.equals(BODY_END);
  };
}

function rawRequest(url, body) {
  return (
    `POST /v1/chat/completions HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

const counters = { reads: 0, lastStampNs: 0n };

const READERS = {
  /** `net.Socket` 'data' events: a fresh Buffer per read. */
  'net.Socket data': (url, body) =>
    new Promise((resolve, reject) => {
      const isEnd = endWatcher();
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.setNoDelay(true);
        socket.write(rawRequest(url, body));
      });
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        counters.lastStampNs = process.hrtime.bigint();
        counters.reads += 1;
        if (isEnd(chunk, chunk.length)) {
          socket.destroy();
          resolve();
        }
      });
    }),
  /** `net.Socket` with `onread`: every read lands in one reused buffer, no allocation. */
  'net.Socket onread': (url, body, shared) =>
    new Promise((resolve, reject) => {
      const isEnd = endWatcher();
      const socket = net.connect(
        {
          port: Number(url.port),
          host: url.hostname,
          onread: {
            buffer: shared,
            callback: (length, buffer) => {
              counters.lastStampNs = process.hrtime.bigint();
              counters.reads += 1;
              if (isEnd(buffer, length)) {
                socket.destroy();
                resolve();
              }
            },
          },
        },
        () => {
          socket.setNoDelay(true);
          socket.write(rawRequest(url, body));
        },
      );
      socket.on('error', reject);
    }),
  /** undici `Agent.dispatch` with a handler that only stamps: undici's cost, none of ours. */
  'undici dispatch': (url, body, _shared, agent) =>
    dispatchBare(
      agent,
      {
        origin: url.origin,
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      },
      () => {
        counters.lastStampNs = process.hrtime.bigint();
        counters.reads += 1;
      },
    ),
};

/**
 * Runs `rounds` alternating rounds of every reader on `concurrency` lockstep streams (after
 * one warm-up round each) and returns, per reader, the CPU microseconds per socket read of
 * every round and of the best one.
 */
export async function runIntakeFloor(
  { concurrency, itlMs, ttftMs, outputTokens, rounds },
  { simulatorCore } = {},
) {
  const simulator = await spawnSimulator(
    { mode: 'lockstep', ttftMs, itlMs, outputTokens, seed: 3 },
    { core: simulatorCore },
  );
  const url = new URL(simulator.baseUrl);
  const body = JSON.stringify({
    model: 'mock-model',
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: outputTokens,
    messages: [{ role: 'user', content: 'Say something.' }],
  });
  const shared = Buffer.allocUnsafe(64 * 1024);
  const agent = new Agent();
  const runRound = async (read) => {
    counters.reads = 0;
    const cpuBefore = process.cpuUsage();
    await Promise.all(Array.from({ length: concurrency }, () => read(url, body, shared, agent)));
    const cpu = process.cpuUsage(cpuBefore);
    const cpuUs = cpu.user + cpu.system;
    return {
      reads: counters.reads,
      cpuUsPerRead: cpuUs / counters.reads,
      readsPerCpuS: counters.reads / (cpuUs / 1e6),
    };
  };
  const results = {};
  try {
    for (const read of Object.values(READERS)) await runRound(read);
    for (let round = 0; round < rounds; round++) {
      for (const [name, read] of Object.entries(READERS)) {
        const outcome = await runRound(read);
        results[name] ??= { rounds: [] };
        results[name].rounds.push(outcome);
      }
    }
  } finally {
    await agent.close();
    await simulator.close();
  }
  for (const result of Object.values(results)) {
    result.best = result.rounds.reduce((a, b) => (b.cpuUsPerRead < a.cpuUsPerRead ? b : a));
  }
  return { concurrency, itlMs, outputTokens, readers: results };
}
