// One streaming scenario: lockstep simulator in its own process, the executor as the client,
// and every token stamp the client took joined with the simulator's log of when it wrote it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlan } from '@llm-lens/executor';
import { HttpTransport } from '@llm-lens/providers-core';
import { readWriteLogFile, spawnSimulator } from '@llm-lens/providers-mock';
import { createOpenAIProvider } from '@llm-lens/providers-openai';
import { describeDistribution } from './distribution.mjs';

const NS_PER_MS = 1e6;

/**
 * Runs `warmup` then `requests` streams at `concurrency` against a lockstep simulator and
 * returns the client's error against the simulator's own write stamps, its ingest rate and
 * its CPU cost per token event.
 */
export async function runStreamScenario(scenario, { simulatorCore } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lens-bench-'));
  const logFile = join(dir, 'writes.jsonl');
  const simulator = await spawnSimulator(
    {
      mode: 'lockstep',
      ttftMs: scenario.ttftMs,
      itlMs: scenario.itlMs,
      outputTokens: scenario.outputTokens,
      seed: 11,
      writeLogFile: logFile,
    },
    { core: simulatorCore },
  );
  const provider = createOpenAIProvider({
    id: 'openai-compatible',
    name: 'sim',
    baseUrl: simulator.baseUrl,
  });
  const transport = new HttpTransport();
  const target = { provider, transport, model: 'mock-model' };
  const tokenizer = scenario.tokenizer ? 'offline' : 'none';
  const plan = (name, requests) => ({
    targets: [target],
    scenarios: [
      {
        name,
        prompt: 'Tell me a story.',
        requests,
        concurrency: scenario.concurrency,
        warmup: 0,
        stream: true,
      },
    ],
  });
  try {
    // Warm-up opens every connection and warms the JIT; its records are not joined.
    await runPlan(plan('warmup', scenario.concurrency), { tokenizer });

    const records = [];
    const simulatorCpuBefore = await simulator.cpuUs();
    const usageBefore = process.resourceUsage();
    const cpuBefore = process.cpuUsage();
    const startNs = process.hrtime.bigint();
    const summary = await runPlan(plan(scenario.name, scenario.requests), {
      tokenizer,
      onRecord: (record) => records.push(record),
      // As the CLI runs on a terminal: live progress (done, rate, p50 TTFT) every 200 ms.
      onProgress: () => {},
    });
    const windowNs = Number(process.hrtime.bigint() - startNs);
    const cpu = process.cpuUsage(cpuBefore);
    const usageAfter = process.resourceUsage();
    const simulatorCpuUs = (await simulator.cpuUs()) - simulatorCpuBefore;
    await transport.close();
    await simulator.close();
    const writes = readWriteLogFile(logFile);
    return {
      ...joinWithWriteLog(records, writes),
      simulatorTicks: describeTicks(records, writes, scenario.itlMs),
      scenario,
      windowS: windowNs / 1e9,
      clientCpuS: (cpu.user + cpu.system) / 1e6,
      simulatorCpuS: simulatorCpuUs / 1e6,
      eventLoopDelayP99Ms: summary.fidelity.event_loop_delay_p99_ms,
      eventLoopDelayMaxMs: summary.fidelity.event_loop_delay_max_ms,
      clientBound: summary.fidelity.client_bound,
      // The client was runnable but another process had its core.
      involuntaryContextSwitches:
        usageAfter.involuntaryContextSwitches - usageBefore.involuntaryContextSwitches,
      failed: summary.groups[0]?.requests.failed ?? scenario.requests,
    };
  } finally {
    await transport.close().catch(() => {});
    await simulator.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * TTFT error = client's first-token stamp − server's first token write; chunk-gap error =
 * client gap − server gap, per gap; token lag = client stamp − server write, per token.
 * All in ms. Requests whose event counts differ from the server's are counted, not joined.
 */
export function joinWithWriteLog(records, writes) {
  const ttftErrors = [];
  const gapErrors = [];
  const tokenLags = [];
  let events = 0;
  let joined = 0;
  let unmatched = 0;
  for (const record of records) {
    events += record.tokenEventOffsetsNs.length;
    const server = writes.get(record.requestId);
    const offsets = record.tokenEventOffsetsNs;
    if (
      server === undefined ||
      server.tokenWritesNs.length !== offsets.length ||
      offsets.length === 0
    ) {
      unmatched++;
      continue;
    }
    joined++;
    // Monotonic stamps (ns since boot) stay below 2^53 for ~100 days: exact as doubles.
    const dispatch = Number(record.dispatchNs);
    const serverWrites = server.tokenWritesNs;
    ttftErrors.push((dispatch + Number(record.ttftNs) - Number(serverWrites[0])) / NS_PER_MS);
    let previousLag = 0;
    for (let i = 0; i < offsets.length; i++) {
      const lag = dispatch + offsets[i] - Number(serverWrites[i]);
      tokenLags.push(lag / NS_PER_MS);
      if (i > 0) gapErrors.push((lag - previousLag) / NS_PER_MS);
      previousLag = lag;
    }
  }
  return {
    requests: records.length,
    joined,
    unmatched,
    events,
    ttftError: describeDistribution(ttftErrors),
    chunkGapError: describeDistribution(gapErrors),
    tokenLag: describeDistribution(tokenLags),
  };
}

/**
 * How the simulator spread each decode step's writes: the measured requests' token writes,
 * split into bursts wherever the server was silent for half a tick. `spreadMs` is first to
 * last write of a burst: the client faced `size` chunks over that time, not all at once.
 */
export function describeTicks(records, writes, itlMs) {
  const stamps = [];
  for (const record of records) {
    const server = writes.get(record.requestId);
    if (server === undefined) continue;
    for (const ns of server.tokenWritesNs) stamps.push(Number(ns));
  }
  if (stamps.length === 0) return null;
  const sorted = Float64Array.from(stamps).sort();
  const quietNs = (itlMs * NS_PER_MS) / 2;
  const spreads = [];
  const sizes = [];
  let first = sorted[0];
  let size = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i === sorted.length || sorted[i] - sorted[i - 1] > quietNs) {
      spreads.push((sorted[i - 1] - first) / NS_PER_MS);
      sizes.push(size);
      first = sorted[i];
      size = 1;
    } else {
      size++;
    }
  }
  return {
    bursts: spreads.length,
    size: describeDistribution(sizes),
    spreadMs: describeDistribution(spreads),
  };
}
