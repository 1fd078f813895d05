import { tokenCountProblem, type Usage } from '@llm-lens/providers-core';
import { asObject } from './cohere-payload.js';

/**
 * Maps a Cohere `usage` object to Usage. Cohere reports two pairs of counts: `tokens` (what
 * the model processed and generated) and `billed_units` (what is charged, which leaves out
 * the chat template and other tokens Cohere adds, so its input can be a small fraction of the
 * processed input). Our input and output tokens mean what the model processed and generated,
 * so they come from `tokens`; thinking is included in `tokens.output_tokens` (Cohere reports
 * no reasoning count of its own). `cached_tokens` (prompt tokens that hit the cache) is the
 * cached input. `billed_units` is not recorded. A count that is present but not a whole
 * number from 0 to 10^9 drops the whole report, with the reason; a report without `tokens`
 * (e.g. the empty usage of a failed generation) gives nothing.
 */
export function toCohereUsage(value: unknown): Usage | undefined {
  const raw = asObject(value);
  if (raw === undefined) return undefined;
  const tokens = asObject(raw.tokens);
  const input = tokens?.input_tokens;
  const output = tokens?.output_tokens;
  const cached = raw.cached_tokens;
  const problem =
    tokenCountProblem('tokens.output_tokens', output) ??
    tokenCountProblem('tokens.input_tokens', input) ??
    tokenCountProblem('cached_tokens', cached);
  if (problem !== undefined) return { ignoredReason: `usage ignored: ${problem}` };
  const usage: Usage = {};
  if (typeof input === 'number') usage.inputTokens = input;
  if (typeof output === 'number') usage.outputTokens = output;
  if (typeof cached === 'number') usage.cachedInputTokens = cached;
  return Object.keys(usage).length === 0 ? undefined : usage;
}
