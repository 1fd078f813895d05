import { createRequire } from 'node:module';

/** The BPE vocabularies the fallback tokenizer can use. */
export type TokenizerEncoding = 'o200k_base' | 'cl100k_base';

/** Counts tokens offline, for when a server reports no usage. */
export interface TokenCounter {
  /** The vocabulary in use. */
  readonly encodingName: TokenizerEncoding;
  /**
   * Whether the vocabulary is the model's own (OpenAI models), so counts are exact; for any
   * other model family (Llama, Claude, Mistral, Gemini, ...) they are an estimate.
   */
  readonly isExact: boolean;
  /**
   * Tokens the model's API counts as output but never streams, beyond reasoning: GPT-5
   * models count their message framing, 9 tokens ("six" is 1 visible token and 10 reported;
   * "Paris." 2 and 11). 0 for every other family.
   */
  readonly framingTokens: number;
  /** Tokens in `text`; special-token markers in the text count as plain text. */
  count(text: string): number;
}

type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;

// Model families tokenized with o200k_base (OpenAI's tiktoken model map). A provider
// prefix such as `openai/` (OpenRouter, LiteLLM, vLLM served names) is ignored.
const O200K_FAMILY = /^(?:chatgpt-4o|gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4)(?:$|[-.:_@])/;

// Output text is counted as text: a model that writes "<|endoftext|>" literally must not
// make the tokenizer throw.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

// Each vocabulary is several MB: it is loaded on first use only, and once per process.
// `require` (of the package's CJS build) keeps `count()` synchronous.
const loaded = new Map<TokenizerEncoding, CountTokens>();
const requireFromHere = createRequire(import.meta.url);

function countTokensFor(encoding: TokenizerEncoding): CountTokens {
  let countTokens = loaded.get(encoding);
  if (countTokens === undefined) {
    const module = requireFromHere(`gpt-tokenizer/encoding/${encoding}`) as {
      countTokens: CountTokens;
    };
    countTokens = module.countTokens;
    loaded.set(encoding, countTokens);
  }
  return countTokens;
}

// OpenAI model families, whose vocabularies gpt-tokenizer ships (a provider prefix ignored).
const OPENAI_FAMILY =
  /^(?:chatgpt-|gpt-|o[134](?:$|[-.:_@])|text-davinci|text-embedding|davinci|babbage)/;

const GPT5_FAMILY = /^gpt-5(?:$|[-.:_@])/;
const GPT5_FRAMING_TOKENS = 9;

/** The vocabulary used for a model: o200k_base for GPT-4o/4.1/4.5/5, gpt-oss and o-series, else cl100k_base. */
export function tokenizerEncodingFor(model: string): TokenizerEncoding {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  return O200K_FAMILY.test(name) ? 'o200k_base' : 'cl100k_base';
}

/**
 * An offline token counter for `model`. Exact for OpenAI models; for every other model
 * (Llama, Claude, Gemini, ...) the count is an estimate from an OpenAI vocabulary, to be
 * labelled as such: prefer the server's usage report whenever it exists.
 */
export function createTokenCounter(model: string): TokenCounter {
  const encodingName = tokenizerEncodingFor(model);
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  const isExact = OPENAI_FAMILY.test(name);
  const framingTokens = GPT5_FAMILY.test(name) ? GPT5_FRAMING_TOKENS : 0;
  let countTokens: CountTokens | undefined;
  return {
    encodingName,
    isExact,
    framingTokens,
    count(text: string): number {
      if (text.length === 0) return 0;
      countTokens ??= countTokensFor(encodingName);
      return countTokens(text, AS_PLAIN_TEXT);
    },
  };
}
