// The offline BPE vocabularies synthetic prompts are measured in. Loaded with `require`, as
// providers-core's token counter does, so a process that uses both holds one copy of each
// vocabulary (several MB), not an ESM and a CJS one.
import { createRequire } from 'node:module';
import {
  createTokenCounter,
  type TokenizerEncoding,
  tokenizerEncodingFor,
} from '@llm-lens/providers-core';

/** The vocabulary used when neither the workload nor the run names a model. */
export const DEFAULT_ENCODING: TokenizerEncoding = 'o200k_base';

/** Token counting in one vocabulary. */
export interface Vocabulary {
  readonly encoding: TokenizerEncoding;
  /** Tokens of `text`; special-token markers count as plain text. */
  count(text: string): number;
}

/** Which vocabulary a workload is built for, and whether it is the model's own. */
export interface VocabularyChoice {
  readonly encoding: TokenizerEncoding;
  /** The model it was chosen for, when one was named. */
  readonly model?: string;
  /** True for OpenAI models: lengths are exact. Otherwise they are an estimate. */
  readonly isExact: boolean;
}

type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;

const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
const requireFromHere = createRequire(import.meta.url);
const loaded = new Map<TokenizerEncoding, Vocabulary>();

/** The vocabulary `encoding`, loaded on first use and kept for the process. */
export function loadVocabulary(encoding: TokenizerEncoding): Vocabulary {
  let vocabulary = loaded.get(encoding);
  if (vocabulary === undefined) {
    const module = requireFromHere(`gpt-tokenizer/encoding/${encoding}`) as {
      countTokens: CountTokens;
    };
    const countTokens = module.countTokens;
    vocabulary = {
      encoding,
      count: (text) => (text.length === 0 ? 0 : countTokens(text, AS_PLAIN_TEXT)),
    };
    loaded.set(encoding, vocabulary);
  }
  return vocabulary;
}

/** The vocabulary for `model` (o200k_base or cl100k_base, as providers-core picks), or the default. */
export function chooseVocabulary(model: string | undefined): VocabularyChoice {
  if (model === undefined) return { encoding: DEFAULT_ENCODING, isExact: false };
  return {
    encoding: tokenizerEncodingFor(model),
    model,
    isExact: createTokenCounter(model).isExact,
  };
}

/** "o200k_base, exact for gpt-4o" / "cl100k_base, an estimate for llama-3" for descriptions. */
export function describeVocabulary(choice: VocabularyChoice): string {
  if (choice.model === undefined) return `${choice.encoding}, no model named`;
  return choice.isExact
    ? `${choice.encoding}, exact for ${choice.model}`
    : `${choice.encoding}, an estimate for ${choice.model}`;
}
