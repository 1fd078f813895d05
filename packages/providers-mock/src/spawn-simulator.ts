import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { SimulatorStats } from './simulator.js';
import { LensSimulatorError } from './simulator-error.js';
import type { SimulatorOptions } from './simulator-options.js';
import { parseWriteLogLine, type WriteRecord } from './write-log.js';

/** Options of {@link spawnSimulator}. */
export interface SpawnSimulatorOptions {
  /** Pin the simulator to this CPU core with `taskset` (Linux). Default: not pinned. */
  core?: number | undefined;
}

/** A simulator running in a child process. */
export interface SimulatorProcess {
  /** `http://127.0.0.1:PORT/v1` */
  readonly baseUrl: string;
  /** The simulator's CPU time so far, µs. */
  cpuUs(): Promise<number>;
  /** Stops it (flushing its write log) and resolves to its counters and CPU time. */
  close(): Promise<{ stats: SimulatorStats; cpuUs: number }>;
}

/**
 * Starts the simulator in a child process (`node`, under `taskset -c <core>` when a core is
 * given) and resolves once it listens. Use `writeLogFile` in the options to learn, after
 * `close()`, when it really wrote each token (see {@link readWriteLogFile}).
 */
export async function spawnSimulator(
  options: SimulatorOptions,
  spawnOptions: SpawnSimulatorOptions = {},
): Promise<SimulatorProcess> {
  const script = processScript();
  const args = [script, JSON.stringify(options)];
  const core = spawnOptions.core;
  const child =
    core === undefined
      ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn('taskset', ['-c', String(core), process.execPath, ...args], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
  const lines: unknown[] = [];
  let waiting: ((line: unknown) => void) | undefined;
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, newline)) as unknown;
      buffer = buffer.slice(newline + 1);
      if (waiting !== undefined) {
        const wake = waiting;
        waiting = undefined;
        wake(line);
      } else lines.push(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const nextLine = <T>(): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (lines.length > 0) {
        resolve(lines.shift() as T);
        return;
      }
      waiting = resolve as (line: unknown) => void;
      exited.then((code) =>
        reject(
          new LensSimulatorError(
            'LENS_SIMULATOR_LISTEN_FAILED',
            `the simulator process exited (code ${code}) before answering`,
          ),
        ),
      );
    });
  const { baseUrl } = await nextLine<{ baseUrl: string }>();
  return {
    baseUrl: `${baseUrl}`,
    async cpuUs() {
      child.kill('SIGUSR2');
      return (await nextLine<{ cpuUs: number }>()).cpuUs;
    },
    async close() {
      child.kill('SIGTERM');
      const report = await nextLine<{ stats: SimulatorStats; cpuUs: number }>();
      await exited;
      return report;
    },
  };
}

/** Reads a simulator's write-log file into a map from request id to its write record. */
export function readWriteLogFile(path: string): Map<string, WriteRecord> {
  const byId = new Map<string, WriteRecord>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.length === 0) continue;
    const record = parseWriteLogLine(line);
    byId.set(record.requestId, record);
  }
  return byId;
}

/** dist/simulator-process.js; from the TypeScript source (this package's tests), the built one. */
function processScript(): string {
  const here = new URL(import.meta.url);
  const url = here.pathname.endsWith('.ts')
    ? new URL('../dist/simulator-process.js', here)
    : new URL('./simulator-process.js', here);
  return url.pathname;
}
