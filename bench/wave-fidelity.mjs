// The wave scenarios: the pattern of the issue "TTFT and chunk-gap error far worse than a
// minimal client's at C = 256 and 1024". Streams on independent schedules (fixed TTFT and
// ITL) that start together, as a warm-up wave does, end together, and are refilled closed
// loop; usage only in the final chunk, so the offline tokenizer counts every delta. The full
// llm-lens path as the CLI runs it is measured against a bare stamp-only reader, in this
// process, alternating, each against a fresh simulator process whose write log says when
// every token was really written.
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EventLoopMonitor } from '@llm-lens/core-timing';
import { createTargets, ExtensionRegistry, requestInput, runPlan } from '@llm-lens/executor';
import { JsonlRecordWriter } from '@llm-lens/exporters-json';
import {
  clientErrorAgainstWriteLog,
  readWriteLogFile,
  spawnSimulator,
} from '@llm-lens/providers-mock';
import { Agent } from 'undici';
import { bareRecords, runBareClosedLoop } from './bare-stream-reader.mjs';
import { describeDistribution } from './distribution.mjs';
import { backgroundMeter, noteBackground, waitForQuiet } from './machine-load.mjs';

/** An o200k_base model, as in the issue: the offline tokenizer loads that vocabulary. */
export const WAVE_MODEL = 'gpt-4o-mini';
const PROMPT = 'Write a short story about a lighthouse keeper.';

/**
 * The two cells. Warm-up = C streams started together; measured = 2 × C closed loop.
 * Targets: llm-lens's p99 errors ≤ slack × the bare reader's + allowance (medians of the runs).
 */
export const WAVE_SCENARIOS = [
  {
    name: 'wave-c256',
    concurrency: 256,
    itlMs: 20,
    ttftMs: 100,
    outputTokens: 50,
    warmup: 256,
    requests: 512,
    target: { slack: 1.25, allowanceMs: 0.5, eventLoopDelayMaxMs: 10 },
  },
  {
    name: 'wave-c1024',
    concurrency: 1024,
    itlMs: 50,
    ttftMs: 100,
    outputTokens: 50,
    warmup: 1024,
    requests: 2048,
    target: { slack: 1.25, allowanceMs: 2 },
  },
];

/** The ITL of a wave at concurrency C: the cells (20 ms up to 256, 50 ms above). */
export function waveItlMs(concurrency) {
  return concurrency <= 256 ? 20 : 50;
}

/** A wave scenario at any concurrency (the workers search). */
export function waveScenario(concurrency) {
  return {
    name: `wave-c${concurrency}`,
    concurrency,
    itlMs: waveItlMs(concurrency),
    ttftMs: 100,
    outputTokens: 50,
    warmup: concurrency,
    requests: 2 * concurrency,
  };
}

/** The registry the CLI builds: every adapter package it ships, imported by URL (so workers can). */
export function cliRegistry() {
  return ExtensionRegistry.fromModules([
    import.meta.resolve('@llm-lens/providers-mock'),
    import.meta.resolve('@llm-lens/providers-openai'),
  ]);
}

function providerSettings(baseUrl) {
  return {
    name: 'sim',
    type: 'openai-compatible',
    models: [WAVE_MODEL],
    base_url: baseUrl,
    api: 'chat',
  };
}

function scenarioPlan(scenario) {
  return {
    name: scenario.name,
    prompt: PROMPT,
    requests: scenario.requests,
    concurrency: scenario.concurrency,
    warmup: scenario.warmup,
    stream: true,
  };
}

async function startSimulator(scenario, simulatorCore, logFile) {
  return spawnSimulator(
    {
      mode: 'independent',
      ttftMs: scenario.ttftMs,
      itlMs: scenario.itlMs,
      outputTokens: scenario.outputTokens,
      seed: 7,
      writeLogFile: logFile,
    },
    { core: simulatorCore },
  );
}

// A full garbage collection before each measurement, outside it: no client inherits the
// garbage of the one measured before it (the same process runs both, alternating).
setFlagsFromString('--expose-gc');
const collectGarbage = process.env.NO_GC ? () => {} : runInNewContext('gc');

/** What a measured phase cost this process; `end()` returns it. */
function phaseMeter() {
  const monitor = new EventLoopMonitor();
  let cpuBefore;
  let usageBefore;
  let startNs;
  return {
    start() {
      monitor.start();
      cpuBefore = process.cpuUsage();
      usageBefore = process.resourceUsage();
      startNs = process.hrtime.bigint();
    },
    get started() {
      return startNs !== undefined;
    },
    end() {
      if (startNs === undefined) return null;
      const windowS = Number(process.hrtime.bigint() - startNs) / 1e9;
      const cpu = process.cpuUsage(cpuBefore);
      const usage = process.resourceUsage();
      monitor.stop();
      const loop = monitor.snapshot();
      return {
        // CLOCK_MONOTONIC, the clock of `node --cpu-prof` timestamps (µs there).
        measuredFromNs: Number(startNs),
        windowS,
        clientCpuS: (cpu.user + cpu.system) / 1e6,
        // Runnable, but another process (or thread) had the core.
        involuntaryContextSwitches:
          usage.involuntaryContextSwitches - usageBefore.involuntaryContextSwitches,
        eventLoopDelayP99Ms: loop.p99Ms,
        eventLoopDelayMaxMs: loop.maxMs,
      };
    },
  };
}

