import { now } from '@llm-lens/core-timing';

/** The tokenizer side of token counting, as the executor needs it. */
export interface TextTokenCounter {
  count(text: string): number;
  /**
   * Whether counts are exact for the model (its own vocabulary). Default true: a tokenizer a
   * caller supplies for its model is taken as the model's.
   */
  readonly isExact?: boolean;
  /** Output tokens the model's API counts but never streams (message framing). Default 0. */
  readonly framingTokens?: number;
}

const MEMO_LIMIT = 20_000;
const MEMO_MAX_TEXT = 32;
/** Characters a whole-text count hands the tokenizer at once when it can cut exactly (~0.1 ms of BPE on prose). */
const PIECE_CHARS = 512;
/**
 * Characters of a piece cut where no exact cut exists (a long unbroken word). BPE's cost
 * grows with the square of an unbroken run: 256 random letters take ~0.5 ms here, 100,000
 * take 10 s. Cutting there changes the count by at most a token or so per cut.
 */
const FORCED_PIECE_CHARS = 256;
/** Characters of forced pieces counted exactly per text; the rest is extrapolated from them. */
const FORCED_EXACT_BUDGET = 4096;
/** A delta longer than this is estimated from a sample rather than counted. */
const DELTA_EXACT_MAX = 4096;

/**
 * Counts tokens of stream deltas. Deltas are short and repeat a lot (common words,
 * punctuation), so counts of short texts are memoized: the tokenizer then runs once per
 * distinct delta rather than once per event, which keeps it off the per-event budget.
 * Work per delta is bounded whatever a server sends: a delta that BPE could not count within
 * about a millisecond is estimated, and `lastCountEstimated` says so.
 */
export class TokenCountCache {
  private readonly memo = new Map<string, number>();
  /** Whether the last `count` was an estimate (read right after the call). */
  lastCountEstimated = false;
  /** Counts are in the model's own vocabulary (see {@link TextTokenCounter.isExact}). */
  readonly isExact: boolean;
  /** See {@link TextTokenCounter.framingTokens}. */
  readonly framingTokens: number;
  /**
   * The counter's vocabulary was not loaded before the run (`tokenizer: 'auto'`, a model with
   * no streaming scenario): a non-streaming response is counted, and the vocabulary loaded
   * by that first count, only when the server reports no output count. Default false.
   */
  readonly isOnDemand: boolean;

  constructor(
    private readonly counter: TextTokenCounter,
    options: { isOnDemand?: boolean } = {},
  ) {
    this.isExact = counter.isExact ?? true;
    this.framingTokens = counter.framingTokens ?? 0;
    this.isOnDemand = options.isOnDemand ?? false;
  }

