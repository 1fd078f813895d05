import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LensSimulatorError,
  parseWriteLogLine,
  type RunningSimulator,
  serveSimulatorUntilSignal,
  startSimulator,
} from '../src/index.js';
import { postJson, streamCompletion } from './sse-exchange.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llm-lens-mock-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('serveSimulatorUntilSignal', () => {
  it('serves until its abort signal fires, then closes', async () => {
    const abort = new AbortController();
    let readyUrl = '';
    const served = serveSimulatorUntilSignal(
      { ttftMs: 1, itlMs: 1, outputTokens: 2 },
      {
        signal: abort.signal,
        onReady: (url) => {
          readyUrl = url;
        },
      },
    );
    while (readyUrl === '') await new Promise((resolve) => setImmediate(resolve));
    expect(readyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${readyUrl}/healthz`)).status).toBe(200);
    abort.abort();
    await served;
    await expect(fetch(`${readyUrl}/healthz`)).rejects.toThrow();
  });

  it('closes on a process signal it listens for', async () => {
    let simulator: RunningSimulator | undefined;
    const before = process.listenerCount('SIGUSR2');
    const served = serveSimulatorUntilSignal(
      {},
      {
        signals: ['SIGUSR2'],
        onReady: (_url, running) => {
          simulator = running;
        },
      },
    );
    while (simulator === undefined) await new Promise((resolve) => setImmediate(resolve));
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    process.kill(process.pid, 'SIGUSR2');
    await served;
    expect(process.listenerCount('SIGUSR2')).toBe(before);
    await expect(fetch(`${simulator.url}/healthz`)).rejects.toThrow();
  });
});

describe('write-log file', () => {
  it('appends one JSON line per finished request with exact ns stamps', async () => {
    const file = join(dir, 'writes.jsonl');
    const sim = await startSimulator({
      ttftMs: 1,
      itlMs: 1,
      outputTokens: 3,
      writeLogFile: file,
      seed: 1,
    });
    expect(sim.writeLog).toBeUndefined();
    await streamCompletion(
      `${sim.baseUrl}/chat/completions`,
      { model: 'm', messages: [], stream: true },
      { 'x-request-id': 'file-1' },
    );
    await (await postJson(`${sim.baseUrl}/completions`, { model: 'm', prompt: 'x' })).text();
    await sim.close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    const [streamed, whole] = lines.map(parseWriteLogLine);
    expect(streamed).toMatchObject({
      requestId: 'file-1',
      path: '/v1/chat/completions',
      status: 200,
      outcome: 'completed',
    });
    expect(streamed!.tokenWritesNs).toHaveLength(3);
    expect(streamed!.tokenWritesNs[0]! > streamed!.arrivalNs).toBe(true);
    expect(streamed!.endNs! >= streamed!.tokenWritesNs[2]!).toBe(true);
    expect(whole).toMatchObject({ path: '/v1/completions', status: 200, tokenWritesNs: [] });
  });

  it('fails at start with an actionable error when the file cannot be opened', async () => {
    const error = await startSimulator({ writeLogFile: join(dir, 'missing-dir', 'w.jsonl') }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LensSimulatorError);
    expect((error as LensSimulatorError).code).toBe('LENS_SIMULATOR_WRITE_LOG_FAILED');
    expect((error as Error).message).toContain('missing-dir');
  });
});

describe('listening', () => {
  it('reports a port that is taken with LENS_SIMULATOR_LISTEN_FAILED', async () => {
    const first = await startSimulator();
    try {
      const error = await startSimulator({ port: first.port }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LensSimulatorError);
      expect((error as LensSimulatorError).code).toBe('LENS_SIMULATOR_LISTEN_FAILED');
      expect((error as Error).message).toContain(`127.0.0.1:${first.port}`);
    } finally {
      await first.close();
    }
  });

  it('ends in-flight streams and keep-alive sockets on close', async () => {
    const sim = await startSimulator({
      ttftMs: 1,
      itlMs: 50,
      outputTokens: 100,
      recordWrites: true,
    });
    const response = await postJson(`${sim.baseUrl}/chat/completions`, {
      model: 'm',
      messages: [],
      stream: true,
    });
    const reader = response.body!.getReader();
    await reader.read();
    expect(sim.stats().active).toBe(1);
    await sim.close();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return;
      })(),
    ).rejects.toThrow();
    expect(sim.stats().active).toBe(0);
    expect(sim.writeLog!.records[0]!.outcome).toBe('server_closed');
  });
});
