// Non-streaming requests/s of the executor against the simulator, next to autocannon's on
// the same server with the same request, in the same process and on the same core.
import autocannon from 'autocannon';
import { runPlan } from '@llm-lens/executor';
import { HttpTransport } from '@llm-lens/providers-core';
import { createOpenAIProvider } from '@llm-lens/providers-openai';
import { spawnSimulator } from './spawn-simulator.mjs';

const PROMPT = 'Say something.';

/**
 * Alternates `rounds` measurements of the executor (closed loop, `connections` in flight)
 * and autocannon (`connections` sockets, pipelining 1) for about `durationS` each, and
 * returns every round plus the best of each (the least disturbed by neighbours).
 */
export async function runRequestRateComparison({ connections, durationS, rounds, outputTokens }, { simulatorCore } = {}) {
  const simulator = await spawnSimulator(
    // Answers as fast as the simulator can: what is measured is HTTP handling on both sides.
    { ttftMs: 0, itlMs: 0, outputTokens, seed: 5 },
    { core: simulatorCore },
  );
  const provider = createOpenAIProvider({ id: 'openai-compatible', name: 'sim', baseUrl: simulator.baseUrl });
  const input = { model: 'mock-model', prompt: PROMPT, stream: false };
  const spec = provider.buildRequest(input);
  const transport = new HttpTransport();
  const target = { provider, transport, model: 'mock-model' };
  const plan = (requests) => ({
    targets: [target],
    scenarios: [{ name: 'non-streaming', prompt: PROMPT, requests, concurrency: connections, warmup: 0, stream: false }],
  });
  const runOurs = async (requests) => {
    const cpuBefore = process.cpuUsage();
    const startNs = process.hrtime.bigint();
    const summary = await runPlan(plan(requests), { tokenCounterFor: () => undefined });
    const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const failed = summary.groups[0]?.requests.failed ?? requests;
    return {
      requests,
      failed,
      seconds,
      requestsPerS: (requests - failed) / seconds,
      cpuUsPerRequest: (cpu.user + cpu.system) / requests,
    };
  };
  const runAutocannon = async (seconds) => {
    const cpuBefore = process.cpuUsage();
    const result = await autocannon({
      url: spec.url,
      method: spec.method,
      headers: spec.headers,
      body: spec.body,
      connections,
      pipelining: 1,
      duration: seconds,
    });
    const cpu = process.cpuUsage(cpuBefore);
    const ok = result['2xx'];
    return {
      requests: result.requests.total,
      failed: result.non2xx + result.errors + result.timeouts,
      seconds: result.duration,
      requestsPerS: ok / result.duration,
      cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, result.requests.total),
    };
  };

  try {
    // Warm both clients (JIT, connections), and size our runs to last about durationS.
    const calibration = await runOurs(connections * 40);
    await runAutocannon(1);
    const requests = Math.max(connections * 10, Math.round(calibration.requestsPerS * durationS));
    const ours = [];
    const theirs = [];
    for (let round = 0; round < rounds; round++) {
      ours.push(await runOurs(requests));
      theirs.push(await runAutocannon(durationS));
    }
    const best = (runs) => runs.reduce((a, b) => (b.requestsPerS > a.requestsPerS ? b : a));
    const bestOurs = best(ours);
    const bestTheirs = best(theirs);
    return {
      connections,
      durationS,
      outputTokens,
      ours,
      autocannon: theirs,
      bestOursPerS: bestOurs.requestsPerS,
      bestAutocannonPerS: bestTheirs.requestsPerS,
      ratio: bestOurs.requestsPerS / bestTheirs.requestsPerS,
    };
  } finally {
    await transport.close();
    await simulator.close();
  }
}
