/** The tokenizer side of token counting, as the executor needs it. */
export interface TextTokenCounter {
  count(text: string): number;
}

const MEMO_LIMIT = 20_000;
const MEMO_MAX_TEXT = 32;

/**
 * Counts tokens of stream deltas. Deltas are short and repeat a lot (common words,
 * punctuation), so counts of short texts are memoized: the tokenizer then runs once per
 * distinct delta rather than once per event, which keeps it off the per-event budget.
 */
export class TokenCountCache {
  private readonly memo = new Map<string, number>();

  constructor(private readonly counter: TextTokenCounter) {}

  /** Tokens in one delta (0 for empty text). */
  count(text: string): number {
    if (text.length === 0) return 0;
    if (text.length > MEMO_MAX_TEXT) return this.counter.count(text);
    let n = this.memo.get(text);
    if (n === undefined) {
      n = this.counter.count(text);
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(text, n);
    }
    return n;
  }

  /** Tokens in a whole text, not memoized. */
  countWhole(text: string): number {
    return text.length === 0 ? 0 : this.counter.count(text);
  }
}
