import type { Usage } from '@llm-lens/providers-core';

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function detail(container: unknown, field: string): number | undefined {
  if (container === null || typeof container !== 'object') return undefined;
  return count((container as Record<string, unknown>)[field]);
}

/**
 * Maps an OpenAI `usage` object (prompt_tokens, completion_tokens and their details) to
 * Usage; undefined when the value is not a usage object (OpenAI sends `usage: null` on
 * every chunk but the last when include_usage is on).
 */
export function toUsage(value: unknown): Usage | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const raw = value as Record<string, unknown>;
  const usage: Usage = {};
  const input = count(raw.prompt_tokens);
  const output = count(raw.completion_tokens);
  const reasoning = detail(raw.completion_tokens_details, 'reasoning_tokens');
  const cached = detail(raw.prompt_tokens_details, 'cached_tokens');
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  if (cached !== undefined) usage.cachedInputTokens = cached;
  return usage;
}
