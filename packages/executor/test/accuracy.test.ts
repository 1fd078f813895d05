import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '@llm-lens/core-timing';
import { JsonlRecordWriter } from '@llm-lens/exporters-json';
import { HttpTransport } from '@llm-lens/providers-core';
import { createOpenAIProvider } from '@llm-lens/providers-openai';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlan } from '../src/index.js';
import {
  median,
  readWriteLog,
  type SimulatorProcess,
  scenario,
  spawnSimulator,
} from './harness.js';

// The simulator runs in its own process, as a real server would, and writes tokens on an
// absolute schedule while logging when it really wrote each one. Both processes read the
// same monotonic clock, so the client's numbers can be checked against the server's log.
describe('timing accuracy against the simulator (TTFT 200 ms, ITL 20 ms)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-accuracy-'));

  // The last case is how a real run goes: the warm-up wave starts every stream together,
  // usage comes only in the final chunk, the offline tokenizer counts every event, and every
  // record is written to a file as it finishes.
  const cases = [
    { concurrency: 1, fullPath: false },
    { concurrency: 32, fullPath: false },
    { concurrency: 32, fullPath: true },
  ];
  for (const { concurrency, fullPath } of cases) {
    describe(`at concurrency ${concurrency}${fullPath ? ', tokenizer on and records written' : ''}`, () => {
      let attempt = 0;
      // Timing on a shared machine: a real error fails every attempt, a noisy neighbour not.
      // Each attempt has its own simulator process and log.
      it('measures p50 TTFT within 3 ms and p50 ITL within 1 ms of the configured values', {
        retry: 2,
      }, async () => {
        attempt++;
        const logFile = join(dir, `writes-${concurrency}-${fullPath}-${attempt}.jsonl`);
        const recordsFile = join(dir, `records-${concurrency}-${attempt}.jsonl`);
        const simulator: SimulatorProcess = await spawnSimulator({
          ttftMs: 200,
          itlMs: 20,
          outputTokens: 16,
          seed: 3,
          writeLogFile: logFile,
        });
        const transport = new HttpTransport();
        const requests = concurrency === 1 ? 10 : 64;
        const provider = createOpenAIProvider({
          id: 'openai-compatible',
          baseUrl: simulator.baseUrl,
        });
        const records: RequestRecord[] = [];
        let summary: Awaited<ReturnType<typeof runPlan>>;
        try {
          summary = await runPlan(
            {
              targets: [{ provider, transport, model: 'mock-model' }],
              // Warm-up opens the connections, so measured requests run on warm sockets.
              scenarios: [scenario({ requests, concurrency, warmup: concurrency })],
            },
            {
              tokenizer: fullPath ? 'offline' : 'none',
              sinks: fullPath ? [new JsonlRecordWriter(recordsFile)] : [],
              onRecord: (record) => {
                if (!record.isWarmup) records.push(record);
              },
            },
          );
        } finally {
          await transport.close();
          // Closing flushes the simulator's write log.
          await simulator.close();
        }
        const group = summary.groups[0]!;
        expect(group.requests).toMatchObject({ total: requests, succeeded: requests, failed: 0 });
        if (fullPath) {
          const written = readFileSync(recordsFile, 'utf8').trim().split('\n');
          expect(written).toHaveLength(requests + concurrency);
          expect(group.token_count_mismatches).toBe(0);
        }
        expect(Math.abs(group.itl!.p50 - 20)).toBeLessThanOrEqual(1);
        expect(Math.abs(group.chunk_gap!.p50 - 20)).toBeLessThanOrEqual(1);
        expect(Math.abs(group.tpot!.p50 - 20)).toBeLessThanOrEqual(1);
        expect(group.tokens.output).toBe(requests * 16);

        // Join each request with the server's own log (the simulator adopts our x-request-id)
        // and compare stamps: both processes read the same monotonic clock.
        const writes = new Map(readWriteLog(logFile).map((r) => [r.requestId, r]));
        const ttftErrors: number[] = [];
        const intakeDelays: number[] = [];
        const gapErrors: number[] = [];
        for (const record of records) {
          const server = writes.get(record.requestId)!;
          expect(server.tokenWritesNs).toHaveLength(record.tokenEventOffsetsNs.length);
          const clientFirst = record.dispatchNs + record.ttftNs!;
          intakeDelays.push(Number(server.arrivalNs - record.dispatchNs) / 1e6);
          ttftErrors.push(Number(clientFirst - server.tokenWritesNs[0]!) / 1e6);
          for (let i = 1; i < server.tokenWritesNs.length; i++) {
            const clientGap = record.tokenEventOffsetsNs[i]! - record.tokenEventOffsetsNs[i - 1]!;
            const serverGap = Number(server.tokenWritesNs[i]! - server.tokenWritesNs[i - 1]!);
            gapErrors.push((clientGap - serverGap) / 1e6);
          }
        }
        // A token is stamped a fraction of a millisecond after the server wrote it, and the
        // gaps between tokens are what the server produced.
        // (The server stamps after its write returns; a client on the other core can read the
        // bytes a few µs before that.)
        expect(median(ttftErrors)).toBeGreaterThanOrEqual(-0.1);
        expect(median(ttftErrors)).toBeLessThanOrEqual(2);
        expect(Math.abs(median(gapErrors))).toBeLessThanOrEqual(0.2);

        // Against the configured 200 ms. The server starts its TTFT clock when it has read
        // the request; with 32 requests sent at once on a 2-core machine it reads them one
        // after another, up to a few ms after they were sent. That wait is real server-side
        // latency which the client rightly includes; it is taken out per request here, so
        // the check is about the client.
        const adjustedTtft = records.map(
          (r, i) => Number(r.ttftNs!) / 1e6 - (concurrency === 1 ? 0 : intakeDelays[i]!),
        );
        expect(
          Math.abs(median(adjustedTtft) - 200),
          `p50 TTFT ${group.ttft!.p50} ms, less intake ${median(adjustedTtft)} ms`,
        ).toBeLessThanOrEqual(3);
        if (concurrency === 1) expect(Math.abs(group.ttft!.p50 - 200)).toBeLessThanOrEqual(3);
      });
    });
  }

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});
