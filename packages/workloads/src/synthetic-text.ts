// Text of an exact token length in a given vocabulary. Built from words that are one token
// each (with their leading space): BPE pre-splits text at word boundaries, so such words
// never merge with their neighbours and n of them are n tokens. The result is re-encoded
// anyway, and corrected until the count is exact, so the guarantee never rests on that
// reasoning alone.
import type { SeededRandom } from './seeded-random.js';
import type { Vocabulary } from './vocabulary.js';
import { WORDS } from './word-list.js';
import { WorkloadError } from './workload-error.js';

// Sentences of 8–16 words, so the text reads as prose rather than one endless clause.
const SENTENCE_MIN_WORDS = 8;
const SENTENCE_MAX_WORDS = 16;
const MAX_CORRECTIONS = 8;

/** Builds random texts of an exact token length for one vocabulary. */
export class SyntheticTextBuilder {
  readonly vocabulary: Vocabulary;
  /** Words that are one token after a space (" river"). */
  private readonly words: readonly string[];
  /** Words that are one token at the start of a text ("river"). */
  private readonly openingWords: readonly string[];

  constructor(vocabulary: Vocabulary) {
    this.vocabulary = vocabulary;
    this.words = WORDS.map((word) => ` ${word}`).filter((word) => vocabulary.count(word) === 1);
    this.openingWords = WORDS.filter((word) => vocabulary.count(word) === 1);
    if (this.words.length < 100 || this.openingWords.length < 100 || vocabulary.count('.') !== 1) {
      // Only a broken vocabulary file gets here; say so rather than build wrong lengths.
      throw new WorkloadError(
        'LENS_WORKLOAD_SYNTHETIC',
        `the ${vocabulary.encoding} vocabulary splits common words into several tokens; is the gpt-tokenizer installation intact?`,
      );
    }
  }

  /** How many distinct one-token words texts are drawn from. */
  get wordCount(): number {
    return this.words.length;
  }

  /**
   * A text of exactly `tokens` tokens (≥ 1): `prefix` when it fits, then random words in
   * sentences. Throws LENS_WORKLOAD_SYNTHETIC if the length cannot be met (never seen).
   */
  build(tokens: number, random: SeededRandom, prefix = ''): string {
    let base = '';
    let baseTokens = 0;
    if (prefix !== '') {
      const prefixTokens = this.vocabulary.count(prefix);
      if (prefixTokens <= tokens) {
        base = prefix;
        baseTokens = prefixTokens;
      }
    }
    const pieces: string[] = [];
    let wordsLeftInSentence = random.int(SENTENCE_MIN_WORDS, SENTENCE_MAX_WORDS);
    const addPiece = (): void => {
      if (base === '' && pieces.length === 0) {
        pieces.push(random.pick(this.openingWords));
        wordsLeftInSentence--;
      } else if (wordsLeftInSentence <= 0) {
        pieces.push('.');
        wordsLeftInSentence = random.int(SENTENCE_MIN_WORDS, SENTENCE_MAX_WORDS);
      } else {
        pieces.push(random.pick(this.words));
        wordsLeftInSentence--;
      }
    };
    while (pieces.length < tokens - baseTokens) addPiece();

    let actual = 0;
    for (let attempt = 0; attempt < MAX_CORRECTIONS; attempt++) {
      const text = base + pieces.join('');
      actual = this.vocabulary.count(text);
      if (actual === tokens) return text;
      if (actual > tokens) {
        if (pieces.length === 0) break;
        pieces.length = Math.max(0, pieces.length - (actual - tokens));
      } else {
        for (let i = actual; i < tokens; i++) addPiece();
      }
    }
    throw new WorkloadError(
      'LENS_WORKLOAD_SYNTHETIC',
      `could not build a text of exactly ${tokens} tokens in ${this.vocabulary.encoding} (the closest had ${actual}); this is a bug in @llm-lens/workloads, please report it with the seed and spec`,
    );
  }
}

const builders = new Map<string, SyntheticTextBuilder>();

/** The builder for `vocabulary`, made once per vocabulary. */
export function textBuilderFor(vocabulary: Vocabulary): SyntheticTextBuilder {
  let builder = builders.get(vocabulary.encoding);
  if (builder === undefined) {
    builder = new SyntheticTextBuilder(vocabulary);
    builders.set(vocabulary.encoding, builder);
  }
  return builder;
}
