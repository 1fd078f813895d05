import { describe, expect, it } from 'vitest';
import { LensProviderError } from './provider-error.js';
import {
  checkMaxEventBytes,
  DEFAULT_MAX_EVENT_BYTES,
  eventSizeError,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_TOKEN_COUNT,
  tokenCountProblem,
  truncateErrorMessage,
} from './wire-limits.js';

describe('tokenCountProblem', () => {
  it('accepts whole numbers from 0 to MAX_TOKEN_COUNT and absent values', () => {
    expect(MAX_TOKEN_COUNT).toBe(1_000_000_000);
    for (const value of [0, 1, 26, 131_072, MAX_TOKEN_COUNT, undefined, null]) {
      expect(tokenCountProblem('completion_tokens', value)).toBeUndefined();
    }
  });

  it('says why a number is not a token count', () => {
    const expected = (shown: string): string =>
      `completion_tokens ${shown} is not a token count (expected a whole number from 0 to 1000000000)`;
    expect(tokenCountProblem('completion_tokens', 1e300)).toBe(expected('1e+300'));
    expect(tokenCountProblem('completion_tokens', 1e20)).toBe(expected('100000000000000000000'));
    expect(tokenCountProblem('completion_tokens', 2 ** 53)).toBe(expected('9007199254740992'));
    expect(tokenCountProblem('completion_tokens', 26.5)).toBe(expected('26.5'));
    expect(tokenCountProblem('completion_tokens', -1)).toBe(expected('-1'));
    expect(tokenCountProblem('completion_tokens', MAX_TOKEN_COUNT + 1)).toBe(
      expected('1000000001'),
    );
    expect(tokenCountProblem('completion_tokens', Number.NaN)).toBe(expected('NaN'));
    expect(tokenCountProblem('completion_tokens', Number.POSITIVE_INFINITY)).toBe(
      expected('Infinity'),
    );
  });

  it('refuses strings, booleans, arrays and objects, quoting at most 20 characters', () => {
    expect(tokenCountProblem('prompt_tokens', '12')).toBe(
      'prompt_tokens "12" (a string) is not a token count (expected a whole number from 0 to 1000000000)',
    );
    expect(tokenCountProblem('prompt_tokens', 'x'.repeat(2_000_000))).toContain(
      `"${'x'.repeat(20)}…" (a string)`,
    );
    expect(tokenCountProblem('prompt_tokens', true)).toContain('prompt_tokens true is not');
    expect(tokenCountProblem('prompt_tokens', [3])).toContain('prompt_tokens an array is not');
    expect(tokenCountProblem('prompt_tokens', { n: 3 })).toContain('prompt_tokens an object is');
  });
});

describe('truncateErrorMessage', () => {
  it('keeps messages up to the cap and cuts longer ones to the cap, ending in …', () => {
    expect(MAX_ERROR_MESSAGE_CHARS).toBe(1000);
    const exact = 'e'.repeat(1000);
    expect(truncateErrorMessage(exact)).toBe(exact);
    const cut = truncateErrorMessage('e'.repeat(2 * 1024 * 1024));
    expect(cut).toHaveLength(1000);
    expect(cut.endsWith('e…')).toBe(true);
  });

  it('never leaves half a surrogate pair before the ellipsis', () => {
    // 998 plain characters, then emoji: the cut at 999 would fall inside the first emoji.
    const cut = truncateErrorMessage(`${'a'.repeat(998)}${'😀'.repeat(10)}`);
    expect(cut).toBe(`${'a'.repeat(998)}…`);
  });
});

describe('event size limits', () => {
  it('defaults to 8 MiB and accepts only whole numbers above 0', () => {
    expect(DEFAULT_MAX_EVENT_BYTES).toBe(8_388_608);
    expect(checkMaxEventBytes(1)).toBe(1);
    for (const bad of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => checkMaxEventBytes(bad)).toThrow(LensProviderError);
    }
    expect(() => checkMaxEventBytes(0)).toThrow(
      'the maximum event size must be a whole number of bytes above 0 (--max-event-bytes / max_event_bytes), got 0',
    );
  });

  it('builds a protocol error that names the limit and how to raise it', () => {
    const error = eventSizeError('an event-stream line or event', 4096);
    expect(error.code).toBe('LENS_PROVIDER_PROTOCOL');
    expect(error.errorClass).toBe('protocol');
    expect(error.message).toBe(
      'an event-stream line or event exceeded the maximum event size of 4096 bytes (raise it with --max-event-bytes / max_event_bytes if the server really sends events this large)',
    );
  });
});
