// `pnpm bench`: client fidelity and throughput of llm-lens against its simulator. The client
// runs on one core and the simulator in its own process on the other (taskset), so neither
// steals the other's CPU. See README.md next to this file.
//
// Flags: --only=<scenario,...> runs some scenarios (names below); --repeat=N runs each
// streaming scenario N times (default 3; targets are judged on the median); --no-pin skips
// taskset; --workers=N sets the worker threads of the wave-workers search (default 2);
// --quiet-wait=S waits at most S seconds for a quiet machine before each measurement
// (default 30; 0 = never wait); --full-sweep runs every step of the workers search (by
// default it stops at the first concurrency that misses). `--only=memory` runs the memory of
// long runs alone (the CLI in a child process, 30,000 to 1,000,000 requests; see memory.mjs);
// --memory-sizes=N,... sets its request counts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  disableAllocationSitePretenuring,
  keepWebAssemblyOnBaselineCompiler,
  limitHeapGrowth,
} from '@llm-lens/executor';
import { runIntakeFloor } from './intake-floor.mjs';
import { measureWakeupDelay } from './machine-noise.mjs';
import { formatRun, MEMORY_SCENARIO, memoryMarkdown, runMemoryScenario } from './memory.mjs';
import { measureParseCost } from './parse-cost.mjs';
import { runRequestRateComparison } from './request-rate.mjs';
import { printScheduleLag, runScheduleLag } from './schedule-lag.mjs';
import { runStreamScenario } from './stream-fidelity.mjs';
import {
  cliRegistry,
  measureWhenQuiet,
  QUIET,
  runWaveScenario,
  WAVE_MODEL,
  WAVE_SCENARIOS,
} from './wave-fidelity.mjs';
import { MAX_GAP_P99_MS, WORKERS_GRID } from './workers-search.mjs';

// As the CLI does at startup; every client measured here shares this process and settings.
disableAllocationSitePretenuring();
limitHeapGrowth();
keepWebAssemblyOnBaselineCompiler();

