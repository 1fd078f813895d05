// Non-streaming requests/s of the executor against the simulator, next to autocannon's and
// bare undici's with the same request, in the same process and on the same core.

import { runPlan } from '@llm-lens/executor';
import { HttpTransport } from '@llm-lens/providers-core';
import { spawnSimulator } from '@llm-lens/providers-mock';
import { createOpenAIProvider } from '@llm-lens/providers-openai';
import autocannon from 'autocannon';
import { Agent } from 'undici';
import { dispatchBare } from './bare-dispatch.mjs';

const PROMPT = 'Say something.';
const INPUT = { model: 'mock-model', prompt: PROMPT, stream: false };
/** Each measurement starts with this much unmeasured load on its fresh simulator. */
const WARMUP_S = 1;

function result(requests, failed, seconds, cpu) {
  return {
    requests,
    failed,
    seconds,
    requestsPerS: (requests - failed) / seconds,
    cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, requests),
  };
}

/** The executor, closed loop: `runPlan` with `connections` in flight for about `seconds`. */
function executorClient(connections) {
  let requestsPerS = 5_000;
  const run = async (baseUrl, seconds) => {
    const provider = createOpenAIProvider({ id: 'openai-compatible', name: 'sim', baseUrl });
    const transport = new HttpTransport();
    const requests = Math.max(connections * 10, Math.round(requestsPerS * seconds));
    const plan = {
      targets: [{ provider, transport, model: INPUT.model }],
      scenarios: [
        {
          name: 'non-streaming',
          prompt: PROMPT,
          requests,
          concurrency: connections,
          warmup: 0,
          stream: false,
        },
      ],
    };
    try {
      const cpuBefore = process.cpuUsage();
      const startNs = process.hrtime.bigint();
      const summary = await runPlan(plan, { tokenizer: 'none' });
      const elapsedS = Number(process.hrtime.bigint() - startNs) / 1e9;
      const outcome = result(
        requests,
        summary.groups[0]?.requests.failed ?? requests,
        elapsedS,
        process.cpuUsage(cpuBefore),
      );
      // runPlan takes a request count: size the next run from this one's rate.
      requestsPerS = outcome.requestsPerS;
      return outcome;
    } finally {
      await transport.close();
    }
  };
  return { name: 'executor', run };
}

/** undici alone, a handler that only counts: the floor of any undici-based client, ours included. */
function bareUndiciClient(connections) {
  const run = async (baseUrl, seconds) => {
    const spec = createOpenAIProvider({ baseUrl }).buildRequest(INPUT);
    const url = new URL(spec.url);
    const agent = new Agent({ pipelining: 1 });
    const request = {
      origin: url.origin,
      path: url.pathname,
      method: spec.method,
      headers: spec.headers,
      body: spec.body,
    };
    const one = () => dispatchBare(agent, request);
    try {
      const cpuBefore = process.cpuUsage();
      const startNs = process.hrtime.bigint();
      const endNs = startNs + BigInt(Math.round(seconds * 1e9));
      let requests = 0;
      let failed = 0;
      const loop = async () => {
        while (process.hrtime.bigint() < endNs) {
          try {
            await one();
          } catch {
            failed++;
          }
          requests++;
        }
      };
      await Promise.all(Array.from({ length: connections }, loop));
      const elapsedS = Number(process.hrtime.bigint() - startNs) / 1e9;
      return result(requests, failed, elapsedS, process.cpuUsage(cpuBefore));
    } finally {
      await agent.close();
    }
  };
  return { name: 'bare undici', run };
}

/** autocannon: `connections` sockets, pipelining 1, for `seconds`. */
function autocannonClient(connections) {
  const run = async (baseUrl, seconds) => {
    const spec = createOpenAIProvider({ baseUrl }).buildRequest(INPUT);
    const cpuBefore = process.cpuUsage();
    const outcome = await autocannon({
      url: spec.url,
      method: spec.method,
      headers: spec.headers,
      body: spec.body,
      connections,
      pipelining: 1,
      duration: seconds,
    });
    const failed = outcome.non2xx + outcome.errors + outcome.timeouts;
    return {
      ...result(outcome.requests.total, failed, outcome.duration, process.cpuUsage(cpuBefore)),
      requestsPerS: outcome['2xx'] / outcome.duration,
    };
  };
  return { name: 'autocannon', run };
}

/**
 * Alternates `rounds` measurements of the executor, bare undici and autocannon, each with
 * `connections` in flight for about `durationS`, and returns every round plus the best of
 * each (the least disturbed by neighbours). Every measurement gets a fresh simulator
 * process and a warm-up on it, so no client inherits another's server-side state (the
 * simulator served the second client of a shared process up to a third slower).
 */
export async function runRequestRateComparison(
  { connections, durationS, rounds, outputTokens },
  { simulatorCore } = {},
) {
  const clients = [
    executorClient(connections),
    bareUndiciClient(connections),
    autocannonClient(connections),
  ];
  const measure = async (client, seconds) => {
    const simulator = await spawnSimulator(
      // Answers as fast as the simulator can: what is measured is HTTP handling on both sides.
      { ttftMs: 0, itlMs: 0, outputTokens, seed: 5 },
      { core: simulatorCore },
    );
    try {
      await client.run(simulator.baseUrl, WARMUP_S);
      return await client.run(simulator.baseUrl, seconds);
    } finally {
      await simulator.close();
    }
  };
  // JIT-warm every client once, and size the executor's runs from a warm one.
  for (const client of clients) await measure(client, WARMUP_S);
  const runs = new Map(clients.map((client) => [client.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const client of clients) runs.get(client.name).push(await measure(client, durationS));
  }
  const best = (list) => list.reduce((a, b) => (b.requestsPerS > a.requestsPerS ? b : a));
  const ours = runs.get('executor');
  const bare = runs.get('bare undici');
  const theirs = runs.get('autocannon');
  return {
    connections,
    durationS,
    outputTokens,
    ours,
    bareUndici: bare,
    autocannon: theirs,
    bestOursPerS: best(ours).requestsPerS,
    bestBareUndiciPerS: best(bare).requestsPerS,
    bestAutocannonPerS: best(theirs).requestsPerS,
    ratio: best(ours).requestsPerS / best(theirs).requestsPerS,
  };
}
