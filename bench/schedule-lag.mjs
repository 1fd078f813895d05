// Open-loop schedule lag: how late llm-lens hands each request of a constant-rate schedule
// to the HTTP client (`schedule_lag`, the client's own lateness), at 1,000 and 5,000
// requests per second, on one thread and with worker threads, next to a bare open loop in
// the same process: the same timer re-arming and undici dispatch, nothing else.
import { createTargets, runPlan } from '@llm-lens/executor';
import { spawnSimulator } from '@llm-lens/providers-mock';
import { Agent } from 'undici';
import { dispatchBare } from './bare-dispatch.mjs';
import { cliRegistry } from './wave-fidelity.mjs';

const PROMPT = 'Say something.';
const NS_PER_MS = 1e6;

function nearestRank(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function lagStats(lagsMs) {
  const sorted = Float64Array.from(lagsMs).sort();
  return {
    p50: nearestRank(sorted, 50),
    p99: nearestRank(sorted, 99),
    max: sorted.length === 0 ? null : sorted[sorted.length - 1],
  };
}

/** llm-lens: the `open` pattern at `rate` for `seconds`, through the CLI's registry. */
async function lensRun(baseUrl, rate, seconds, workers) {
  const registry = await cliRegistry();
  const resolved = await createTargets(
    [
      {
        name: 'sim',
        type: 'openai-compatible',
        models: ['mock-model'],
        base_url: baseUrl,
        api: 'chat',
      },
    ],
    registry,
  );
  try {
    const summary = await runPlan(
      {
        targets: resolved.targets,
        scenarios: [
          {
            name: 'open',
            prompt: PROMPT,
            requests: Math.round(rate * seconds),
            concurrency: 1,
            warmup: 0,
            stream: false,
            load: { type: 'open', settings: { rate } },
          },
        ],
      },
      { registry, workers, tokenizer: 'none' },
    );
    const group = summary.groups[0];
    return {
      requests: group.requests.total,
      failed: group.requests.failed,
      sentPerS: group.throughput.dispatch_rate_per_s,
      lagMs: {
        p50: group.schedule_lag?.p50 ?? null,
        p99: group.schedule_lag?.p99 ?? null,
        max: group.schedule_lag?.max ?? null,
      },
      eventLoopDelayP99Ms: summary.fidelity.event_loop_delay_p99_ms,
      clientBound: summary.fidelity.client_bound,
    };
  } finally {
    await resolved.close();
  }
}

/** The bare open loop: re-armed timers to each due time, then undici dispatch; lag = hand-off − due. */
async function bareRun(baseUrl, rate, seconds) {
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const url = new URL(`${baseUrl}/chat/completions`);
  const body = JSON.stringify({
    model: 'mock-model',
    messages: [{ role: 'user', content: PROMPT }],
    stream: false,
  });
  const request = {
    origin: url.origin,
    path: url.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  };
  const count = Math.round(rate * seconds);
  const gapNs = 1e9 / rate;
  const lags = new Float64Array(count);
  const inFlight = [];
  let failed = 0;
  const sleepUntil = (dueNs) =>
    new Promise((resolve) => {
      const arm = () => {
        const leftMs = Number(dueNs - process.hrtime.bigint()) / NS_PER_MS;
        if (leftMs <= 0) resolve();
        else setTimeout(arm, Math.max(1, Math.ceil(leftMs)));
      };
      arm();
    });
  const start = process.hrtime.bigint();
  const firstNs = start;
  let lastNs = start;
  for (let i = 0; i < count; i++) {
    const dueNs = start + BigInt(Math.round(i * gapNs));
    if (dueNs > process.hrtime.bigint()) await sleepUntil(dueNs);
    lastNs = process.hrtime.bigint();
    lags[i] = Number(lastNs - dueNs) / NS_PER_MS;
    inFlight.push(
      dispatchBare(agent, request).catch(() => {
        failed++;
      }),
    );
  }
  await Promise.all(inFlight);
  await agent.close();
  return {
    requests: count,
    failed,
    sentPerS: ((count - 1) * 1e9) / Number(lastNs - firstNs),
    lagMs: lagStats(lags),
  };
}

/**
 * One simulator process (on `simulatorCore` when pinned) per measurement. Returns one row
 * per rate × client: llm-lens on 1 thread, llm-lens with `workers` threads, and the bare loop.
 */
export async function runScheduleLag({ rates, seconds, workers, simulatorCore }) {
  const rows = [];
  const measure = async (run) => {
    const simulator = await spawnSimulator(
      { ttftMs: 0, itlMs: 0, outputTokens: 4, seed: 9 },
      { core: simulatorCore },
    );
    try {
      return await run(simulator.baseUrl);
    } finally {
      await simulator.close();
    }
  };
  // JIT-warm both clients once before anything is measured.
  await measure((url) => lensRun(url, 200, 1, 1));
  await measure((url) => bareRun(url, 200, 1));
  for (const rate of rates) {
    rows.push({ rate, client: 'bare', ...(await measure((url) => bareRun(url, rate, seconds))) });
    rows.push({
      rate,
      client: 'llm-lens',
      workers: 1,
      ...(await measure((url) => lensRun(url, rate, seconds, 1))),
    });
    rows.push({
      rate,
      client: 'llm-lens',
      workers,
      ...(await measure((url) => lensRun(url, rate, seconds, workers))),
    });
  }
  return rows;
}

/** The table `pnpm bench` prints. */
export function printScheduleLag(rows) {
  const f = (v) => (v === null || v === undefined ? '-' : v.toFixed(3));
  console.log(
    [
      'rate/s'.padStart(7),
      'client'.padEnd(18),
      'sent/s'.padStart(8),
      'lag p50 ms'.padStart(11),
      'lag p99 ms'.padStart(11),
      'lag max ms'.padStart(11),
      'failed'.padStart(7),
      'ELD p99'.padStart(8),
      'client-bound'.padStart(13),
    ].join(' '),
  );
  for (const r of rows) {
    const client = r.client === 'bare' ? 'bare open loop' : `llm-lens ×${r.workers} thr`;
    console.log(
      [
        String(r.rate).padStart(7),
        client.padEnd(18),
        (r.sentPerS === null ? '-' : r.sentPerS.toFixed(0)).padStart(8),
        f(r.lagMs.p50).padStart(11),
        f(r.lagMs.p99).padStart(11),
        f(r.lagMs.max).padStart(11),
        String(r.failed).padStart(7),
        (r.eventLoopDelayP99Ms === undefined ? '-' : f(r.eventLoopDelayP99Ms)).padStart(8),
        String(r.clientBound ?? '-').padStart(13),
      ].join(' '),
    );
  }
}
