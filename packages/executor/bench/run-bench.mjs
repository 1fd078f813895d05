// `pnpm bench`: client fidelity and throughput of the executor against the simulator.
// The client runs on core 0 and the simulator in its own process on core 1 (taskset), so
// neither steals the other's CPU. See the Benchmark section of the package README.
//
// Flags: --only=<scenario,...> runs some scenarios (names as printed); --repeat=N runs each
// streaming scenario N times (default 3; targets are judged on the median); --no-pin skips
// taskset.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { disableAllocationSitePretenuring } from '@llm-lens/executor';
import { runIntakeFloor } from './intake-floor.mjs';
import { measureWakeupDelay } from './machine-noise.mjs';
import { measureParseCost } from './parse-cost.mjs';
import { runRequestRateComparison } from './request-rate.mjs';
import { runStreamScenario } from './stream-fidelity.mjs';

// As the CLI does at startup; every client measured here shares this process and setting.
disableAllocationSitePretenuring();

const CLIENT_CORE = 0;
const SIMULATOR_CORE = 1;
const PINNED_ENV = 'LLM_LENS_BENCH_CLIENT_PINNED';
const SCRIPT = fileURLToPath(import.meta.url);
const RESULTS = fileURLToPath(new URL('./results/latest.json', import.meta.url));

const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wantsPinning = !args.includes('--no-pin');
const repeat = Number(args.find((a) => a.startsWith('--repeat='))?.slice('--repeat='.length) ?? 3);

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

/** Re-runs this script under `taskset -c 0`; resolves to its exit code. */
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
      target: `${name}: TTFT p99 error ≤ ${target.ttftP99Ms} ms (median of ${runs.length} runs)`,
      measured: ttft,
      met: ttft <= target.ttftP99Ms,
    });
    verdicts.push({
      target: `${name}: chunk-gap p99 error ≤ ${target.gapP99Ms} ms (median of ${runs.length} runs)`,
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

async function main() {
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
  const parseCost = measureParseCost();
  console.log(
    `parse path alone (SSE + UTF-8 + JSON.parse + chunk reader, no I/O): ${parseCost.cpuUsPerEvent.toFixed(2)} µs per event`,
  );

  const streams = [];
  for (const scenario of STREAM_SCENARIOS) {
    if (only && !only.includes(scenario.name)) continue;
    for (let run = 1; run <= repeat; run++) {
      console.error(`running ${scenario.name} (${run}/${repeat}) ...`);
      const r = await runStreamScenario(scenario, { simulatorCore });
      r.run = run;
      r.eventsPerS = r.events / r.windowS;
      r.eventsPerCpuS = r.events / r.clientCpuS;
      r.cpuUsPerEvent = (r.clientCpuS * 1e6) / r.events;
      r.clientCpuShare = r.clientCpuS / r.windowS;
      streams.push(r);
    }
  }
  let intakeFloor;
  if (!only || only.includes(INTAKE_FLOOR.name)) {
    console.error(`running ${INTAKE_FLOOR.name} (bare readers, no parsing) ...`);
    intakeFloor = await runIntakeFloor(INTAKE_FLOOR, { simulatorCore });
  }
  let requestRate;
  if (!only || only.includes(REQUEST_RATE.name)) {
    console.error(`running ${REQUEST_RATE.name} (executor vs autocannon) ...`);
    requestRate = await runRequestRateComparison(REQUEST_RATE, { simulatorCore });
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
  const verdicts = evaluateTargets(streams, requestRate);
  if (verdicts.length > 0) {
    console.log('');
    console.log('Targets:');
    for (const v of verdicts) {
      const measured = typeof v.measured === 'number' ? v.measured.toFixed(3) : '-';
      console.log(`  ${v.met ? 'met   ' : 'MISSED'} ${v.target} (measured ${measured})`);
    }
  }

  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify(
      {
        command: 'pnpm bench',
        startedAt: startedAt.toISOString(),
        durationS: (Date.now() - startedAt.getTime()) / 1000,
        machine,
        pinning,
        loadAverageAtStart: loadAtStart,
        wakeupDelayMs: wakeupDelay,
        parseCost,
        intakeFloor: intakeFloor ?? null,
        repeat,
        streams,
        requestRate: requestRate ?? null,
        targets: verdicts,
      },
      null,
      2,
    )}\n`,
  );
  console.log('');
  console.log(`results: ${RESULTS}`);
}

await main();
