/**
 * Runs the real `llm-lens benchmark` in a child process, as a user would, and watches it:
 * exit code, the summary JSON on stdout, wall-clock time, and peak RSS (VmHWM from
 * /proc/<pid>/status, sampled while it runs, so a runaway can be stopped before it takes the
 * machine down).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The workspace's CLI; `--cli` (or `cliPath`) points the suite at another build. */
export const CLI_PATH = fileURLToPath(new URL('../../apps/cli/bin/llm-lens.js', import.meta.url));
/** Exit codes the CLI documents for a run that completed: 0 ok, 1 requests failed. */
const COMPLETED_EXIT_CODES = new Set([0, 1]);
const SAMPLE_EVERY_MS = 50;
/** A client past this much memory is stopped: it is failing its bound by far already. */
const RSS_KILL_BYTES = 4 * 1024 * 1024 * 1024;

async function readPeakRss(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/**
 * @typedef {object} CliRun
 * @property {number | null} exitCode
 * @property {string | null} signal
 * @property {object | undefined} summary the parsed `--json` summary, if stdout held one
 * @property {string} stderr the last 4 KB of stderr
 * @property {number} peakRssBytes
 * @property {number} wallMs
 * @property {'wall-clock' | 'memory' | undefined} killedFor
 * @property {boolean} isCrashed exit code other than 0/1, a signal, or no summary
 * @property {string} command the command line, for a report
 */

/**
 * Runs one benchmark.
 * @param {{ args: string[], wallLimitMs: number, cliPath?: string }} options
 * @returns {Promise<CliRun>}
 */
export function runCli({ args, wallLimitMs, cliPath = CLI_PATH }) {
  const started = performance.now();
  const child = spawn(process.execPath, [cliPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const stdout = [];
  let stderr = '';
  child.stdout.on('data', (data) => stdout.push(data));
  child.stderr.on('data', (data) => {
    stderr = (stderr + data.toString('utf8')).slice(-4096);
  });
  let peakRssBytes = 0;
  let killedFor;
  let sampling = false;
  const sampler = setInterval(async () => {
    if (sampling) return;
    sampling = true;
    const rss = await readPeakRss(child.pid);
    sampling = false;
    peakRssBytes = Math.max(peakRssBytes, rss);
    if (rss > RSS_KILL_BYTES && killedFor === undefined) {
      killedFor = 'memory';
      child.kill('SIGKILL');
    }
  }, SAMPLE_EVERY_MS);
  const wallTimer = setTimeout(() => {
    killedFor ??= 'wall-clock';
    child.kill('SIGKILL');
  }, wallLimitMs);
  return new Promise((resolve) => {
    child.on('close', (exitCode, signal) => {
      clearInterval(sampler);
      clearTimeout(wallTimer);
      let summary;
      try {
        summary = JSON.parse(Buffer.concat(stdout).toString('utf8'));
      } catch {
        summary = undefined;
      }
      resolve({
        exitCode,
        signal,
        summary,
        stderr,
        peakRssBytes,
        wallMs: performance.now() - started,
        killedFor,
        isCrashed:
          killedFor !== undefined || !COMPLETED_EXIT_CODES.has(exitCode) || summary === undefined,
        command: `node ${cliPath} ${args.join(' ')}`,
      });
    });
  });
}

/** The records of a JSONL file, by request id; lines that do not parse are returned apart. */
export async function readRecords(path) {
  const records = new Map();
  const unreadable = [];
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { records, unreadable };
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line);
      records.set(record.request_id, record);
    } catch {
      unreadable.push(line.slice(0, 200));
    }
  }
  return { records, unreadable };
}
