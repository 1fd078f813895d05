import { describe, expect, it } from 'vitest';
import {
  estimateChatPromptTokens,
  estimateCompletionPromptTokens,
  simulatedText,
  simulatedTokenText,
} from './token-text.js';

describe('token text', () => {
  it('gives each token a leading space and a word from a 16-word cycle', () => {
    expect(simulatedTokenText(0)).toBe(' the');
    expect(simulatedTokenText(1)).toBe(' quick');
    expect(simulatedTokenText(16)).toBe(' the');
    expect(simulatedText(4)).toBe(' the quick brown fox');
    expect(simulatedText(2, 3)).toBe(' fox jumps');
  });
});

describe('prompt token estimates', () => {
  it('counts 4 per chat message plus its words', () => {
    expect(
      estimateChatPromptTokens([
        { role: 'system', content: 'be brief' },
        { role: 'user', content: '  what\tis\nthis?  ' },
      ]),
    ).toBe(4 + 2 + 4 + 3);
  });

  it('counts words of text parts and ignores other parts', () => {
    expect(
      estimateChatPromptTokens([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'describe this' },
            { type: 'image_url', image_url: { url: 'data:x' } },
          ],
        },
      ]),
    ).toBe(6);
  });

  it('counts words of a completion prompt and one per token id', () => {
    expect(estimateCompletionPromptTokens('a b c')).toBe(3);
    expect(estimateCompletionPromptTokens(['a b', 'c'])).toBe(3);
    expect(estimateCompletionPromptTokens([1, 2, 3, 4])).toBe(4);
    expect(estimateCompletionPromptTokens([[1, 2], [3]])).toBe(3);
    expect(estimateCompletionPromptTokens('')).toBe(0);
  });
});
