import type { ChatMessage } from '@llm-lens/providers-core';

/** What one request sends. Plain data (structured-cloneable: it is sent to worker threads). */
export interface PromptItem {
  /** A plain prompt (one user message for chat APIs) or a message list. */
  prompt: string | readonly ChatMessage[];
  /** This request's output cap, tokens. */
  maxTokens?: number;
  /** A fixed output length where the server supports it (vLLM `min_tokens` + `ignore_eos`), tokens. */
  minTokens?: number;
  /** The model a replay log names for this request. */
  model?: string;
  /** Where it came from, short: `mix:translate`, `sharegpt#12`, `synthetic`. */
  source?: string;
}

/** A finite, deterministic set of prompts a run draws from. */
export interface PromptSet {
  /** One line for the console and the summary, e.g. `sharegpt: 1,000 prompts from data.json (seed 42)`. */
  readonly description: string;
  /**
   * Distinct items: the prompts kept from a file or listed inline, the template combinations
   * of a mix of lists; `Infinity` for generated prompts (synthetic, mix with generators),
   * where every index gives a new one.
   */
  readonly size: number;
  /**
   * Request number `index` (an integer ≥ 0) of a run. The same seed gives the same item for
   * the same index, whatever was asked before; past `size` the items repeat (file sources)
   * or keep coming (generated ones). Throws RangeError for a negative or fractional index.
   */
  at(index: number): PromptItem;
}

/** Throws RangeError unless `index` is a whole number ≥ 0. */
export function checkIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`a request index must be a whole number ≥ 0, got ${index}`);
  }
}

/**
 * Items `start` … `start + count − 1` of `set`, computed now. Synthetic prompts cost about a
 * millisecond each to build and verify: call this before the run, never on the thread that
 * stamps responses while requests are in flight.
 */
export function preparePromptItems(set: PromptSet, count: number, start = 0): PromptItem[] {
  const items: PromptItem[] = new Array(count);
  for (let i = 0; i < count; i++) items[i] = set.at(start + i);
  return items;
}

/** A prompt set over a fixed list of items. */
export function promptSetOf(
  items: readonly PromptItem[],
  description: string,
  order: (index: number) => number = (index) => index % items.length,
): PromptSet {
  return {
    description,
    size: items.length,
    at(index) {
      checkIndex(index);
      return items[order(index)]!;
    },
  };
}
