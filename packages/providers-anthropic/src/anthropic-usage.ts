import { tokenCountProblem, type Usage } from '@llm-lens/providers-core';

type JsonObject = Record<string, unknown>;

/**
 * Maps an Anthropic `usage` object to Usage. `input_tokens` leaves out the prompt tokens
 * read from or written to the prompt cache, so the input is their sum and the cached input
 * is `cache_read_input_tokens`. `output_tokens` counts thinking too; the thinking share,
 * when the API breaks it out (`output_tokens_details.thinking_tokens`), is the reasoning
 * count. A count that is present but not a whole number from 0 to 10^9 drops the whole
 * report, with the reason.
 */
export function toAnthropicUsage(value: unknown): Usage | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const raw = value as JsonObject;
  const input = raw.input_tokens;
  const output = raw.output_tokens;
  const cacheRead = raw.cache_read_input_tokens;
  const cacheWrite = raw.cache_creation_input_tokens;
  const details = raw.output_tokens_details;
  const thinking =
    details !== null && typeof details === 'object' && !Array.isArray(details)
      ? (details as JsonObject).thinking_tokens
      : undefined;
  const problem =
    tokenCountProblem('output_tokens', output) ??
    tokenCountProblem('input_tokens', input) ??
    tokenCountProblem('cache_read_input_tokens', cacheRead) ??
    tokenCountProblem('cache_creation_input_tokens', cacheWrite) ??
    tokenCountProblem('output_tokens_details.thinking_tokens', thinking);
  if (problem !== undefined) return { ignoredReason: `usage ignored: ${problem}` };
  const usage: Usage = {};
  if (typeof input === 'number') {
    usage.inputTokens =
      input +
      (typeof cacheRead === 'number' ? cacheRead : 0) +
      (typeof cacheWrite === 'number' ? cacheWrite : 0);
  }
  if (typeof cacheRead === 'number') usage.cachedInputTokens = cacheRead;
  if (typeof output === 'number') usage.outputTokens = output;
  if (typeof thinking === 'number') usage.reasoningTokens = thinking;
  return usage;
}