  /** Tokens in one delta (0 for empty text). */
  count(text: string): number {
    this.lastCountEstimated = false;
    if (text.length === 0) return 0;
    if (text.length <= MEMO_MAX_TEXT) {
      let n = this.memo.get(text);
      if (n === undefined) {
        n = this.counter.count(text);
        if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
        this.memo.set(text, n);
      }
      return n;
    }
    if (text.length <= DELTA_EXACT_MAX) {
      const pieces = cutPieces(text, PIECE_CHARS, FORCED_PIECE_CHARS);
      if (pieces.every((piece) => !piece.forced)) {
        let n = 0;
        for (const piece of pieces) n += this.counter.count(piece.text);
        return n;
      }
    }
    // One forced piece's worth of BPE, scaled to the whole delta.
    this.lastCountEstimated = true;
    const sample = text.slice(0, safeEnd(text, FORCED_PIECE_CHARS));
    return Math.max(1, Math.round((this.counter.count(sample) * text.length) / sample.length));
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
 * count of each whole text gives, unless a text holds a stretch with no such place (a
 * 100 KB "word"): that is cut every few hundred characters, its first pieces counted and the
 * rest extrapolated, and `estimated` is true.
 */
export class WholeTextCount {
  private readonly pieces: Piece[];
  private next = 0;
  private forcedChars = 0;
  private forcedTokens = 0;
  /** Tokens counted so far; the whole count once `step` has returned true. */
  total = 0;
  /** Part of the total was estimated (see the class comment). */
  estimated = false;

  constructor(
    private readonly counter: TextTokenCounter,
    texts: readonly string[],
  ) {
    this.pieces = texts.flatMap((text) => cutPieces(text, PIECE_CHARS, FORCED_PIECE_CHARS));
  }

  /** Counts pieces until `deadlineNs` passes (at least one); true once every piece is counted. */
  step(deadlineNs: bigint): boolean {
    while (this.next < this.pieces.length) {
      const piece = this.pieces[this.next++]!;
      if (!piece.forced) {
        this.total += this.counter.count(piece.text);
      } else {
        this.estimated = true;
        if (this.forcedChars < FORCED_EXACT_BUDGET) {
          const tokens = this.counter.count(piece.text);
          this.forcedChars += piece.text.length;
          this.forcedTokens += tokens;
          this.total += tokens;
        } else {
          this.total += Math.round((this.forcedTokens * piece.text.length) / this.forcedChars);
          continue;
        }
      }
      if (this.next < this.pieces.length && now() >= deadlineNs) return false;
    }
    return true;
  }
}

interface Piece {
  text: string;
  /** Cut where the tokenizer would not have cut: its count is approximate. */
  forced: boolean;
}

/**
 * Cuts `text` into pieces of about `maxChars` whose token counts add up to the count of the
 * whole, for the BPE vocabularies of OpenAI (cl100k_base, o200k_base): each cut is before a
 * space that follows a non-space and precedes a letter. Their pre-tokenizers always end a
 * piece there (a word is matched with at most one leading space, and a run of spaces ends
 * before the space that starts a word), and BPE never merges across pre-tokenizer pieces.
 * A stretch with no such place (one 100 KB "word") stays whole.
 */
export function splitForCounting(text: string, maxChars: number): string[] {
  return cutPieces(text, maxChars, undefined).map((piece) => piece.text);
}

/**
 * {@link splitForCounting}, except that with `forcedChars` a stretch with no exact cut
 * within `maxChars` is cut every `forcedChars` characters (never inside a surrogate pair)
 * and those pieces are marked `forced`.
 */
function cutPieces(text: string, maxChars: number, forcedChars: number | undefined): Piece[] {
  if (text.length <= maxChars) return text.length === 0 ? [] : [{ text, forced: false }];
  const pieces: Piece[] = [];
  let start = 0;
  // Positions up to here are known to hold no cut: a run of forced pieces scans each
  // character once, not once per overlapping window.
  let scannedTo = 0;
  let isInForcedStretch = false;
  while (text.length - start > maxChars) {
    let cut = -1;
    const floor = Math.max(start, scannedTo);
    for (let i = start + maxChars; i > floor; i--) {
      if (isCut(text, i)) {
        cut = i;
        break;
      }
    }
    if (cut === -1 && forcedChars !== undefined) {
      scannedTo = start + maxChars;
      const end = start + safeEnd(text.slice(start, start + forcedChars + 1), forcedChars);
      pieces.push({ text: text.slice(start, end), forced: true });
      start = end;
      isInForcedStretch = true;
      continue;
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
    pieces.push({ text: text.slice(start, cut), forced: isInForcedStretch });
    isInForcedStretch = false;
    start = cut;
  }
  pieces.push({ text: text.slice(start), forced: isInForcedStretch });
  return pieces;
}

/** `chars`, or one less when that would end between the halves of a surrogate pair. */
function safeEnd(text: string, chars: number): number {
  if (chars >= text.length) return text.length;
  const code = text.charCodeAt(chars - 1);
  return code >= 0xd800 && code <= 0xdbff ? chars - 1 : chars;
}

const LETTER = /\p{L}/u;
const SPACE = /\s/;

function isCut(text: string, i: number): boolean {
  return (
    text.charCodeAt(i) === 32 &&
    i + 1 < text.length &&
    !SPACE.test(text[i - 1]!) &&
    // Letters outside the BMP are surrogate pairs, whose halves are not letters: no cut there.
    LETTER.test(text[i + 1]!)
  );
}
