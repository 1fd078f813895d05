import { randomUUID } from 'node:crypto';
import type { RequestRecord } from '@llm-lens/core-timing';
import { Aggregator, EVENTS_PER_SLICE, LatencyHistogram } from '@llm-lens/metrics';
import { createTokenCounter, warmUpHttpClient } from '@llm-lens/providers-core';
import { type TextTokenCounter, TokenCountCache } from './token-count-cache.js';

/**
 * Which offline tokenizer a run uses: `offline` (gpt-tokenizer, every model's vocabulary
 * loaded before the run), `auto` (gpt-tokenizer, loaded before the run only for models with a
 * streaming scenario; see {@link preloadForRun}), `none`, or one per model.
 */
export type TokenizerChoice =
  | 'auto'
  | 'offline'
  | 'none'
  | ((model: string) => TextTokenCounter | undefined);

// Enough varied text to load a vocabulary and get its BPE code compiled by the JIT: words,
// digits, punctuation, whitespace runs and non-ASCII, as model output has.
const WARM_UP_TEXT = Array.from(
  { length: 40 },
  (_, i) =>
    `Step ${i}: the server's queue — ${i * 37} tokens at ${(i * 1.5).toFixed(1)} ms; naïve "tail" latency,\n  résumé  `,
).join('');

/**
 * Everything a run would otherwise load or compile after its first dispatch, done before:
 * undici's HTTP/1.1 parser (WebAssembly compiled on the first connection), each model's
 * tokenizer vocabulary (100–500 ms, 30–60 MB) and its BPE code, and the statistics and
 * encoding paths of the metrics package. Returns the token counter of each model.
 *
 * `streamingModels` are the models with at least one streaming scenario (default: every
 * model). Under `tokenizer: 'auto'` only their vocabularies are loaded here: a stream's
 * deltas are counted as they arrive, and a vocabulary loaded then would stall the stamping
 * thread mid-run. Any other model gets a counter that loads its vocabulary on first use
 * ({@link TokenCountCache.isOnDemand}), which happens only for a non-streaming response
 * without the server's output count; most carry one, and then nothing is loaded at all.
 */
export async function preloadForRun(
  models: readonly string[],
  tokenizer: TokenizerChoice,
  streamingModels: readonly string[] = models,
): Promise<Map<string, TokenCountCache | undefined>> {
  await warmUpHttpClient();
  const counters = new Map<string, TokenCountCache | undefined>();
  for (const model of models) {
    if (counters.has(model)) continue;
    if (tokenizer === 'auto' && !streamingModels.includes(model)) {
      // createTokenCounter loads its vocabulary at its first count, not here.
      counters.set(model, new TokenCountCache(createTokenCounter(model), { isOnDemand: true }));
      continue;
    }
    const counter =
      tokenizer === 'none'
        ? undefined
        : tokenizer === 'offline' || tokenizer === 'auto'
          ? createTokenCounter(model)
          : tokenizer(model);
    if (counter !== undefined) {
      for (let i = 0; i < 3; i++) counter.count(WARM_UP_TEXT);
      const cache = new TokenCountCache(counter);
      // An unbroken run takes the cut-and-estimate paths, per delta and for the whole text.
      const run = 'x'.repeat(10_000);
      cache.count(run);
      const whole = cache.countWhole([WARM_UP_TEXT, WARM_UP_TEXT.repeat(2), run]);
      while (!whole.step(2n ** 63n)) {}
      counters.set(model, cache);
    } else {
      counters.set(model, undefined);
    }
  }
  warmUpMetrics();
  randomUUID();
  return counters;
}

/** Runs every statistics path of a run once on a throwaway record. */
function warmUpMetrics(): void {
  const record: RequestRecord = {
    requestId: 'warm-up',
    provider: 'warm-up',
    model: 'warm-up',
    scenario: 'warm-up',
    isWarmup: false,
    startedAtMs: Date.now(),
    dispatchNs: 0n,
    status: 'ok',
    queueNs: 1_000n,
    sendDelayNs: 2_000n,
    connection: { connectNs: 3_000n, dnsNs: 1_000n, tlsNs: 4_000n },
    ttfbNs: 5_000_000n,
    ttftNs: 6_000_000n,
    ttfoNs: 6_000_000n,
    e2eNs: 9_000_000n,
    e2eFromScheduleNs: 9_001_000n,
    tpotNs: 1_000_000n,
    outputTokens: 4,
    tokenCountSource: 'tokenizer',
    tokenEventOffsetsNs: Float64Array.of(6e6, 7e6, 8e6, 9e6),
    tokenEventTokens: Uint32Array.of(1, 1, 1, 1),
  };
  const aggregator = new Aggregator();
  aggregator.add(record);
  aggregator.add({ ...record, status: 'error', errorClass: 'network', errorMessage: 'x' });
  // A response long enough to be added in slices takes the sliced path too.
  const events = EVENTS_PER_SLICE + 2;
  aggregator.add({
    ...record,
    tokenEventOffsetsNs: Float64Array.from({ length: events }, (_, i) => 6e6 + i * 1e5),
    tokenEventTokens: new Uint32Array(events).fill(1),
  });
  const merged = new Aggregator();
  merged.mergeEncoded(aggregator.encodeGroups());
  merged.summarize({
    complete: true,
    fidelity: { event_loop_delay_p99_ms: 0, event_loop_delay_max_ms: 0, client_bound: false },
  });
  const histogram = new LatencyHistogram();
  histogram.recordNs(1_000_000);
  histogram.percentile(50);
}
