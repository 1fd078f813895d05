import { tokenCountProblem, type Usage } from '@llm-lens/providers-core';
import { asObject } from './bedrock-payload.js';

/**
 * Maps a Converse `usage` object (the stream's `metadata` event, the body of Converse) to
 * Usage. Like Anthropic's, Bedrock's `inputTokens` leaves out the prompt tokens read from or
 * written to the prompt cache, so the input is `inputTokens + cacheReadInputTokens +
 * cacheWriteInputTokens` and the cached input `cacheReadInputTokens`. `outputTokens`
 * includes reasoning (no model reports it apart). A count that is present but not a whole
 * number from 0 to 10^9 drops the whole report, with the reason.
 */
export function toConverseUsage(value: unknown): Usage | undefined {
  const raw = asObject(value);
  if (raw === undefined) return undefined;
  const { inputTokens, outputTokens, cacheReadInputTokens, cacheWriteInputTokens } = raw;
  const problem =
    tokenCountProblem('outputTokens', outputTokens) ??
    tokenCountProblem('inputTokens', inputTokens) ??
    tokenCountProblem('cacheReadInputTokens', cacheReadInputTokens) ??
    tokenCountProblem('cacheWriteInputTokens', cacheWriteInputTokens);
  if (problem !== undefined) return { ignoredReason: `usage ignored: ${problem}` };
  return combine(inputTokens, cacheReadInputTokens, cacheWriteInputTokens, outputTokens);
}

/** Counts already checked with `tokenCountProblem`: numbers or absent. */
function combine(input: unknown, cacheRead: unknown, cacheWrite: unknown, output: unknown): Usage {
  const usage: Usage = {};
  if (typeof input === 'number') {
    usage.inputTokens =
      input +
      (typeof cacheRead === 'number' ? cacheRead : 0) +
      (typeof cacheWrite === 'number' ? cacheWrite : 0);
  }
  if (typeof cacheRead === 'number') usage.cachedInputTokens = cacheRead;
  if (typeof output === 'number') usage.outputTokens = output;
  return usage;
}

/**
 * Maps an Anthropic `usage` object (message_start, message_delta, an InvokeModel body) to
 * Usage, with the same cache arithmetic as {@link toConverseUsage}; `output_tokens`
 * includes thinking.
 */
export function toAnthropicUsage(value: unknown): Usage | undefined {
  const raw = asObject(value);
  if (raw === undefined) return undefined;
  const input = raw.input_tokens;
  const output = raw.output_tokens;
  const cacheRead = raw.cache_read_input_tokens;
  const cacheWrite = raw.cache_creation_input_tokens;
  const problem =
    tokenCountProblem('output_tokens', output) ??
    tokenCountProblem('input_tokens', input) ??
    tokenCountProblem('cache_read_input_tokens', cacheRead) ??
    tokenCountProblem('cache_creation_input_tokens', cacheWrite);
  if (problem !== undefined) return { ignoredReason: `usage ignored: ${problem}` };
  return combine(input, cacheRead, cacheWrite, output);
}

/** Prompt-cache counts an Anthropic message_start reported, for {@link toInvocationMetricsUsage}. */
export interface AnthropicCacheCounts {
  cacheRead?: number;
  cacheWrite?: number;
}

/**
 * Maps the `amazon-bedrock-invocationMetrics` of an InvokeModelWithResponseStream's last
 * chunk to Usage: Bedrock's own count of the invocation. `inputTokenCount` leaves out cached
 * prompt tokens, which newer responses report as `cacheReadInputTokenCount` and
 * `cacheWriteInputTokenCount`; when those are absent, the counts of the model's own
 * message_start (`fromModel`) stand in for them.
 */
export function toInvocationMetricsUsage(
  metrics: Record<string, unknown>,
  fromModel: AnthropicCacheCounts,
): Usage | undefined {
  const { inputTokenCount, outputTokenCount, cacheReadInputTokenCount, cacheWriteInputTokenCount } =
    metrics;
  if (inputTokenCount === undefined && outputTokenCount === undefined) return undefined;
  const problem =
    tokenCountProblem('outputTokenCount', outputTokenCount) ??
    tokenCountProblem('inputTokenCount', inputTokenCount) ??
    tokenCountProblem('cacheReadInputTokenCount', cacheReadInputTokenCount) ??
    tokenCountProblem('cacheWriteInputTokenCount', cacheWriteInputTokenCount);
  if (problem !== undefined) return { ignoredReason: `usage ignored: ${problem}` };
  return combine(
    inputTokenCount,
    cacheReadInputTokenCount ?? fromModel.cacheRead,
    cacheWriteInputTokenCount ?? fromModel.cacheWrite,
    outputTokenCount,
  );
}

/**
 * Server timings in ms from named fields of `source` (`{ latencyMs: 'latency_ms' }`);
 * fields that are not finite numbers of at least 0 are left out. Undefined when none is left.
 */
export function serverTimings(
  source: Record<string, unknown>,
  names: Readonly<Record<string, string>>,
): Record<string, number> | undefined {
  let timings: Record<string, number> | undefined;
  for (const [field, name] of Object.entries(names)) {
    const value = source[field];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
      timings ??= {};
      timings[name] = value;
    }
  }
  return timings;
}
