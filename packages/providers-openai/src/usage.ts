import { tokenCountProblem, type Usage } from '@llm-lens/providers-core';

type JsonObject = Record<string, unknown>;

function detailsOf(container: unknown): JsonObject | undefined {
  return container !== null && typeof container === 'object'
    ? (container as JsonObject)
    : undefined;
}

/**
 * Maps an OpenAI `usage` object (prompt_tokens, completion_tokens and their details) to
 * Usage; undefined when the value is not a usage object (OpenAI sends `usage: null` on
 * every chunk but the last when include_usage is on). Counts are checked here, at the
 * boundary: when one of them is present but not a token count (`1e300`, `26.5`, `"12"`),
 * the whole report is untrustworthy and only `ignoredReason` is returned, so the run counts
 * tokens itself and says why.
 */
export function toUsage(value: unknown): Usage | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const raw = value as JsonObject;
  const completionDetails = detailsOf(raw.completion_tokens_details);
  const promptDetails = detailsOf(raw.prompt_tokens_details);
  const input = raw.prompt_tokens;
  const output = raw.completion_tokens;
  const reasoning = completionDetails?.reasoning_tokens;
  const cached = promptDetails?.cached_tokens;
  const problem =
    tokenCountProblem('completion_tokens', output) ??
    tokenCountProblem('prompt_tokens', input) ??
    tokenCountProblem('completion_tokens_details.reasoning_tokens', reasoning) ??
    tokenCountProblem('prompt_tokens_details.cached_tokens', cached);
  if (problem !== undefined) return { ignoredReason: `usage ignored: ${problem}` };
  // Checked above: each is absent or a whole number from 0 to MAX_TOKEN_COUNT.
  const usage: Usage = {};
  if (typeof input === 'number') usage.inputTokens = input;
  if (typeof output === 'number') {
    usage.outputTokens = output;
    if (
      typeof reasoning === 'number' &&
      excludesReasoning(raw.total_tokens, input, output, reasoning)
    ) {
      usage.outputTokens = output + reasoning;
      usage.reportedOutputTokens = output;
    }
  }
  if (typeof reasoning === 'number') usage.reasoningTokens = reasoning;
  if (typeof cached === 'number') usage.cachedInputTokens = cached;
  return usage;
}

/**
 * Whether `completion_tokens` leaves the reasoning tokens out. OpenAI, DeepSeek, OpenRouter
 * and Z.ai count them in (`total_tokens` = prompt + completion); xAI leaves them out
 * (`total_tokens` = prompt + completion + reasoning: 291 + 26 + 196 = 513 in a Grok 3 Mini
 * stream). With no usable `total_tokens`, more reasoning than completion tokens can only mean
 * the same.
 */
function excludesReasoning(
  total: unknown,
  input: unknown,
  output: number,
  reasoning: number,
): boolean {
  if (reasoning === 0) return false;
  if (typeof total === 'number' && typeof input === 'number') {
    if (total === input + output) return false;
    if (total === input + output + reasoning) return true;
  }
  return reasoning > output;
}
