import { readFileSync } from 'node:fs';
import type { StreamEvent, Usage } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { createAzureProvider } from './azure-provider.js';

const provider = createAzureProvider({ endpoint: 'https://lens.openai.azure.com' });

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));
}

interface Decoded {
  text: string;
  /** Text of each token-bearing event, in order. */
  tokenTexts: string[];
  /** Index of the first token-bearing event. */
  firstTokenAt: number;
  events: number;
  usage: Usage | undefined;
  errors: number;
  sawEndMarker: boolean;
}

function isTokenBearing(event: StreamEvent): boolean {
  return event.text.length > 0 || event.reasoningText.length > 0 || event.toolText.length > 0;
}

function decode(chunks: readonly Uint8Array[], stream = true): Decoded {
  const decoder = provider.createDecoder({ model: 'gpt-4o', prompt: 'x', stream });
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent): void => {
    events.push(event);
  };
  for (const chunk of chunks) decoder.push(chunk, emit);
  decoder.end(emit);
  const tokenEvents = events.filter(isTokenBearing);
  return {
    text: events.map((event) => event.text).join(''),
    tokenTexts: tokenEvents.map((event) => event.text),
    firstTokenAt: events.findIndex(isTokenBearing),
    events: events.length,
    usage: events.findLast((event) => event.usage !== undefined)?.usage,
    errors: events.filter((event) => event.error !== undefined).length,
    sawEndMarker: decoder.sawEndMarker,
  };
}

/**
 * Decodes `name` whole, then split in two at every byte boundary (through multi-byte
 * characters too), then one byte at a time: every way must give the same result.
 */
function decodeSplitEveryWay(name: string, stream = true): Decoded {
  const bytes = fixture(name);
  const whole = decode([bytes], stream);
  for (let at = 1; at < bytes.length; at++) {
    const split = decode([bytes.subarray(0, at), bytes.subarray(at)], stream);
    if (JSON.stringify(split) !== JSON.stringify(whole)) {
      expect(split, `split at byte ${at}`).toEqual(whole);
    }
  }
  const byteByByte = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  expect(decode(byteByByte, stream)).toEqual(whole);
  return whole;
}

describe('Azure streams through the OpenAI decoder', () => {
  it('counts neither the prompt-filter chunk, the role chunk, the finish chunk nor the filter annotation as tokens', () => {
    const decoded = decodeSplitEveryWay('deployment-stream.sse');
    expect(decoded.tokenTexts).toEqual(['Grü', 'ße', ' aus', ' 東京', ' 🌊', '!']);
    expect(decoded.text).toBe('Grüße aus 東京 🌊!');
    // prompt filter, role, 6 tokens, finish, filter offsets, usage
    expect(decoded.events).toBe(11);
    expect(decoded.firstTokenAt).toBe(2);
    expect(decoded.usage).toEqual({
      inputTokens: 11,
      outputTokens: 6,
      reasoningTokens: 0,
      cachedInputTokens: 0,
    });
    expect(decoded.errors).toBe(0);
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('takes hidden reasoning of an o-series deployment from usage, counted in the output', () => {
    const decoded = decodeSplitEveryWay('reasoning-stream.sse');
    expect(decoded.tokenTexts).toEqual(['Paris', ' is', ' the', ' capital.']);
    expect(decoded.usage).toEqual({
      inputTokens: 20,
      outputTokens: 84,
      reasoningTokens: 80,
      cachedInputTokens: 16,
    });
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('ends a stream the content filter stopped as complete, without an error', () => {
    const decoded = decodeSplitEveryWay('filtered-output.sse');
    expect(decoded.text).toBe('The duel');
    expect(decoded.tokenTexts).toHaveLength(2);
    expect(decoded.errors).toBe(0);
    expect(decoded.usage).toEqual({ inputTokens: 9, outputTokens: 3 });
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('decodes a non-streaming completion with its filter results', () => {
    const decoded = decodeSplitEveryWay('chat-completion.json', false);
    expect(decoded.text).toBe('Hallo, Welt — 世界!');
    expect(decoded.events).toBe(1);
    expect(decoded.usage).toEqual({
      inputTokens: 13,
      outputTokens: 9,
      reasoningTokens: 0,
      cachedInputTokens: 0,
    });
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('treats a stream cut before [DONE] as incomplete', () => {
    const text = new TextDecoder().decode(fixture('deployment-stream.sse'));
    const cut = new TextEncoder().encode(text.slice(0, text.indexOf('data: [DONE]')));
    const decoded = decode([cut]);
    expect(decoded.text).toBe('Grüße aus 東京 🌊!');
    expect(decoded.sawEndMarker).toBe(false);
  });
});
