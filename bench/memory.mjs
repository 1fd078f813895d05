// Memory of long runs: the CLI's own process (`apps/cli/bin/llm-lens.js`, non-streaming, 64 in
// flight, records streamed to a JSONL file) against a zero-latency OpenAI-compatible server in
// a process of its own, at 30,000 to 1,000,000 requests, with its resident set sampled from
// /proc while it runs. Next to it, the same requests through a bare undici loop in a process
// of the same shape: what Node and an HTTP client hold with none of our code.
//
// This file is also the two child programs, so the bench needs no other file:
//   node memory.mjs --serve [--no-usage]          the zero-latency server; prints its port
//   node memory.mjs --bare <request JSON> <n> <C> the bare undici loop
// and can run alone: node memory.mjs [--sizes=30000,100000] [--workers=1,2] [--node-flags=...]
// Its top level imports only Node's own modules: a child's resident set must not include the
// bench's.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(import.meta.url);
const CLI = fileURLToPath(new URL('../apps/cli/bin/llm-lens.js', import.meta.url));
const MODEL = 'm';
const PROMPT = 'Say something.';
/** How often the child's resident set is read, ms. */
const SAMPLE_MS = 500;
/**
 * A child's largest resident set over its whole life, written to stderr as it exits: the
 * peak between two samples (or after the last one) is not missed. Node's own modules only.
 */
const PEAK_PROBE =
  'data:text/javascript,import{readFileSync as r,writeSync as w}from"node:fs";' +
  'process.on("exit",()=>{const m=/VmHWM:\\s+(\\d+)/.exec(r("/proc/self/status","utf8"));' +
  'if(m)w(2,"\\n@@peak-rss-kb "+m[1]+"\\n")})';

/** The section of `pnpm bench`: sizes, concurrency and the budget of the issue. */
export const MEMORY_SCENARIO = {
  name: 'memory',
  concurrency: 64,
  sizes: [30_000, 100_000, 300_000, 1_000_000],
  /** Worker threads measured at the largest size besides one thread (`--workers`). */
  workersAtLargest: [2],
  budgetMb: 150,
};

// ---------------------------------------------------------------- child: the server

/**
 * The zero-latency server: every POST gets one canned chat.completion at once (keep-alive,
 * content-length), with `usage` unless `withUsage` is false.
 */
