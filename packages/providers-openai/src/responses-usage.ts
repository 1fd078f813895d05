import { tokenCountProblem, type Usage } from '@llm-lens/providers-core';

type JsonObject = Record<string, unknown>;

function detailsOf(container: unknown): JsonObject | undefined {
  return container !== null && typeof container === 'object'
    ? (container as JsonObject)
    : undefined;
}

/**
 * Maps a Responses API `usage` object (`input_tokens`, `input_tokens_details.cached_tokens`,
 * `output_tokens`, `output_tokens_details.reasoning_tokens`) to Usage; undefined when the
 * value is not an object (`usage: null` on `response.created` and `response.in_progress`).
 * As with chat usage, one count that is present but not a token count makes the whole
 * report untrustworthy: only `ignoredReason` is returned.
 */
export function toResponsesUsage(value: unknown): Usage | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const raw = value as JsonObject;
  const input = raw.input_tokens;
  const output = raw.output_tokens;
  const reasoning = detailsOf(raw.output_tokens_details)?.reasoning_tokens;
  const cached = detailsOf(raw.input_tokens_details)?.cached_tokens;
  const problem =
    tokenCountProblem('output_tokens', output) ??
    tokenCountProblem('input_tokens', input) ??
    tokenCountProblem('output_tokens_details.reasoning_tokens', reasoning) ??
    tokenCountProblem('input_tokens_details.cached_tokens', cached);
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
 * Whether `output_tokens` leaves the reasoning tokens out. OpenAI counts them in
 * (`total_tokens` = input + output: 32 + 647 = 679 with 640 of them reasoning); a compatible
 * server that leaves them out shows it as `total_tokens` = input + output + reasoning, or,
 * with no usable total, as more reasoning than output tokens.
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
