// Starts the simulator in a child process (pinned to its own core when taskset is there)
// and reads its write log once it has exited.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseWriteLogLine } from '@llm-lens/providers-mock';

const SCRIPT = fileURLToPath(new URL('./simulator-process.mjs', import.meta.url));

/**
 * Spawns `node simulator-process.mjs '<options>'`, under `taskset -c <core>` when `core` is
 * given. Resolves once it listens, with its base URL, `cpuUs()` and a `close()` that stops
 * it (flushing the write log) and resolves to the simulator's own counters and CPU time.
 */
export async function spawnSimulator(options, { core } = {}) {
  const nodeArgs = [SCRIPT, JSON.stringify(options)];
  const child =
    core === undefined
      ? spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn('taskset', ['-c', String(core), process.execPath, ...nodeArgs], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
  const lines = [];
  let buffer = '';
  let onLine = () => {};
  child.stdout.on('data', (chunk) => {
    buffer += chunk.toString();
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      lines.push(JSON.parse(buffer.slice(0, newline)));
      buffer = buffer.slice(newline + 1);
      onLine();
    }
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const nextLine = () =>
    new Promise((resolve, reject) => {
      if (lines.length > 0) {
        resolve(lines.shift());
        return;
      }
      onLine = () => resolve(lines.shift());
      exited.then((code) => reject(new Error(`the simulator process exited with code ${code}`)));
    });
  const { baseUrl } = await nextLine();
  return {
    baseUrl,
    /** The simulator's CPU time so far, µs. */
    async cpuUs() {
      child.kill('SIGUSR2');
      return (await nextLine()).cpuUs;
    },
    async close() {
      child.kill('SIGTERM');
      const report = await nextLine();
      await exited;
      return report;
    },
  };
}

/** Reads a simulator write-log file into a Map from request id to its write record. */
export function readWriteLog(path) {
  const byId = new Map();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.length === 0) continue;
    const record = parseWriteLogLine(line);
    byId.set(record.requestId, record);
  }
  return byId;
}
