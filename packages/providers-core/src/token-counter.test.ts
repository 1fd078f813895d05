import { describe, expect, it } from 'vitest';
import { createTokenCounter, tokenizerEncodingFor } from './token-counter.js';

describe('tokenizerEncodingFor', () => {
  it('uses o200k_base for the GPT-4o, 4.1, 5 and o-series families', () => {
    for (const model of [
      'gpt-4o',
      'gpt-4o-mini-2024-07-18',
      'chatgpt-4o-latest',
      'gpt-4.1-nano',
      'gpt-5',
      'gpt-5.1',
      'gpt-5-mini',
      'o1',
      'o1-preview',
      'o3-mini',
      'o4-mini',
      'openai/gpt-oss-20b',
      'OpenAI/GPT-4o',
    ]) {
      expect(tokenizerEncodingFor(model), model).toBe('o200k_base');
    }
  });

  it('uses cl100k_base for older OpenAI models and every other family', () => {
    for (const model of [
      'gpt-4',
      'gpt-4-turbo',
      'gpt-3.5-turbo',
      'meta-llama/Llama-3.1-8B-Instruct',
      'claude-sonnet-4-5',
      'o100-custom',
      'llama3.2:1b',
    ]) {
      expect(tokenizerEncodingFor(model), model).toBe('cl100k_base');
    }
  });
});

describe('createTokenCounter', () => {
  it('counts known strings with o200k_base', () => {
    const counter = createTokenCounter('gpt-4o');
    expect(counter.encodingName).toBe('o200k_base');
    expect(counter.count('hello world')).toBe(2);
    expect(counter.count('Hello, world!')).toBe(4);
    expect(counter.count('The quick brown fox jumps over the lazy dog.')).toBe(10);
    expect(counter.count('こんにちは世界')).toBe(2);
    expect(counter.count('')).toBe(0);
  });

  it('counts known strings with cl100k_base, where Japanese takes more tokens', () => {
    const counter = createTokenCounter('gpt-3.5-turbo');
    expect(counter.encodingName).toBe('cl100k_base');
    expect(counter.count('hello world')).toBe(2);
    expect(counter.count('こんにちは世界')).toBe(4);
  });

  it('counts special-token markers in generated text as plain text instead of throwing', () => {
    expect(createTokenCounter('gpt-4o').count('a <|endoftext|> b')).toBe(9);
    expect(createTokenCounter('llama-3').count('a <|endoftext|> b')).toBe(8);
  });

  it('says whether its counts are exact: OpenAI families yes, every other family an estimate', () => {
    for (const model of [
      'gpt-4o-mini',
      'openai/gpt-5-nano',
      'o3-mini',
      'gpt-3.5-turbo',
      'gpt-oss-120b',
    ]) {
      expect(createTokenCounter(model).isExact).toBe(true);
    }
    for (const model of [
      'meta-llama/Llama-3.1-8B',
      'claude-sonnet-4-5',
      'mistral-large',
      'o3x',
      'gemini-2.5-flash',
    ]) {
      expect(createTokenCounter(model).isExact).toBe(false);
    }
  });

  it('knows the framing tokens GPT-5 models count as output without streaming them', () => {
    expect(createTokenCounter('gpt-5.1-2025-11-13').framingTokens).toBe(9);
    expect(createTokenCounter('openai/gpt-5-nano').framingTokens).toBe(9);
    expect(createTokenCounter('gpt-4o').framingTokens).toBe(0);
    expect(createTokenCounter('gpt-50x').framingTokens).toBe(0);
  });
});
