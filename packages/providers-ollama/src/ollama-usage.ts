import { tokenCountProblem, type Usage } from '@llm-lens/providers-core';
import type { JsonObject } from './ollama-payload.js';

/**
 * Maps the counts of a `done: true` line (or a non-streaming body) to Usage: the input is
 * `prompt_eval_count`, the output `eval_count`. `eval_count` is the runner's count of every
 * generated token, taken before Ollama splits the text into `thinking` and `content`, so it
 * already includes thinking (Ollama reports no separate reasoning count; `reasoningTokens`
 * stays unset). Ollama leaves a count out when it is 0 (a prompt served wholly from its
 * cache), and an absent count stays unreported. A count that is present but not a whole
 * number from 0 to 10^9 drops the whole report, with the reason.
 */
export function toOllamaUsage(payload: JsonObject): Usage | undefined {
  const input = payload.prompt_eval_count;
  const output = payload.eval_count;
  const problem =
    tokenCountProblem('eval_count', output) ?? tokenCountProblem('prompt_eval_count', input);
  if (problem !== undefined) return { ignoredReason: `usage ignored: ${problem}` };
  const usage: Usage = {};
  if (typeof input === 'number') usage.inputTokens = input;
  if (typeof output === 'number') usage.outputTokens = output;
  return usage.inputTokens === undefined && usage.outputTokens === undefined ? undefined : usage;
}

/** Ollama's duration fields (nanoseconds) and the server-timing names they are kept under (ms). */
export const OLLAMA_SERVER_TIMINGS = [
  ['total_duration', 'total_duration_ms'],
  ['load_duration', 'load_duration_ms'],
  ['prompt_eval_duration', 'prompt_eval_duration_ms'],
  ['eval_duration', 'eval_duration_ms'],
] as const;

const NS_PER_MS = 1e6;

/**
 * Ollama's own durations from a done line, converted from nanoseconds to milliseconds:
 * `total_duration_ms`, `load_duration_ms` (a cold model load shows here),
 * `prompt_eval_duration_ms` and `eval_duration_ms`. A field that is absent or not a
 * non-negative number is left out; undefined when none is usable.
 */
export function toOllamaServerTimings(payload: JsonObject): Record<string, number> | undefined {
  let timings: Record<string, number> | undefined;
  for (const [field, name] of OLLAMA_SERVER_TIMINGS) {
    const ns = payload[field];
    if (typeof ns !== 'number' || !Number.isFinite(ns) || ns < 0) continue;
    timings ??= {};
    timings[name] = ns / NS_PER_MS;
  }
  return timings;
}
