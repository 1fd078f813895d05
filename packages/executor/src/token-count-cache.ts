import { now } from '@llm-lens/core-timing';

/** The tokenizer side of token counting, as the executor needs it. */
export interface TextTokenCounter {
  count(text: string): number;
}

const MEMO_LIMIT = 20_000;
const MEMO_MAX_TEXT = 32;
/** Characters counted in one go by a sliced whole-text count (~0.2 ms of BPE). */
const PIECE_CHARS = 2048;

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

  /** A count of whole texts that can be done in slices (see {@link WholeTextCount}). */
  countWhole(texts: readonly string[]): WholeTextCount {
    return new WholeTextCount(this.counter, texts);
  }
}

/**
 * Tokens in whole texts (a response's answer, reasoning and tool-call text), counted in
 * pieces so a long response never blocks the event loop for the whole of its BPE: `step`
 * counts pieces until its deadline. The pieces are cut where the tokenizer's own
 * pre-tokenizer would cut (see {@link splitForCounting}), so the total is exactly what one
 * count of each whole text gives.
 */
export class WholeTextCount {
  private readonly pieces: string[];
  private next = 0;
  /** Tokens counted so far; the whole count once `step` has returned true. */
  total = 0;

  constructor(
    private readonly counter: TextTokenCounter,
    texts: readonly string[],
  ) {
    this.pieces = texts.flatMap((text) => splitForCounting(text, PIECE_CHARS));
  }

  /** Counts pieces until `deadlineNs` passes (at least one); true once every piece is counted. */
  step(deadlineNs: bigint): boolean {
    while (this.next < this.pieces.length) {
      this.total += this.counter.count(this.pieces[this.next++]!);
      if (this.next < this.pieces.length && now() >= deadlineNs) return false;
    }
    return true;
  }
}

const LETTER = /\p{L}/u;
const SPACE = /\s/;

/**
 * Cuts `text` into pieces of about `maxChars` whose token counts add up to the count of the
 * whole, for the BPE vocabularies of OpenAI (cl100k_base, o200k_base): each cut is before a
 * space that follows a non-space and precedes a letter. Their pre-tokenizers always end a
 * piece there (a word is matched with at most one leading space, and a run of spaces ends
 * before the space that starts a word), and BPE never merges across pre-tokenizer pieces.
 * A stretch with no such place (one 100 KB "word") stays whole.
 */
export function splitForCounting(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return text.length === 0 ? [] : [text];
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > maxChars) {
    let cut = -1;
    for (let i = start + maxChars; i > start; i--) {
      if (isCut(text, i)) {
        cut = i;
        break;
      }
    }
    if (cut === -1) {
      for (let i = start + maxChars + 1; i < text.length; i++) {
        if (isCut(text, i)) {
          cut = i;
          break;
        }
      }
    }
    if (cut === -1) break;
    pieces.push(text.slice(start, cut));
    start = cut;
  }
  pieces.push(text.slice(start));
  return pieces;
}

function isCut(text: string, i: number): boolean {
  return (
    text[i] === ' ' &&
    i + 1 < text.length &&
    !SPACE.test(text[i - 1]!) &&
    // Letters outside the BMP are surrogate pairs, whose halves are not letters: no cut there.
    LETTER.test(text[i + 1]!)
  );
}