// As in the issue: the server on core 0, the client on core 1.
const CLIENT_CORE = 1;
const SIMULATOR_CORE = 0;
const PINNED_ENV = 'LLM_LENS_BENCH_CLIENT_PINNED';
const SCRIPT = fileURLToPath(import.meta.url);
const WORKERS_SCRIPT = fileURLToPath(new URL('./workers-search.mjs', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/latest.json', import.meta.url));

const args = process.argv.slice(2);
const flag = (name) =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(`--${name}=`.length) ?? undefined;
const only = flag('only')?.split(',');
const wantsPinning = !args.includes('--no-pin');
const repeat = Number(flag('repeat') ?? 3);
const searchWorkers = Number(flag('workers') ?? 2);
const quietWaitS = Number(flag('quiet-wait') ?? QUIET.maxWaitS);
const quiet = { ...QUIET, maxWaitS: quietWaitS };
const fullSweep = args.includes('--full-sweep');
const memorySizes = flag('memory-sizes')?.split(',').map(Number);

// Lockstep: every running stream gets its token on the same decode tick, the worst case for
// a client that must stamp C sockets that became readable together.
const STREAM_SCENARIOS = [
  { name: 'stream-c64', concurrency: 64, itlMs: 20, ttftMs: 100, outputTokens: 128, requests: 256 },
  {
    name: 'stream-c256',
    concurrency: 256,
    itlMs: 20,
    ttftMs: 100,
    outputTokens: 128,
    requests: 512,
  },
  {
    name: 'stream-c256-tokenizer',
    concurrency: 256,
    itlMs: 20,
    ttftMs: 100,
    outputTokens: 128,
    requests: 512,
    tokenizer: true,
  },
  {
    name: 'stream-c1024',
    concurrency: 1024,
    itlMs: 50,
    ttftMs: 100,
    outputTokens: 64,
    requests: 1024,
  },
  // Offered load far above what one core can ingest: measures the client's ceiling.
  {
    name: 'stream-saturate',
    concurrency: 256,
    itlMs: 1,
    ttftMs: 50,
    outputTokens: 512,
    requests: 256,
  },
];
// The saturated streams of `stream-saturate`, read by bare readers that only stamp.
const INTAKE_FLOOR = {
  name: 'intake-floor',
  concurrency: 256,
  itlMs: 1,
  ttftMs: 50,
  outputTokens: 512,
  rounds: 3,
};
const REQUEST_RATE = {
  name: 'non-streaming',
  connections: 64,
  durationS: 5,
  rounds: 2,
  outputTokens: 16,
};

// Open-loop schedule lag at the rates of the issue, one thread and two worker threads.
const SCHEDULE_LAG = { name: 'schedule-lag', rates: [1000, 5000], seconds: 5, workers: 2 };

const WAVE_WORKERS = 'wave-workers';
const SCENARIO_NAMES = [
  ...WAVE_SCENARIOS.map((s) => s.name),
  WAVE_WORKERS,
  ...STREAM_SCENARIOS.map((s) => s.name),
  INTAKE_FLOOR.name,
  REQUEST_RATE.name,
  SCHEDULE_LAG.name,
  MEMORY_SCENARIO.name,
];
const wants = (name) => !only || only.includes(name);

const TARGETS = {
  'stream-c256': { ttftP99Ms: 1, gapP99Ms: 1 },
  'stream-c1024': { ttftP99Ms: 5, gapP99Ms: 3 },
};
const MIN_EVENTS_PER_CPU_S = 100_000;
const MIN_REQUEST_RATE_RATIO = 0.8;

function hasTaskset() {
  return (
    spawnSync('taskset', ['-c', String(CLIENT_CORE), 'true'], { stdio: 'ignore' }).status === 0
  );
}

/** Re-runs this script under `taskset -c <client core>`; resolves to its exit code. */
function reexecPinned() {
  const child = spawn(
    'taskset',
    ['-c', String(CLIENT_CORE), process.execPath, ...process.execArgv, SCRIPT, ...args],
    { stdio: 'inherit', env: { ...process.env, [PINNED_ENV]: '1' } },
  );
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
}

const ms = (value) => (value === undefined || value === null ? '-' : value.toFixed(3));
const pad = (text, width) => String(text).padStart(width);

function printStreamTable(results) {
  const header = [
    'scenario'.padEnd(22),
    pad('C', 5),
    pad('ITL', 4),
    pad('events', 7),
    pad('TTFT err p50/p99/max ms', 26),
    pad('gap err p50/p99/max ms', 26),
    pad('lag p99', 8),
    pad('events/s', 9),
    pad('µs/event', 9),
    pad('CPU', 5),
    pad('ELD p99', 8),
    pad('preempt', 8),
    pad('tick spread', 12),
  ].join(' ');
  console.log(header);
  for (const r of results) {
    const s = r.scenario;
    const tt = r.ttftError;
    const gap = r.chunkGapError;
    console.log(
      [
        s.name.padEnd(22),
        pad(s.concurrency, 5),
        pad(s.itlMs, 4),
        pad(r.events, 7),
        pad(`${ms(tt?.p50)}/${ms(tt?.p99)}/${ms(tt?.max)}`, 26),
        pad(`${ms(gap?.p50)}/${ms(gap?.p99)}/${ms(gap?.max)}`, 26),
        pad(ms(r.tokenLag?.p99), 8),
        pad(Math.round(r.eventsPerS), 9),
        pad(r.cpuUsPerEvent.toFixed(2), 9),
        pad(`${Math.round(r.clientCpuShare * 100)}%`, 5),
        pad(ms(r.eventLoopDelayP99Ms), 8),
        pad(r.involuntaryContextSwitches, 8),
        pad(r.simulatorTicks ? `${r.simulatorTicks.spreadMs.p50.toFixed(1)} ms` : '-', 12),
      ].join(' '),
    );
  }
}

const ofRuns = (n) => `median of ${n} run${n === 1 ? '' : 's'}`;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) / 2)];
}