function serve(withUsage) {
  const completion = {
    id: 'chatcmpl-memory',
    object: 'chat.completion',
    created: 1,
    model: MODEL,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello there, general.' },
        finish_reason: 'stop',
      },
    ],
  };
  if (withUsage) completion.usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
  const body = Buffer.from(JSON.stringify(completion));
  const headers = { 'content-type': 'application/json', 'content-length': body.length };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, headers);
      response.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${server.address().port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

// ---------------------------------------------------------------- child: the bare loop

/**
 * `requests` requests, `concurrency` at a time, through one undici Agent (HTTP/1.1, no
 * pipelining, as our transport) with a handler that only counts body bytes. Prints progress
 * lines (`@@done N`) and, at the end, `@@bare {json}` with its event-loop delay.
 */
async function runBare(requestJson, requests, concurrency) {
  const { Agent } = await import('undici');
  const { EventLoopMonitor } = await import('@llm-lens/core-timing');
  const request = JSON.parse(requestJson);
  const agent = new Agent({ pipelining: 1 });
  const monitor = new EventLoopMonitor();
  let started = 0;
  let done = 0;
  let failed = 0;
  const one = () =>
    new Promise((resolve) => {
      let bytes = 0;
      agent.dispatch(request, {
        onRequestStart() {},
        onResponseStart() {},
        onResponseData(_controller, chunk) {
          bytes += chunk.length;
        },
        onResponseEnd() {
          resolve(bytes > 0);
        },
        onResponseError() {
          resolve(false);
        },
      });
    });
  const progress = setInterval(() => process.stdout.write(`@@done ${done}\n`), SAMPLE_MS / 2);
  monitor.start();
  const startNs = process.hrtime.bigint();
  const loop = async () => {
    while (started < requests) {
      started++;
      if (!(await one())) failed++;
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  monitor.stop();
  clearInterval(progress);
  await agent.close();
  const loopDelay = monitor.snapshot();
  process.stdout.write(
    `@@bare ${JSON.stringify({ done, failed, seconds, eventLoopDelayP99Ms: loopDelay.p99Ms, eventLoopDelayMaxMs: loopDelay.maxMs })}\n`,
  );
}

// ---------------------------------------------------------------- the parent

function spawnPinned(core, args, options) {
  return core === undefined
    ? spawn(process.execPath, args, options)
    : spawn('taskset', ['-c', String(core), process.execPath, ...args], options);
}

/** Starts the zero-latency server in its own process (on `core`); resolves once it listens. */
export async function startZeroServer({ core, withUsage = true } = {}) {
  const child = spawnPinned(core, [SCRIPT, '--serve', ...(withUsage ? [] : ['--no-usage'])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(Number(text.trim()));
    });
    child.once('exit', (code) => reject(new Error(`the zero-latency server exited (${code})`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The fields of /proc/<pid>/status that say how much memory it holds, KB; null once it is gone. */
function readStatus(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
    return match ? Number(match[1]) : null;
  };
  return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
}

/**
 * Runs `args` in a child process and samples its resident set every SAMPLE_MS.
 * `progressOf(sample, lastStdoutDone)` says how many requests it had done at a sample.
 * Resolves to { samples: [{ s, rssKb, done }], peakKb, stdout, stderr, code, seconds }.
 */
async function sampleChild(args, { nodeFlags = [], env = {}, progressOf = () => null }) {
  const child = spawn(process.execPath, [...nodeFlags, '--import', PEAK_PROBE, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const startMs = Date.now();
  const samples = [];
  let stdout = '';
  let stderr = '';
  let lastDone = null;
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    // Keeps only what is not a progress line, so a million-request run holds no megabytes here.
    const lines = stdout.split('\n');
    stdout = '';
    for (const [i, line] of lines.entries()) {
      if (line.startsWith('@@done ')) lastDone = Number(line.slice(7));
      else stdout += i === lines.length - 1 ? line : `${line}\n`;
    }
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let peakKb = 0;
  const sample = () => {
    const status = readStatus(child.pid);
    if (status === null || status.rssKb === null) return;
    peakKb = Math.max(peakKb, status.peakKb ?? 0);
    samples.push({
      s: (Date.now() - startMs) / 1000,
      rssKb: status.rssKb,
      done: progressOf(lastDone),
    });
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  const code = await new Promise((resolve) =>
    child.once('exit', (c, signal) => resolve(c ?? signal)),
  );
  clearInterval(sampler);
  const seconds = (Date.now() - startMs) / 1000;
  const probe = /@@peak-rss-kb (\d+)/g;
  for (const match of stderr.matchAll(probe)) peakKb = Math.max(peakKb, Number(match[1]));
  stderr = stderr.replace(probe, '').trim();
  return { samples, peakKb, stdout, stderr, code, seconds };
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((sum, p) => sum + p.x, 0) / n;
  const my = points.reduce((sum, p) => sum + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

/**
 * The figures of one sampled run: the resident set at 25/50/75/100 % of the requests (the
 * first sample at or past each), and its slope over the second half in KB per 1,000 requests.
 */
function describeRun(samples, requests) {
  const withDone = samples.filter((s) => s.done !== null && s.done > 0);
  const at = (share) => {
    const sample = withDone.find((s) => s.done >= share * requests) ?? withDone.at(-1);
    return sample === undefined ? null : sample.rssKb / 1024;
  };
  const secondHalf = withDone
    .filter((s) => s.done >= requests / 2 && s.done < requests)
    .map((s) => ({ x: s.done / 1000, y: s.rssKb }));
  return {
    rssMbAt: { 25: at(0.25), 50: at(0.5), 75: at(0.75), 100: at(1) },
    slopeKbPer1000: slope(secondHalf),
    secondHalfSamples: secondHalf.length,
  };
}

/**
 * The CLI's benchmark command as a user runs it (non-streaming, `concurrency` in flight, no
 * warm-up, records to a JSONL file, summary to JSON), in a child process.
 */
export async function measureCli(
  baseUrl,
  { requests, concurrency, workers = 1, nodeFlags = [], env = {}, dir },
) {
  const recordsFile = join(dir, 'records.jsonl');
  const summaryFile = join(dir, 'summary.json');
  const args = [
    CLI,
    'benchmark',
    '-p',
    'openai-compatible',
    '--base-url',
    baseUrl,
    '-m',
    MODEL,
    '--prompt',
    PROMPT,
    '--no-stream',
    '-n',
    String(requests),
    '-C',
    String(concurrency),
    '-w',
    '0',
    '--workers',
    String(workers),
    '--records',
    recordsFile,
    '-o',
    summaryFile,
  ];
  // Records are lines of nearly one length: the file's size says how many are written.
  const progressOf = () => {
    try {
      return statSync(recordsFile).size;
    } catch {
      return 0;
    }
  };
  const run = await sampleChild(args, { nodeFlags, env, progressOf });
  if (run.code !== 0) {
    throw new Error(`llm-lens exited with ${run.code}: ${run.stderr.slice(0, 2000)}`);
  }
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  const bytesPerRecord = statSync(recordsFile).size / requests;
  for (const sample of run.samples) sample.done = Math.round(sample.done / bytesPerRecord);
  const group = summary.groups[0];
  return {
    client: 'llm-lens',
    requests,
    workers,
    nodeFlags,
    seconds: run.seconds,
    requestsPerS: group.throughput.requests_per_s,
    failed: group.requests.failed,
    tokenCountSources: group.token_count_sources,
    peakRssMb: run.peakKb / 1024,
    ...describeRun(run.samples, requests),
    eventLoopDelayP99Ms: summary.fidelity.event_loop_delay_p99_ms,
    eventLoopDelayMaxMs: summary.fidelity.event_loop_delay_max_ms,
    samples: run.samples,
  };
}

/**
 * The V8 settings `bin/llm-lens.js` makes at startup (see the executor's gc-tuning.ts), as
 * command-line flags: the bare loop runs under the same ones, so the difference between the
 * two is our code's, not V8's configuration.
 */
async function cliV8Flags() {
  const { DEFAULT_HEAP_GROWING_PERCENT, DEFAULT_YOUNG_GENERATION_MB } = await import(
    '@llm-lens/executor'
  );
  return [
    '--no-allocation-site-pretenuring',
    `--heap-growing-percent=${DEFAULT_HEAP_GROWING_PERCENT}`,
    '--liftoff-only',
    // capYoungGeneration()'s 16 MB young generation: two 8 MB semi-spaces.
    `--max-semi-space-size=${DEFAULT_YOUNG_GENERATION_MB / 2}`,
  ];
}

/** The same requests through the bare undici loop (see `runBare`), in a child process. */
export async function measureBare(baseUrl, { requests, concurrency, nodeFlags = [], env = {} }) {
  const { createOpenAIProvider } = await import('@llm-lens/providers-openai');
  const spec = createOpenAIProvider({ baseUrl }).buildRequest({
    model: MODEL,
    prompt: PROMPT,
    stream: false,
  });
  const url = new URL(spec.url);
  const request = {
    origin: url.origin,
    path: url.pathname,
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
  };
  const run = await sampleChild(
    [SCRIPT, '--bare', JSON.stringify(request), String(requests), String(concurrency)],
    { nodeFlags: [...(await cliV8Flags()), ...nodeFlags], env, progressOf: (done) => done },
  );
  const report = /@@bare (.*)/.exec(run.stdout);
  if (run.code !== 0 || report === null) {
    throw new Error(`the bare loop exited with ${run.code}: ${run.stderr.slice(0, 2000)}`);
  }
  const result = JSON.parse(report[1]);
  return {
    client: 'bare',
    requests,
    workers: 1,
    nodeFlags,
    seconds: run.seconds,
    requestsPerS: (result.done - result.failed) / result.seconds,
    failed: result.failed,
    peakRssMb: run.peakKb / 1024,
    ...describeRun(run.samples, requests),
    eventLoopDelayP99Ms: result.eventLoopDelayP99Ms,
    eventLoopDelayMaxMs: result.eventLoopDelayMaxMs,
    samples: run.samples,
  };
}

/**
 * What the process holds before any request: Node alone, and the CLI with every module it
 * imports (`llm-lens providers`, which lists the adapters and sends nothing). Peak RSS, MB.
 */
export async function measureFloors() {
  const idle = await sampleChild(['-e', 'setTimeout(() => {}, 300)'], {});
  const cli = await sampleChild([CLI, 'providers'], {});
  return { nodeMb: idle.peakKb / 1024, cliLoadedMb: cli.peakKb / 1024 };
}

/**
 * The memory section: the floors, then at each size the bare loop and the CLI (one thread;
 * at the largest size also each of `workersAtLargest`), each against a fresh server on
 * `serverCore`. `measure(fn)` wraps each measurement (the quiet-machine gate).
 */
export async function runMemoryScenario(
  scenario = MEMORY_SCENARIO,
  { serverCore, nodeFlags = [], env = {}, measure = (fn) => fn(), log = () => {} } = {},
) {
  const floors = await measureFloors();
  log(
    `  floors: node ${floors.nodeMb.toFixed(0)} MB, CLI with its modules ${floors.cliLoadedMb.toFixed(0)} MB`,
  );
  const runs = [];
  const largest = Math.max(...scenario.sizes);
  for (const requests of scenario.sizes) {
    const variants = [
      { client: 'bare', workers: 1 },
      { client: 'llm-lens', workers: 1 },
      ...(requests === largest
        ? scenario.workersAtLargest.map((workers) => ({ client: 'llm-lens', workers }))
        : []),
    ];
    for (const variant of variants) {
      log(
        `running memory ${variant.client}${variant.workers > 1 ? ` --workers ${variant.workers}` : ''}, ${requests} requests ...`,
      );
      const result = await measure(async () => {
        const dir = mkdtempSync(join(tmpdir(), 'lens-memory-'));
        const server = await startZeroServer({ core: serverCore });
        try {
          const options = { requests, concurrency: scenario.concurrency, nodeFlags, env, dir };
          return variant.client === 'bare'
            ? await measureBare(server.baseUrl, options)
            : await measureCli(server.baseUrl, { ...options, workers: variant.workers });
        } finally {
          await server.close();
          rmSync(dir, { recursive: true, force: true });
        }
      });
      log(`  ${formatRun(result)}`);
      runs.push(result);
    }
  }
  const verdicts = [];
  const lensAtLargest = runs.find(
    (r) => r.client === 'llm-lens' && r.workers === 1 && r.requests === largest,
  );
  if (lensAtLargest) {
    verdicts.push({
      target: `memory: peak RSS < ${scenario.budgetMb} MB for ${largest.toLocaleString('en-US')} non-streaming requests (CLI, records on disk)`,
      measured: lensAtLargest.peakRssMb,
      limit: scenario.budgetMb,
      met: lensAtLargest.peakRssMb < scenario.budgetMb,
    });
  }
  return { scenario, floors, runs, verdicts };
}

const f0 = (value) => (value === null || value === undefined ? '-' : value.toFixed(0));
// Rounded to 0.0 rather than -0.0: a flat slope has no sign.
const f1 = (value) =>
  value === null || value === undefined ? '-' : (Math.abs(value) < 0.05 ? 0 : value).toFixed(1);
const f2 = (value) => (value === null || value === undefined ? '-' : value.toFixed(2));

/** One line per run, for progress and the final table. */
export function formatRun(r) {
  const who = `${r.client}${r.workers > 1 ? ` ×${r.workers}` : ''}`.padEnd(12);
  const at = r.rssMbAt;
  return [
    who,
    String(r.requests).padStart(8),
    `peak ${f0(r.peakRssMb).padStart(4)} MB`,
    `25/50/75/100 % ${f0(at[25])}/${f0(at[50])}/${f0(at[75])}/${f0(at[100])} MB`.padEnd(30),
    `slope ${f2(r.slopeKbPer1000).padStart(6)} KB/1k req`,
    `${f0(r.requestsPerS).padStart(6)} req/s`,
    `ELD p99/max ${f2(r.eventLoopDelayP99Ms)}/${f2(r.eventLoopDelayMaxMs)} ms`,
    r.failed > 0 ? `${r.failed} failed` : '',
  ].join('  ');
}

/** The table README.md quotes: one row per run. */
export function memoryMarkdown(result) {
  const lines = [
    `Floors: node alone ${f0(result.floors.nodeMb)} MB; the CLI with its modules loaded (\`llm-lens providers\`) ${f0(result.floors.cliLoadedMb)} MB (peak RSS).`,
    '',
    '| client | requests | peak RSS (MB) | RSS at 25 / 50 / 75 / 100 % (MB) | slope, 2nd half (KB per 1k requests) | requests/s | ELD p99 / max (ms) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of result.runs) {
    const at = r.rssMbAt;
    lines.push(
      `| ${r.client}${r.workers > 1 ? ` (--workers ${r.workers})` : ''} | ${r.requests.toLocaleString('en-US')} | ${f0(r.peakRssMb)} | ${f0(at[25])} / ${f0(at[50])} / ${f0(at[75])} / ${f0(at[100])} | ${f1(r.slopeKbPer1000)} | ${f0(r.requestsPerS)} | ${f2(r.eventLoopDelayP99Ms)} / ${f2(r.eventLoopDelayMaxMs)} |`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- entry points

if (process.argv[1] === SCRIPT) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--serve') {
    serve(!rest.includes('--no-usage'));
  } else if (mode === '--bare') {
    await runBare(rest[0], Number(rest[1]), Number(rest[2]));
  } else {
    // Alone: node memory.mjs [--sizes=...] [--workers=...] [--node-flags=...] [--server-core=N]
    const args = process.argv.slice(2);
    const flag = (name) =>
      args.find((a) => a.startsWith(`--${name}=`))?.slice(`--${name}=`.length) ?? undefined;
    const list = (text) => text.split(',').filter(Boolean).map(Number);
    const scenario = {
      ...MEMORY_SCENARIO,
      ...(flag('sizes') ? { sizes: list(flag('sizes')) } : {}),
      ...(flag('workers') === undefined ? {} : { workersAtLargest: list(flag('workers')) }),
    };
    const serverCore = flag('server-core') === undefined ? undefined : Number(flag('server-core'));
    const nodeFlags = flag('node-flags')?.split(' ').filter(Boolean) ?? [];
    const env = Object.fromEntries((flag('env')?.split(',') ?? []).map((kv) => kv.split('=')));
    const result = await runMemoryScenario(scenario, {
      serverCore,
      nodeFlags,
      env,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${memoryMarkdown(result)}\n`);
  }
}
