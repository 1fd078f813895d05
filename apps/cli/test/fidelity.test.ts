// The client's own fidelity, as a user runs it: nothing is loaded or compiled while
// requests are measured, load spreads over worker threads, and `calibrate` states a bound.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-fidelity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TRACE = fileURLToPath(new URL('./fixtures/load-trace.mjs', import.meta.url));

interface TraceEvent {
  kind: 'esm' | 'cjs' | 'wasm' | 'run';
  what: string;
  ns: string;
}

describe('nothing loads after the first dispatch', () => {
  it('loads every module, vocabulary and WebAssembly parser before the run starts', async () => {
    const traceFile = join(dir, 'trace.json');
    const result = await runCli(
      [
        'benchmark',
        '-p',
        'mock',
        '-m',
        'gpt-4o-mini', // an OpenAI model name: the o200k vocabulary is loaded for it
        '-n',
        '24',
        '-C',
        '8',
        '-w',
        '8',
        '--records',
        join(dir, 'records.jsonl'),
        '-o',
        join(dir, 'summary.json'),
      ],
      { env: { LOAD_TRACE_FILE: traceFile }, nodeArgs: ['--import', TRACE] },
    );
    expect(result.code, result.stderr).toBe(0);
    const events = JSON.parse(readFileSync(traceFile, 'utf8')) as TraceEvent[];
    const start = BigInt(events.find((e) => e.kind === 'run' && e.what === 'start')!.ns);
    const end = BigInt(events.find((e) => e.kind === 'run' && e.what === 'end')!.ns);
    const before = events.filter((e) => e.kind !== 'run' && BigInt(e.ns) < start);
    const during = events.filter(
      (e) => e.kind !== 'run' && BigInt(e.ns) > start && BigInt(e.ns) < end,
    );
    // The tracer sees loads: the vocabulary, undici's parser and the exporters came before.
    expect(before.some((e) => e.what.includes('o200k_base'))).toBe(true);
    expect(before.some((e) => e.kind === 'wasm')).toBe(true);
    expect(before.some((e) => e.what.includes('exporters-json'))).toBe(true);
    expect(during.map((e) => `${e.kind} ${e.what}`)).toEqual([]);
  });
});

describe('--workers', () => {
  it('runs the load on worker threads and reports each one', async () => {
    const records = join(dir, 'workers.jsonl');
    const result = await runCli([
      'benchmark',
      '--workers',
      '2',
      '-n',
      '12',
      '-C',
      '4',
      '--records',
      records,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.fidelity.workers).toBe(2);
    expect(summary.fidelity.threads.map((t: { thread: string }) => t.thread)).toEqual([
      'worker-1',
      'worker-2',
    ]);
    expect(summary.groups[0].requests).toMatchObject({
      planned: 12,
      total: 12,
      succeeded: 12,
      warmup: 2,
    });
    expect(readFileSync(records, 'utf8').trim().split('\n')).toHaveLength(14);
    const bad = await runCli(['benchmark', '--workers', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: --workers: must be a positive integer or "auto", got "many"\n');
  });
});

describe('llm-lens calibrate', () => {
  it('reports the client error at a load, every token joined with the simulator log', async () => {
    const result = await runCli([
      'calibrate',
      '-C',
      '16',
      '--tokens',
      '8',
      '--itl',
      '10',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const calibration = JSON.parse(result.stdout);
    expect(calibration).toMatchObject({
      concurrency: 16,
      stream_tokens: 8,
      itl_ms: 10,
      workers: 1,
    });
    // Every measured request and every one of its gaps matched the server's own log.
    expect(calibration.requests).toBe(16);
    expect(calibration.gaps).toBe(16 * 7);
    for (const key of ['ttft_error_ms', 'chunk_gap_error_ms']) {
      const { p50, p99, max } = calibration[key];
      expect(p50).toBeLessThanOrEqual(p99);
      expect(p99).toBeLessThanOrEqual(max);
      // A client stamp cannot precede the server's write by more than clock read jitter.
      if (key === 'ttft_error_ms') expect(p50).toBeGreaterThan(-0.1);
      expect(p99).toBeLessThan(50);
    }
  });

  it('is quoted by benchmark --calibrate in the summary and the fidelity line', async () => {
    const result = await runCli([
      'benchmark',
      '--calibrate',
      '-n',
      '8',
      '-C',
      '4',
      '--max-tokens',
      '8',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /client error on this machine at C=4 \(8-token streams, ITL 20 ms, 1 worker\): TTFT p50/,
    );
    expect(result.stdout).toMatch(
      /measurement error on this machine at C=4: TTFT p99 ≤ -?[\d.]+ ms, gap p99 ≤ -?[\d.]+ ms/,
    );
    const json = await runCli([
      'benchmark',
      '--calibrate',
      '-n',
      '4',
      '-C',
      '2',
      '--max-tokens',
      '6',
      '--json',
    ]);
    const calibration = JSON.parse(json.stdout).fidelity.calibration;
    expect(calibration).toMatchObject({ concurrency: 2, stream_tokens: 6, requests: 2, gaps: 10 });
  });
});