function evaluateTargets(streams, requestRate) {
  const verdicts = [];
  for (const [name, target] of Object.entries(TARGETS)) {
    const runs = streams.filter((s) => s.scenario.name === name);
    if (runs.length === 0) continue;
    const ttft = median(runs.map((r) => r.ttftError?.p99 ?? Number.POSITIVE_INFINITY));
    const gap = median(runs.map((r) => r.chunkGapError?.p99 ?? Number.POSITIVE_INFINITY));
    verdicts.push({
      target: `${name}: TTFT p99 error ≤ ${target.ttftP99Ms} ms (${ofRuns(runs.length)})`,
      measured: ttft,
      met: ttft <= target.ttftP99Ms,
    });
    verdicts.push({
      target: `${name}: chunk-gap p99 error ≤ ${target.gapP99Ms} ms (${ofRuns(runs.length)})`,
      measured: gap,
      met: gap <= target.gapP99Ms,
    });
  }
  const saturate = streams.filter((s) => s.scenario.name === 'stream-saturate');
  if (saturate.length > 0) {
    const perCpuS = median(saturate.map((r) => r.eventsPerCpuS));
    verdicts.push({
      target: `≥ ${MIN_EVENTS_PER_CPU_S} token events/s on one core (events per client CPU-second, median)`,
      measured: perCpuS,
      met: perCpuS >= MIN_EVENTS_PER_CPU_S,
    });
  }
  if (requestRate) {
    verdicts.push({
      target: `non-streaming requests/s ≥ ${MIN_REQUEST_RATE_RATIO * 100}% of autocannon's`,
      measured: requestRate.ratio,
      met: requestRate.ratio >= MIN_REQUEST_RATE_RATIO,
    });
  }
  return verdicts;
}

const f2 = (value) => (value === undefined || value === null ? '-' : value.toFixed(2));
const triple = (d) => (d ? `${f2(d.p50)}/${f2(d.p99)}/${f2(d.max)}` : '-');

function printWaveTable(runs) {
  console.log(
    [
      'scenario'.padEnd(11),
      pad('run', 3),
      'client'.padEnd(8),
      pad('TTFT err p50/p99/max', 22),
      pad('gap err p50/p99/max', 22),
      pad('ELD p99/max', 13),
      pad('ELD max meas.', 13),
      pad('µs/event', 8),
      pad('preempt', 7),
      pad('others', 6),
    ].join(' '),
  );
  for (const r of runs) {
    console.log(
      [
        r.scenario.padEnd(11),
        pad(r.run, 3),
        r.client.padEnd(8),
        pad(triple(r.ttftError), 22),
        pad(triple(r.chunkGapError), 22),
        pad(`${f2(r.summaryEventLoopDelayP99Ms)}/${f2(r.summaryEventLoopDelayMaxMs)}`, 13),
        pad(f2(r.eventLoopDelayMaxMs), 13),
        pad(f2(r.cpuUsPerEvent), 8),
        pad(r.involuntaryContextSwitches ?? '-', 7),
        pad(r.background === null ? '-' : `${Math.round(r.background)}%`, 6),
      ].join(' '),
    );
  }
}

/** Medians over the runs of one wave scenario, per client. */
function waveMedians(runs) {
  const of = (client, pick) =>
    median(runs.filter((r) => r.client === client).map((r) => pick(r) ?? Number.POSITIVE_INFINITY));
  const both = (pick) => ({ lens: of('llm-lens', pick), bare: of('bare', pick) });
  return {
    runs: runs.filter((r) => r.client === 'llm-lens').length,
    ttftP99: both((r) => r.ttftError?.p99),
    gapP99: both((r) => r.chunkGapError?.p99),
    eventLoopDelayMax: both((r) => r.summaryEventLoopDelayMaxMs),
    measuredEventLoopDelayMax: both((r) => r.eventLoopDelayMaxMs),
    cpuUsPerEvent: both((r) => r.cpuUsPerEvent),
  };
}

