// Plain ASCII words: their JSON form needs no escaping, so chunks can be concatenated
// without JSON.stringify on the hot path.
const WORDS = [
  'the',
  'quick',
  'brown',
  'fox',
  'jumps',
  'over',
  'a',
  'lazy',
  'dog',
  'while',
  'simulated',
  'tokens',
  'arrive',
  'in',
  'steady',
  'time',
] as const;

const TOKEN_TEXTS: readonly string[] = WORDS.map((word) => ` ${word}`);

/** The text of generated token `index` (0-based): a space and a word from a fixed 16-word cycle. */
export function simulatedTokenText(index: number): string {
  return TOKEN_TEXTS[index % TOKEN_TEXTS.length]!;
}

/** The text of `count` consecutive tokens starting at token `start`; what a client should reassemble. */
export function simulatedText(count: number, start = 0): string {
  let text = '';
  for (let index = start; index < start + count; index++) text += simulatedTokenText(index);
  return text;
}

function countWords(text: string): number {
  let count = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Space, tab, newline, vertical tab, form feed, carriage return.
    const isSpace = code === 32 || (code >= 9 && code <= 13);
    if (!isSpace && !inWord) count++;
    inWord = !isSpace;
  }
  return count;
}

function countContentWords(content: unknown): number {
  if (typeof content === 'string') return countWords(content);
  if (!Array.isArray(content)) return 0;
  let count = 0;
  for (const part of content) {
    if (typeof part === 'object' && part !== null) {
      const text = (part as { text?: unknown }).text;
      if (typeof text === 'string') count += countWords(text);
    }
  }
  return count;
}

/**
 * A deterministic prompt-token estimate for chat: per message 4 (role and framing, as
 * OpenAI's own accounting roughly adds) plus its whitespace-separated words, where content
 * is a string or an array of `{ type: 'text', text }` parts.
 */
export function estimateChatPromptTokens(messages: readonly unknown[]): number {
  let tokens = 0;
  for (const message of messages) {
    tokens += 4;
    if (typeof message === 'object' && message !== null) {
      tokens += countContentWords((message as { content?: unknown }).content);
    }
  }
  return tokens;
}

/**
 * A deterministic prompt-token estimate for legacy completions: whitespace-separated words
 * of a string prompt (summed over an array of strings); a token-id array counts one per id.
 */
export function estimateCompletionPromptTokens(prompt: unknown): number {
  if (typeof prompt === 'string') return countWords(prompt);
  if (!Array.isArray(prompt)) return 0;
  let tokens = 0;
  for (const item of prompt) {
    if (typeof item === 'string') tokens += countWords(item);
    else if (typeof item === 'number') tokens += 1;
    else if (Array.isArray(item)) tokens += item.length;
  }
  return tokens;
}