function errors(records, writes) {
  const joined = clientErrorAgainstWriteLog(records, writes);
  return {
    joined: joined.joined,
    ttftError: describeDistribution(joined.ttftErrorsMs),
    chunkGapError: describeDistribution(joined.gapErrorsMs),
  };
}

/** `result`, with the joined records and write log as a non-enumerable `raw` when asked (diagnosis). */
function withRaw(keepRaw, raw, result) {
  if (keepRaw) Object.defineProperty(result, 'raw', { value: raw, enumerable: false });
  return result;
}

/** A terminal's progress line, drawn to /dev/null with a synchronous write as a TTY write is. */
function progressLine() {
  const fd = openSync('/dev/null', 'w');
  let updates = 0;
  return {
    get updates() {
      return updates;
    },
    update(event) {
      updates++;
      const phase = event.phase === 'warmup' ? 'warm-up ' : '';
      const ttft = event.p50TtftMs === null ? '' : `  p50 TTFT ${event.p50TtftMs.toFixed(1)} ms`;
      const line = `${event.provider}/${event.model} ${event.scenario}  ${phase}${event.done}/${event.total}  ${event.requestsPerS.toFixed(1)} req/s${ttft}`;
      writeSync(fd, `\r\x1b[2K${line.slice(0, 119)}`);
    },
    close() {
      writeSync(fd, '\r\x1b[2K');
    },
  };
}

/** The CLI's settings; a diagnosis may turn parts off to see what each costs. */
export const FULL_PATH = { records: true, tokenizer: 'offline', progress: true };

/**
 * The full llm-lens path with the CLI's settings: targets from the registry through
 * createTargets, records streamed to a JSONL file (JsonlRecordWriter, as `--records`), the
 * offline tokenizer, a progress callback drawing a line (as on a terminal), warm-up = C.
 * `onRecord` only keeps the measured records in memory for the join: the JSONL file holds
 * no monotonic dispatch stamp (it need not), and this costs a push per request.
 */
