import { tokenCountProblem, type Usage } from '@llm-lens/providers-core';
import { asObject } from './gemini-payload.js';

/**
 * Maps Gemini's `usageMetadata` to Usage
 * (https://ai.google.dev/api/generate-content#UsageMetadata):
 *
 * - `promptTokenCount` → input (it includes cached content);
 * - `candidatesTokenCount + thoughtsTokenCount` → output: Gemini counts thinking apart from
 *   the candidates, and our output is always visible + reasoning;
 * - `thoughtsTokenCount` → reasoning; `cachedContentTokenCount` → cached input;
 * - `candidatesTokenCount` itself is kept as `reportedOutputTokens`.
 *
 * Chunks of a thinking stream carry `thoughtsTokenCount` without `candidatesTokenCount`
 * (no visible token yet, or, in some streams, ever): the visible count is then 0 and no
 * reported count is set. A report with neither gives no output count at all (the first
 * chunks of Gemini 2.0 carry only the prompt). A count that is present but not a whole
 * number from 0 to 10^9 drops the whole report, with the reason.
 */
export function toGeminiUsage(value: unknown): Usage | undefined {
  const raw = asObject(value);
  if (raw === undefined) return undefined;
  const prompt = raw.promptTokenCount;
  const candidates = raw.candidatesTokenCount;
  const thoughts = raw.thoughtsTokenCount;
  const cached = raw.cachedContentTokenCount;
  const problem =
    tokenCountProblem('candidatesTokenCount', candidates) ??
    tokenCountProblem('thoughtsTokenCount', thoughts) ??
    tokenCountProblem('promptTokenCount', prompt) ??
    tokenCountProblem('cachedContentTokenCount', cached);
  if (problem !== undefined) return { ignoredReason: `usage ignored: ${problem}` };
  const usage: Usage = {};
  if (typeof prompt === 'number') usage.inputTokens = prompt;
  if (typeof candidates === 'number' || typeof thoughts === 'number') {
    usage.outputTokens =
      (typeof candidates === 'number' ? candidates : 0) +
      (typeof thoughts === 'number' ? thoughts : 0);
  }
  if (typeof candidates === 'number') usage.reportedOutputTokens = candidates;
  if (typeof thoughts === 'number') usage.reasoningTokens = thoughts;
  if (typeof cached === 'number') usage.cachedInputTokens = cached;
  return usage;
}