function waveVerdicts(scenario, medians) {
  const { slack, allowanceMs, eventLoopDelayMaxMs } = scenario.target;
  const verdicts = [];
  for (const [what, pair] of [
    ['TTFT p99 error', medians.ttftP99],
    ['chunk-gap p99 error', medians.gapP99],
  ]) {
    const limit = slack * pair.bare + allowanceMs;
    verdicts.push({
      target: `${scenario.name}: llm-lens ${what} ≤ ${slack} × bare + ${allowanceMs} ms (${ofRuns(medians.runs)}: bare ${f2(pair.bare)} ms → limit ${f2(limit)} ms)`,
      measured: pair.lens,
      limit,
      met: pair.lens <= limit,
    });
  }
  if (eventLoopDelayMaxMs !== undefined) {
    const eld = medians.eventLoopDelayMax.lens;
    verdicts.push({
      target: `${scenario.name}: llm-lens event-loop delay max (RunSummary.fidelity) ≤ ${eventLoopDelayMaxMs} ms (${ofRuns(medians.runs)})`,
      measured: eld,
      limit: eventLoopDelayMaxMs,
      met: eld <= eventLoopDelayMaxMs,
    });
  }
  return verdicts;
}

function printVerdicts(verdicts) {
  for (const v of verdicts) {
    const measured = typeof v.measured === 'number' ? v.measured.toFixed(3) : '-';
    const by =
      !v.met && typeof v.limit === 'number' && Number.isFinite(v.measured)
        ? ` — missed by ${(v.measured - v.limit).toFixed(3)}`
        : '';
    console.log(`  ${v.met ? 'met   ' : 'MISSED'} ${v.target} (measured ${measured}${by})`);
  }
}

/** The table README.md leaves to be filled in, from the medians. */
function waveMarkdown(waves, search) {
  const lines = [];
  if (waves.length > 0) {
    lines.push(
      '| C | ITL | TTFT p99 err llm-lens / bare (ms) | ratio | chunk-gap p99 err llm-lens / bare (ms) | ratio | ELD max, measured phase, llm-lens / bare (ms) | verdict |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
  }
  const ratio = (pair) => (pair.bare > 0 ? (pair.lens / pair.bare).toFixed(2) : '-');
  for (const w of waves) {
    const m = w.medians;
    const verdict = w.verdicts.every((v) => v.met)
      ? 'met'
      : `MISSED: ${w.verdicts
          .filter((v) => !v.met)
          .map(
            (v) =>
              `${v.target.split(': ')[1].split(' (')[0]} by ${(v.measured - v.limit).toFixed(2)} ms`,
          )
          .join('; ')}`;
    lines.push(
      `| ${w.scenario.concurrency} | ${w.scenario.itlMs} ms | ${f2(m.ttftP99.lens)} / ${f2(m.ttftP99.bare)} | ${ratio(m.ttftP99)} | ${f2(m.gapP99.lens)} / ${f2(m.gapP99.bare)} | ${ratio(m.gapP99)} | ${f2(m.measuredEventLoopDelayMax.lens)} / ${f2(m.measuredEventLoopDelayMax.bare)} | ${verdict} |`,
    );
  }
  if (search?.steps) {
    if (lines.length > 0) lines.push('');
    lines.push(
      `| C (${search.workers} workers) | ITL | chunk-gap p99 err (ms) | TTFT p99 err (ms) | ELD max, worst thread (ms) | ≤ ${search.maxGapP99Ms} ms |`,
    );
    lines.push('| --- | --- | --- | --- | --- | --- |');
    for (const step of search.steps) {
      lines.push(
        `| ${step.concurrency} | ${step.itlMs} ms | ${f2(step.chunkGapError?.p99)} | ${f2(step.ttftError?.p99)} | ${f2(step.summaryEventLoopDelayMaxMs)} | ${step.passed ? 'yes' : 'no'} |`,
      );
    }
    lines.push('');
    lines.push(
      `Largest C with chunk-gap p99 error ≤ ${search.maxGapP99Ms} ms at ${search.workers} workers: ${search.largestPassing ?? 'none'} (${search.clientPlacement}).`,
    );
  }
  return lines.join('\n');
}

/**
 * The wave-workers search in a process of its own, unpinned: this process is pinned to one
 * core, and the search's process gets every core back (`taskset -c 0-<n-1>`); the simulator
 * is not pinned either, so the kernel places the main thread, the workers and the simulator
 * on the cores there are.
 */
function runWorkersSearchProcess({ isPinned, cpuCount }) {
  const options = { workers: searchWorkers, grid: WORKERS_GRID, quiet, fullSweep };
  const nodeArgs = [...process.execArgv, WORKERS_SCRIPT, JSON.stringify(options)];
  const allCores = `0-${cpuCount - 1}`;
  const clientPlacement = isPinned
    ? `unpinned: the search process on cores ${allCores} (taskset -c ${allCores}) and the simulator unpinned, so its main thread, ${searchWorkers} workers and the simulator share the ${cpuCount} cores as the kernel places them`
    : `unpinned: its main thread, ${searchWorkers} workers and the simulator share the ${cpuCount} cores as the kernel places them`;
  const child = isPinned
    ? spawn('taskset', ['-c', allCores, process.execPath, ...nodeArgs], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
    : spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').at(-1);
      try {
        resolve({ ...JSON.parse(last), clientPlacement });
      } catch {
        resolve({ error: `workers search exited with code ${code}`, clientPlacement });
      }
    });
  });
}