export async function measureLens(
  scenario,
  { simulatorCore, registry, workers = 1, path = FULL_PATH, keepRaw = false },
) {
  const dir = mkdtempSync(join(tmpdir(), 'lens-wave-'));
  const logFile = join(dir, 'writes.jsonl');
  const recordsFile = join(dir, 'records.jsonl');
  const simulator = await startSimulator(scenario, simulatorCore, logFile);
  let resolved;
  const progress = progressLine();
  try {
    resolved = await createTargets([providerSettings(simulator.baseUrl)], registry, {
      maxConcurrency: scenario.concurrency,
    });
    const records = [];
    const meter = phaseMeter();
    let phase;
    let warmupsDone = 0;
    collectGarbage();
    const summary = await runPlan(
      { targets: resolved.targets, scenarios: [scenarioPlan(scenario)] },
      {
        registry,
        sinks: path.records ? [new JsonlRecordWriter(recordsFile)] : [],
        secrets: resolved.secrets,
        tokenizer: path.tokenizer,
        workers,
        ...(path.progress ? { onProgress: (event) => progress.update(event) } : {}),
        onRecord: (record) => {
          if (record.isWarmup) {
            // The measured phase starts once every warm-up record is accounted for...
            if (++warmupsDone === scenario.warmup) meter.start();
            return;
          }
          records.push(record);
          // ...and ends with the last measured record, before the summary is built.
          if (records.length === scenario.requests) phase = meter.end();
        },
      },
    );
    phase ??= meter.end();
    await resolved.close();
    // Its CPU over its whole life (warm-up included). Not asked for (SIGUSR2) right after
    // the spawn: the simulator process prints its URL before it handles that signal.
    const simulatorCpuS = (await simulator.close()).cpuUs / 1e6;
    const writes = readWriteLogFile(logFile);
    const linesWritten = path.records
      ? readFileSync(recordsFile, 'utf8').split('\n').length - 1
      : null;
    const events = records.reduce((sum, r) => sum + r.tokenEventOffsetsNs.length, 0);
    const group = summary.groups[0];
    return withRaw(
      keepRaw,
      { records, writes },
      {
        client: 'llm-lens',
        workers,
        path,
        requests: records.length,
        failed: group?.requests.failed ?? scenario.requests,
        events,
        ...errors(records, writes),
        tokenCountSources: group?.token_count_sources ?? null,
        jsonlLines: linesWritten,
        progressUpdates: progress.updates,
        // The run's own figures: warm-up and measured phase, every load thread.
        summaryEventLoopDelayP99Ms: summary.fidelity.event_loop_delay_p99_ms,
        summaryEventLoopDelayMaxMs: summary.fidelity.event_loop_delay_max_ms,
        fidelityThreads: summary.fidelity.threads,
        clientBound: summary.fidelity.client_bound,
        ...phase,
        cpuUsPerEvent: phase ? (phase.clientCpuS * 1e6) / events : null,
        simulatorCpuS,
      },
    );
  } finally {
    progress.close();
    await resolved?.close().catch(() => {});
    await simulator.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bare stamp-only reader (bare-stream-reader.mjs), same request, same pattern. */
export async function measureBare(scenario, { simulatorCore, registry, keepRaw = false }) {
  const dir = mkdtempSync(join(tmpdir(), 'lens-wave-'));
  const logFile = join(dir, 'writes.jsonl');
  const simulator = await startSimulator(scenario, simulatorCore, logFile);
  // The same adapter builds the same request body and headers llm-lens sends.
  const settings = providerSettings(simulator.baseUrl);
  const instance = await registry
    .providerFactory(settings.type)
    .create(settings, { env: process.env, baseDir: process.cwd() });
  const input = requestInput({ model: WAVE_MODEL }, scenarioPlan(scenario));
  const spec = instance.provider.buildRequest(input);
  // As llm-lens's transport: one pool, HTTP/1.1 without pipelining, capped at C sockets.
  const agent = new Agent({ pipelining: 1, connections: scenario.concurrency });
  try {
    const whole = new EventLoopMonitor();
    const meter = phaseMeter();
    collectGarbage();
    whole.start();
    const requests = await runBareClosedLoop({
      agent,
      spec,
      concurrency: scenario.concurrency,
      warmup: scenario.warmup,
      requests: scenario.requests,
      onMeasureStart: () => meter.start(),
    });
    const phase = meter.end();
    whole.stop();
    await agent.close();
    const simulatorCpuS = (await simulator.close()).cpuUs / 1e6;
    const writes = readWriteLogFile(logFile);
    const { records, failed, unstamped, events } = bareRecords(requests);
    const loop = whole.snapshot();
    return withRaw(
      keepRaw,
      { records, writes },
      {
        client: 'bare',
        requests: records.length,
        failed,
        unstamped,
        events,
        ...errors(records, writes),
        // Same window as the summary's figures of llm-lens: warm-up and measured phase.
        summaryEventLoopDelayP99Ms: loop.p99Ms,
        summaryEventLoopDelayMaxMs: loop.maxMs,
        ...phase,
        cpuUsPerEvent: phase ? (phase.clientCpuS * 1e6) / events : null,
        simulatorCpuS,
      },
    );
  } finally {
    await agent.close().catch(() => {});
    await simulator.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Defaults of the quiet-machine gate: see `measureWhenQuiet`. */
export const QUIET = { maxWaitS: 30, busyCorePct: 10, maxBackgroundCorePct: 15, attempts: 2 };

/**
 * Runs `measure()` once the machine is quiet (other processes below `busyCorePct` % of a
 * core, waiting at most `maxWaitS`), and again (up to `attempts` in all) when others used
 * more than `maxBackgroundCorePct` % of a core meanwhile (or it threw). Resolves to the last attempt, with
 * `background` (others' CPU, % of one core), `quietWait` and `attempt`.
 */
export async function measureWhenQuiet(measure, quiet = QUIET, log = () => {}) {
  let result;
  for (let attempt = 1; attempt <= quiet.attempts; attempt++) {
    const quietWait = await waitForQuiet(quiet);
    if (quietWait.quiet === false) {
      log(
        `  the machine stayed busy (${quietWait.busyCorePct.toFixed(0)}% of a core): measuring anyway`,
      );
    }
    const meter = backgroundMeter();
    try {
      result = await measure();
    } catch (error) {
      noteBackground(null);
      if (attempt === quiet.attempts) throw error;
      log(`  the measurement failed (${error.message}): measuring again`);
      continue;
    }
    const background = meter.end();
    noteBackground(background);
    result = Object.assign(result, { background, quietWait, attempt });
    if (background === null || background <= quiet.maxBackgroundCorePct) break;
    log(
      `  other processes used ${background.toFixed(0)}% of a core meanwhile${attempt < quiet.attempts ? ': measuring again' : ''}`,
    );
  }
  return result;
}

/**
 * `repeat` rounds of both clients on `scenario`, alternating which goes first, each against
 * a fresh simulator on a quiet machine; resolves to the runs in order.
 */
export async function runWaveScenario(scenario, { simulatorCore, repeat, registry, quiet, log }) {
  const runs = [];
  for (let run = 1; run <= repeat; run++) {
    const order = run % 2 === 1 ? ['llm-lens', 'bare'] : ['bare', 'llm-lens'];
    for (const client of order) {
      log?.(`running ${scenario.name} ${client} (${run}/${repeat}) ...`);
      const measure = client === 'llm-lens' ? measureLens : measureBare;
      const result = await measureWhenQuiet(
        () => measure(scenario, { simulatorCore, registry }),
        quiet,
        log,
      );
      runs.push({ run, ...result });
    }
  }
  return runs;
}