async function main() {
  const unknown = (only ?? []).filter((name) => !SCENARIO_NAMES.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIO_NAMES.join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const isPinned = process.env[PINNED_ENV] === '1';
  if (!isPinned && wantsPinning && hasTaskset()) {
    process.exitCode = await reexecPinned();
    return;
  }
  const pinning = isPinned
    ? `client pinned to core ${CLIENT_CORE}, simulator to core ${SIMULATOR_CORE} (taskset)`
    : wantsPinning
      ? 'taskset not found: client and simulator run unpinned and may share a core'
      : 'unpinned (--no-pin): client and simulator may share a core';
  const simulatorCore = isPinned ? SIMULATOR_CORE : undefined;
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  console.log(
    `llm-lens client-fidelity benchmark — ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}`,
  );
  console.log(pinning);
  const startedAt = new Date();
  // Others' load on this machine bounds every error below: say how much there was.
  const loadAtStart = loadavg()[0];
  const wakeupDelay = await measureWakeupDelay(2000);
  console.log(
    `machine: load average ${loadAtStart.toFixed(2)}; an idle 1 ms timer on the client core fires late by ` +
      `p50 ${ms(wakeupDelay.p50)} / p99 ${ms(wakeupDelay.p99)} / p99.9 ${ms(wakeupDelay.p999)} / max ${ms(wakeupDelay.max)} ms`,
  );
  // 1,000 streams of 128 events after a JIT warm-up: a stable figure in a few seconds.
  const parseCost = measureParseCost({ streams: 1000 });
  console.log(
    `parse path alone (SSE + UTF-8 + JSON.parse + chunk reader, no I/O): ${parseCost.cpuUsPerEvent.toFixed(2)} µs per event`,
  );

  const log = (line) => console.error(line);
  // Seconds each part took, wall clock, so the run time can be budgeted.
  const sectionsS = {};
  let sectionStart = startedAt.getTime();
  const endSection = (name) => {
    sectionsS[name] = (Date.now() - sectionStart) / 1000;
    sectionStart = Date.now();
  };
  endSection('setup');
  const waves = [];
  const waveScenarios = WAVE_SCENARIOS.filter((s) => wants(s.name));
  if (waveScenarios.length > 0) {
    const registry = await cliRegistry();
    for (const scenario of waveScenarios) {
      const runs = await runWaveScenario(scenario, {
        simulatorCore,
        repeat,
        registry,
        quiet,
        log,
      });
      const medians = waveMedians(runs);
      waves.push({
        scenario,
        runs: runs.map((r) => ({ scenario: scenario.name, ...r })),
        medians,
        verdicts: waveVerdicts(scenario, medians),
      });
      endSection(scenario.name);
    }
  }
  let search;
  if (wants(WAVE_WORKERS)) {
    log(
      `running ${WAVE_WORKERS} (${searchWorkers} worker threads, C = ${WORKERS_GRID.join(', ')}) ...`,
    );
    search = await runWorkersSearchProcess({ isPinned, cpuCount: machine.cpus });
    endSection(WAVE_WORKERS);
  }

  const streams = [];
  for (const scenario of STREAM_SCENARIOS) {
    if (!wants(scenario.name)) continue;
    for (let run = 1; run <= repeat; run++) {
      log(`running ${scenario.name} (${run}/${repeat}) ...`);
      const r = await measureWhenQuiet(
        () => runStreamScenario(scenario, { simulatorCore }),
        quiet,
        log,
      );
      r.run = run;
      r.eventsPerS = r.events / r.windowS;
      r.eventsPerCpuS = r.events / r.clientCpuS;
      r.cpuUsPerEvent = (r.clientCpuS * 1e6) / r.events;
      r.clientCpuShare = r.clientCpuS / r.windowS;
      streams.push(r);
    }
    endSection(scenario.name);
  }
  let intakeFloor;
  if (wants(INTAKE_FLOOR.name)) {
    log(`running ${INTAKE_FLOOR.name} (bare readers, no parsing) ...`);
    intakeFloor = await measureWhenQuiet(
      () => runIntakeFloor(INTAKE_FLOOR, { simulatorCore }),
      { ...quiet, attempts: 1 },
      log,
    );
    endSection(INTAKE_FLOOR.name);
  }
  let requestRate;
  if (wants(REQUEST_RATE.name)) {
    log(`running ${REQUEST_RATE.name} (executor vs autocannon) ...`);
    requestRate = await measureWhenQuiet(
      () => runRequestRateComparison(REQUEST_RATE, { simulatorCore }),
      { ...quiet, attempts: 1 },
      log,
    );
    endSection(REQUEST_RATE.name);
  }

  console.log('');
  if (waves.length > 0) {
    console.log(
      `Waves (independent schedules started together, closed loop; ${WAVE_MODEL}, offline tokenizer, usage in the final chunk only). ` +
        'llm-lens = the CLI path (JSONL records file, progress line, registry); bare = stamp-only undici reader. ' +
        'Errors = client stamp − simulator write stamp, ms; ELD = event-loop delay, the run\'s own figure (llm-lens: RunSummary.fidelity, measured phase; bare: its monitor over warm-up and measured phase); "ELD max meas." = the bench\'s monitor over the measured phase, the same for both clients; ' +
        'preempt = involuntary context switches in the measured phase; others = CPU of other processes, % of a core:',
    );
    printWaveTable(waves.flatMap((w) => w.runs));
    for (const w of waves) {
      for (const r of w.runs) {
        if (r.failed > 0 || r.joined !== r.requests || r.unstamped > 0) {
          console.log(
            `  ${w.scenario.name} run ${r.run} ${r.client}: ${r.failed} failed, ${r.requests - r.joined} not joined with the write log${r.unstamped ? `, ${r.unstamped} without a dispatch stamp` : ''}`,
          );
        }
        if (r.client === 'llm-lens' && r.jsonlLines !== r.requests + w.scenario.warmup) {
          console.log(
            `  ${w.scenario.name} run ${r.run}: the JSONL file has ${r.jsonlLines} lines for ${r.requests + w.scenario.warmup} requests`,
          );
        }
      }
    }
  }
  if (search) {
    console.log('');
    if (search.error) console.log(`Workers search failed: ${search.error}`);
    else {
      console.log(
        `Wave concurrency search, llm-lens with ${search.workers} worker threads (one run per C; ${search.clientPlacement}):`,
      );
      printWaveTable(
        search.steps.map((s) => ({ scenario: `wave-c${s.concurrency}`, run: 1, ...s })),
      );
      console.log(
        `  largest C with chunk-gap p99 error ≤ ${search.maxGapP99Ms} ms: ${search.largestPassing ?? 'none'}`,
      );
    }
  }
  console.log('');
  if (streams.length > 0) {
    console.log(
      'Lockstep streams (errors = client stamp − simulator write stamp; lag = same per token; ' +
        'preempt = involuntary context switches of the client; tick spread = p50 first→last write of one decode step):',
    );
    printStreamTable(streams);
    for (const r of streams) {
      if (r.unmatched > 0 || r.failed > 0) {
        console.log(
          `  ${r.scenario.name}: ${r.failed} failed, ${r.unmatched} records not joined with the write log`,
        );
      }
    }
    for (const saturate of streams.filter((s) => s.scenario.name === 'stream-saturate')) {
      console.log(
        `Ingest ceiling (run ${saturate.run}): ${Math.round(saturate.eventsPerCpuS)} events per client CPU-second ` +
          `(${Math.round(saturate.eventsPerS)} events/s achieved at ${Math.round(saturate.clientCpuShare * 100)}% client CPU; ` +
          `the simulator used ${Math.round((saturate.simulatorCpuS / saturate.windowS) * 100)}% of its core)`,
      );
    }
  }
  if (intakeFloor) {
    console.log('');
    console.log(
      `Intake floor: CPU per socket read of bare readers that only stamp and count, ${intakeFloor.concurrency} ` +
        `lockstep streams, ITL ${intakeFloor.itlMs} ms (best of ${INTAKE_FLOOR.rounds} alternating rounds):`,
    );
    for (const [name, result] of Object.entries(intakeFloor.readers)) {
      const rounds = result.rounds.map((r) => r.cpuUsPerRead.toFixed(2)).join(', ');
      console.log(
        `  ${name.padEnd(20)} ${pad(result.best.cpuUsPerRead.toFixed(2), 6)} µs/read  ` +
          `${pad(Math.round(result.best.readsPerCpuS), 7)} reads per CPU-second  (rounds: ${rounds})`,
      );
    }
    const saturated = streams.filter((s) => s.scenario.name === 'stream-saturate');
    if (saturated.length > 0) {
      const best = Math.min(...saturated.map((r) => r.cpuUsPerEvent));
      console.log(
        `  ${'executor (saturate)'.padEnd(20)} ${pad(best.toFixed(2), 6)} µs/event (best stream-saturate run; parsing, stamps and statistics included)`,
      );
    }
  }
  if (requestRate) {
    console.log('');
    console.log(
      `Non-streaming, ${requestRate.connections} connections, best of ${REQUEST_RATE.rounds} × ~${REQUEST_RATE.durationS} s:`,
    );
    const rounds = (runs) => runs.map((r) => Math.round(r.requestsPerS)).join(', ');
    console.log(
      `  executor   ${pad(Math.round(requestRate.bestOursPerS), 7)} req/s  (rounds: ${rounds(requestRate.ours)})`,
    );
    console.log(
      `  autocannon ${pad(Math.round(requestRate.bestAutocannonPerS), 7)} req/s  (rounds: ${rounds(requestRate.autocannon)})`,
    );
    console.log(
      `  bare undici ${pad(Math.round(requestRate.bestBareUndiciPerS), 6)} req/s  (rounds: ${rounds(requestRate.bareUndici)}; ` +
        'Agent.dispatch with a handler that only counts: the least CPU per request an undici client can spend)',
    );
    const cpu = (runs) => Math.min(...runs.map((r) => r.cpuUsPerRequest)).toFixed(1);
    console.log(
      `  client CPU per request (best round): executor ${cpu(requestRate.ours)} µs, bare undici ${cpu(requestRate.bareUndici)} µs, ` +
        `autocannon ${cpu(requestRate.autocannon)} µs`,
    );
    console.log(
      `  ratio      ${pad((requestRate.ratio * 100).toFixed(1), 7)} %  (bare undici: ${((requestRate.bestBareUndiciPerS / requestRate.bestAutocannonPerS) * 100).toFixed(1)} %)`,
    );
  }
  let scheduleLag;
  if (wants(SCHEDULE_LAG.name)) {
    scheduleLag = await runScheduleLag({ ...SCHEDULE_LAG, simulatorCore });
    endSection(SCHEDULE_LAG.name);
    console.log('');
    console.log(
      `Open loop, constant arrivals, non-streaming, ${SCHEDULE_LAG.seconds} s per row; lag = hand-off − due (llm-lens: schedule_lag):`,
    );
    printScheduleLag(scheduleLag);
  }
  let memory;
  if (wants(MEMORY_SCENARIO.name)) {
    log(
      `running ${MEMORY_SCENARIO.name} (the CLI and a bare undici loop, each in a child process) ...`,
    );
    const scenario = memorySizes ? { ...MEMORY_SCENARIO, sizes: memorySizes } : MEMORY_SCENARIO;
    memory = await runMemoryScenario(scenario, {
      serverCore: simulatorCore,
      // Each measurement is long (up to ~80 s): waited for, not repeated.
      measure: (fn) => measureWhenQuiet(fn, { ...quiet, attempts: 1 }, log),
      log,
    });
    endSection(MEMORY_SCENARIO.name);
    console.log('');
    console.log(
      `Memory of long runs: non-streaming, ${memory.scenario.concurrency} in flight, against a zero-latency server on its own core; ` +
        'llm-lens = the CLI (records to a JSONL file, summary to JSON), bare = undici alone, each in a child process; ' +
        `RSS read from /proc every 0.5 s, peak = VmHWM. Floors: node alone ${memory.floors.nodeMb.toFixed(0)} MB, ` +
        `the CLI with its modules loaded ${memory.floors.cliLoadedMb.toFixed(0)} MB:`,
    );
    for (const run of memory.runs) console.log(`  ${formatRun(run)}`);
  }
  const verdicts = [
    ...waves.flatMap((w) => w.verdicts),
    ...evaluateTargets(streams, requestRate),
    ...(memory?.verdicts ?? []),
  ];
  if (search && !search.error) {
    verdicts.push({
      target: `${WAVE_WORKERS}: largest C (of ${WORKERS_GRID.join(', ')}) with chunk-gap p99 error ≤ ${MAX_GAP_P99_MS} ms at ${search.workers} workers`,
      measured: search.largestPassing ?? 0,
      met: search.largestPassing !== null,
    });
  }
  if (verdicts.length > 0) {
    console.log('');
    console.log('Targets:');
    printVerdicts(verdicts);
  }
  const markdown =
    [
      waves.length > 0 || search ? waveMarkdown(waves, search) : null,
      memory ? memoryMarkdown(memory) : null,
    ]
      .filter((part) => part !== null)
      .join('\n\n') || null;
  if (markdown) {
    console.log('');
    console.log('Markdown (medians; paste into README.md):');
    console.log('');
    console.log(markdown);
  }

  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify(
      {
        command: `pnpm bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
        startedAt: startedAt.toISOString(),
        durationS: (Date.now() - startedAt.getTime()) / 1000,
        sectionsS,
        machine,
        pinning,
        loadAverageAtStart: loadAtStart,
        wakeupDelayMs: wakeupDelay,
        parseCost,
        quiet,
        intakeFloor: intakeFloor ?? null,
        repeat,
        waves,
        workersSearch: search ?? null,
        streams,
        requestRate: requestRate ?? null,
        scheduleLag: scheduleLag ?? null,
        memory: memory ?? null,
        targets: verdicts,
        markdown,
      },
      null,
      2,
    )}\n`,
  );
  console.log('');
  const sections = Object.entries(sectionsS)
    .map(([name, seconds]) => `${name} ${seconds.toFixed(0)}`)
    .join(', ');
  console.log(
    `results: ${RESULTS} (whole run ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s: ${sections})`,
  );
}

await main();
