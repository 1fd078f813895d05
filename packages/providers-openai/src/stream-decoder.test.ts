import { readFileSync } from 'node:fs';
import type { DecoderOptions, StreamEvent, Usage } from '@llm-lens/providers-core';
import { LensProviderError } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import type { OpenAIApi } from './openai-payload.js';
import { OpenAIStreamDecoder } from './stream-decoder.js';

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));
}

interface Decoded {
  events: StreamEvent[];
  text: string;
  reasoningText: string;
  toolText: string;
  tokenEvents: number;
  serverTokens: number[];
  usage: Usage | undefined;
  errors: StreamEvent['error'][];
  sawEndMarker: boolean;
}

function isTokenBearing(event: StreamEvent): boolean {
  return event.text.length > 0 || event.reasoningText.length > 0 || event.toolText.length > 0;
}

function decodeChunks(
  chunks: readonly Uint8Array[],
  api: OpenAIApi = 'chat',
  options: DecoderOptions = {},
): Decoded {
  const decoder = new OpenAIStreamDecoder(api, options);
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent): void => {
    events.push(event);
  };
  for (const chunk of chunks) decoder.push(chunk, emit);
  decoder.end(emit);
  const tokenEvents = events.filter(isTokenBearing);
  return {
    events,
    text: events.map((e) => e.text).join(''),
    reasoningText: events.map((e) => e.reasoningText).join(''),
    toolText: events.map((e) => e.toolText).join(''),
    tokenEvents: tokenEvents.length,
    serverTokens: tokenEvents.flatMap((e) =>
      e.serverTokens === undefined ? [] : [e.serverTokens],
    ),
    usage: events.findLast((e) => e.usage !== undefined)?.usage,
    errors: events.flatMap((e) => (e.error === undefined ? [] : [e.error])),
    sawEndMarker: decoder.sawEndMarker,
  };
}

function byteChunks(bytes: Uint8Array): Uint8Array[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}

/** Whole, one byte at a time, and with CRLF line ends: all must decode the same. */
function decodeEveryWay(name: string, api: OpenAIApi = 'chat'): Decoded {
  const bytes = fixture(name);
  const whole = decodeChunks([bytes], api);
  const crlf = new TextEncoder().encode(new TextDecoder().decode(bytes).replaceAll('\n', '\r\n'));
  expect(decodeChunks(byteChunks(bytes), api)).toEqual(whole);
  expect(decodeChunks([crlf], api)).toEqual(whole);
  return whole;
}

describe('OpenAIStreamDecoder on recorded streams', () => {
  it('decodes an OpenAI chat stream: role chunk is not a token, usage chunk is not a token', () => {
    const decoded = decodeEveryWay('openai-chat.sse');
    expect(decoded.text).toBe('Hello! How can I help?');
    expect(decoded.events).toHaveLength(10);
    expect(decoded.tokenEvents).toBe(7);
    expect(decoded.events[0]).toEqual({ text: '', reasoningText: '', toolText: '' });
    expect(decoded.usage).toEqual({
      inputTokens: 12,
      outputTokens: 7,
      reasoningTokens: 0,
      cachedInputTokens: 0,
    });
    expect(decoded.serverTokens).toEqual([]);
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('gives the same events however the stream is split in two', () => {
    const bytes = fixture('openai-chat.sse');
    const whole = decodeChunks([bytes]);
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const split = decodeChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(split.text).toBe(whole.text);
      expect(split.tokenEvents).toBe(whole.tokenEvents);
      expect(split.sawEndMarker).toBe(true);
    }
  });

  it('ignores obfuscation padding and reads reasoning and cached token details', () => {
    const decoded = decodeEveryWay('openai-obfuscation.sse');
    expect(decoded.text).toBe('Grüße aus Köln 👋');
    expect(decoded.tokenEvents).toBe(4);
    expect(decoded.usage).toEqual({
      inputTokens: 1400,
      outputTokens: 84,
      reasoningTokens: 64,
      cachedInputTokens: 1280,
    });
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('counts vLLM reasoning once although it arrives as both reasoning and reasoning_content', () => {
    const decoded = decodeEveryWay('vllm-reasoning.sse');
    expect(decoded.reasoningText).toBe('Okay, the user greets.');
    expect(decoded.text).toBe('Hi! 😊');
    expect(decoded.tokenEvents).toBe(9);
    const reasoningEvents = decoded.events.filter((e) => e.reasoningText.length > 0);
    expect(reasoningEvents).toHaveLength(6);
    expect(reasoningEvents.every((e) => e.text === '')).toBe(true);
    expect(decoded.usage).toEqual({ inputTokens: 10, outputTokens: 12 });
  });

  it('derives per-event token counts from vLLM continuous usage', () => {
    const decoded = decodeEveryWay('vllm-continuous-usage.sse');
    expect(decoded.text).toBe('The sky is blue because of Rayleigh');
    expect(decoded.tokenEvents).toBe(4);
    expect(decoded.serverTokens).toEqual([2, 2, 2, 1]);
    expect(decoded.usage).toEqual({ inputTokens: 15, outputTokens: 7 });
    // The role chunk carries usage but no tokens.
    expect(decoded.events[0]?.serverTokens).toBeUndefined();
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('never counts Azure prompt-filter or content-filter annotation chunks as tokens', () => {
    const decoded = decodeEveryWay('azure-content-filter.sse');
    expect(decoded.text).toBe('Sure, here it is.');
    expect(decoded.events).toHaveLength(11);
    expect(decoded.tokenEvents).toBe(6);
    expect(decoded.usage).toEqual({
      inputTokens: 20,
      outputTokens: 6,
      reasoningTokens: 0,
      cachedInputTokens: 0,
    });
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('reads legacy completions text from choices[0].text', () => {
    const decoded = decodeEveryWay('completions.sse', 'completions');
    expect(decoded.text).toBe(' Paris is the capital.');
    expect(decoded.tokenEvents).toBe(5);
    expect(decoded.usage).toEqual({ inputTokens: 6, outputTokens: 5 });
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('counts tool-call argument deltas as tool tokens but not the name-only chunk', () => {
    const decoded = decodeEveryWay('tool-calls.sse');
    expect(decoded.toolText).toBe('{"location":"Paris, France"}');
    expect(decoded.text).toBe('');
    expect(decoded.tokenEvents).toBe(7);
    expect(decoded.usage?.outputTokens).toBe(16);
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('surfaces a mid-stream error event and no end marker', () => {
    const decoded = decodeEveryWay('mid-stream-error.sse');
    expect(decoded.text).toBe('Once upon');
    expect(decoded.tokenEvents).toBe(2);
    expect(decoded.errors).toEqual([
      {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
      },
    ]);
    expect(decoded.sawEndMarker).toBe(false);
  });

  it('reports a truncated stream through a missing end marker and keeps whole events', () => {
    const decoded = decodeEveryWay('truncated.sse');
    expect(decoded.text).toBe('One two three');
    expect(decoded.tokenEvents).toBe(3);
    expect(decoded.usage).toBeUndefined();
    expect(decoded.sawEndMarker).toBe(false);
  });

  it('reads usage from a llama.cpp final chunk and ignores its timings', () => {
    const decoded = decodeEveryWay('llamacpp-timings.sse');
    expect(decoded.text).toBe('Hi there!');
    expect(decoded.tokenEvents).toBe(3);
    expect(decoded.usage).toEqual({ inputTokens: 10, outputTokens: 3 });
    // Usage first seen on the final chunk is a total, never a per-event count.
    expect(decoded.serverTokens).toEqual([]);
    expect(decoded.sawEndMarker).toBe(true);
  });
});

describe('OpenAIStreamDecoder edge cases', () => {
  const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

  it('throws a protocol error with a quoted snippet on malformed JSON', () => {
    const decoder = new OpenAIStreamDecoder('chat');
    let thrown: unknown;
    try {
      decoder.push(encode('data: {"choices": [\n\n'), () => {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LensProviderError);
    expect((thrown as LensProviderError).code).toBe('LENS_PROVIDER_PROTOCOL');
    expect((thrown as LensProviderError).errorClass).toBe('protocol');
    expect((thrown as LensProviderError).message).toBe(
      'malformed JSON in an OpenAI stream chunk: "{\\"choices\\": ["',
    );
  });

  it('throws a protocol error when a chunk is JSON but not an object', () => {
    const decoder = new OpenAIStreamDecoder('chat');
    expect(() => decoder.push(encode('data: 42\n\n'), () => {})).toThrow(
      'an OpenAI stream chunk is not a JSON object: "42"',
    );
  });

  it('reads a TGI-style string error and an older vLLM top-level error object', () => {
    const decoded = decodeChunks([
      encode('data: {"error":"Input validation error","error_type":"validation"}\n\n'),
      encode(
        'data: {"object":"error","message":"too long","type":"BadRequestError","code":400}\n\n',
      ),
    ]);
    expect(decoded.errors).toEqual([
      { message: 'Input validation error', type: 'validation' },
      { message: 'too long', type: 'BadRequestError', code: 400 },
    ]);
  });

  it('ignores events after [DONE]', () => {
    const decoded = decodeChunks([
      encode('data: [DONE]\n\ndata: {"choices":[{"delta":{"content":"late"}}]}\n\n'),
    ]);
    expect(decoded.events).toEqual([]);
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('treats refusal text as answer text', () => {
    const decoded = decodeChunks([
      encode('data: {"choices":[{"index":0,"delta":{"refusal":"I can’t help with that."}}]}\n\n'),
    ]);
    expect(decoded.text).toBe('I can’t help with that.');
    expect(decoded.tokenEvents).toBe(1);
  });

  it('carries tokens of text-less chunks into the next token event under continuous usage', () => {
    const chunk = (content: string, completion: number): string =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }], usage: { prompt_tokens: 3, completion_tokens: completion } })}\n\n`;
    const decoded = decodeChunks([
      encode(chunk('', 0) + chunk('a', 1) + chunk('', 3) + chunk('b', 4)),
    ]);
    expect(decoded.serverTokens).toEqual([1, 3]);
  });
});

describe('OpenAIStreamDecoder at the end of the body', () => {
  const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
  const chat = new TextDecoder().decode(fixture('openai-chat.sse'));
  const beforeDone = chat.slice(0, chat.indexOf('data: [DONE]'));

  it('takes a final [DONE] without the blank line as the end marker, as the SDKs do', () => {
    for (const tail of [
      'data: [DONE]',
      'data:[DONE]',
      'data: [DONE]\n',
      'data: [DONE]\r\n',
      'data: [DONE]\r',
    ]) {
      const decoded = decodeChunks([encode(beforeDone + tail)]);
      expect(decoded.sawEndMarker).toBe(true);
      expect(decoded.text).toBe('Hello! How can I help?');
      expect(decoded.tokenEvents).toBe(7);
    }
    const crlf = encode(`${beforeDone.replaceAll('\n', '\r\n')}data: [DONE]`);
    expect(decodeChunks([crlf]).sawEndMarker).toBe(true);
  });

  it('sees that end marker however the body is split', () => {
    const bytes = encode(`${beforeDone}data: [DONE]`);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const split = decodeChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(split.sawEndMarker).toBe(true);
      expect(split.tokenEvents).toBe(7);
    }
  });

  it('still reports a body cut anywhere else as incomplete, emitting nothing of the cut event', () => {
    const chunk = 'data: {"choices":[{"index":0,"delta":{"content":"late"}}]}';
    for (const tail of ['data: [DON', 'data: [DONE', 'data: {"choices":[{"index":0,"del', chunk]) {
      const decoded = decodeChunks([encode(beforeDone + tail)]);
      expect(decoded.sawEndMarker).toBe(false);
      expect(decoded.text).toBe('Hello! How can I help?');
    }
    // [DONE] as the second line of a cut event is not the marker either.
    expect(decodeChunks([encode(`${beforeDone}data: x\ndata: [DONE]`)]).sawEndMarker).toBe(false);
  });

  it('says it expects text/event-stream', () => {
    expect(new OpenAIStreamDecoder('chat').expectedContentType).toBe('text/event-stream');
  });
});

describe('OpenAIStreamDecoder against hostile servers', () => {
  const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

  it('throws a protocol error instead of buffering a line past maxEventBytes', () => {
    const decoder = new OpenAIStreamDecoder('chat', { maxEventBytes: 1024 });
    let pushed = 0;
    let thrown: unknown;
    try {
      decoder.push(encode('data: {"choices":[{"delta":{"content":"'), () => {});
      for (;;) {
        decoder.push(encode('z'.repeat(100)), () => {});
        pushed += 1;
      }
    } catch (error) {
      thrown = error;
    }
    // 37 characters, then 100 a chunk: 987 after 9 chunks, 1087 after 10.
    expect(pushed).toBe(9);
    expect(thrown).toBeInstanceOf(LensProviderError);
    expect((thrown as LensProviderError).errorClass).toBe('protocol');
    expect((thrown as LensProviderError).message).toBe(
      'an event-stream line or event exceeded the maximum event size of 1024 bytes (raise it with --max-event-bytes / max_event_bytes if the server really sends events this large)',
    );
  });

  it('passes on a usage report with a count that is not a token count only as its reason', () => {
    const decoded = decodeChunks([
      encode(
        'data: {"choices":[{"delta":{"content":"hi"}}]}\n\n' +
          'data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":1e300}}\n\n' +
          'data: [DONE]\n\n',
      ),
    ]);
    expect(decoded.usage).toEqual({
      ignoredReason:
        'usage ignored: completion_tokens 1e+300 is not a token count (expected a whole number from 0 to 1000000000)',
    });
    expect(decoded.sawEndMarker).toBe(true);
  });

  it('derives per-event counts from valid continuous usage only', () => {
    const chunk = (content: string, completion: unknown): string =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }], usage: { prompt_tokens: 3, completion_tokens: completion } })}\n\n`;
    const decoded = decodeChunks([
      encode(
        chunk('', 0) +
          chunk('a', 1) +
          chunk('', 1e300) +
          chunk('b', 26.5) +
          chunk('c', '12') +
          chunk('d', 4),
      ),
    ]);
    // b and c carried no valid count; d's increase is measured from a's valid 1.
    expect(decoded.serverTokens).toEqual([1, 3]);
    expect(decoded.events.map((event) => event.serverTokens)).toEqual([
      undefined,
      1,
      undefined,
      undefined,
      undefined,
      3,
    ]);
    expect(decoded.events[3]?.usage?.ignoredReason).toContain('completion_tokens 26.5');
    expect(decoded.usage).toEqual({ inputTokens: 3, outputTokens: 4 });
    // An ignored report is no evidence of per-chunk usage: 5 is read as a final total.
    const afterIgnored = decodeChunks([encode(chunk('', 1e300) + chunk('a', 5))]);
    expect(afterIgnored.serverTokens).toEqual([]);
  });

  it('cuts a huge in-stream error message to 1000 characters', () => {
    const message = 'x'.repeat(2 * 1024 * 1024);
    const decoded = decodeChunks([
      encode(`data: ${JSON.stringify({ error: { message, type: 'server_error' } })}\n\n`),
      encode(`event: error\ndata: ${JSON.stringify({ detail: message })}\n\n`),
      encode(`data: ${JSON.stringify({ error: message })}\n\n`),
    ]);
    expect(decoded.errors).toHaveLength(3);
    for (const error of decoded.errors) {
      expect(error?.message).toHaveLength(1000);
      expect(error?.message.endsWith('…')).toBe(true);
    }
    expect(decoded.errors[1]?.message.startsWith('{"detail":"xxx')).toBe(true);
  });

  it('classifies an error event whose fields are at the top level by their type and code', () => {
    const decoded = decodeChunks([
      encode('event: error\ndata: {"type":"rate_limit_error","message":"slow down"}\n\n'),
      encode('event: error\ndata: {"code":503}\n\n'),
    ]);
    expect(decoded.errors).toEqual([
      { message: 'slow down', type: 'rate_limit_error' },
      { message: '{"code":503}', code: 503 },
    ]);
  });

  it('reads thinking and text parts of a content list (Mistral) as reasoning and answer', () => {
    const delta = (content: unknown) =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
    const decoded = decodeChunks([
      encode(
        delta([{ type: 'thinking', thinking: [{ type: 'text', text: 'Okay, the' }] }]) +
          delta([{ type: 'thinking', thinking: 'plain' }]) +
          delta([
            { type: 'text', text: 'Hello' },
            { type: 'reference', reference_ids: [1] },
          ]) +
          delta('!') +
          'data: [DONE]\n\n',
      ),
    ]);
    expect(decoded.events.map((e) => [e.text, e.reasoningText])).toEqual([
      ['', 'Okay, the'],
      ['', 'plain'],
      ['Hello', ''],
      ['!', ''],
    ]);
  });

  it('keeps the usage of a chunk that also carries an error (OpenRouter)', () => {
    const decoded = decodeChunks([
      encode(
        `data: ${JSON.stringify({
          error: { code: 400, message: 'Token limit reached' },
          choices: [{ index: 0, delta: { content: '' } }],
          usage: { prompt_tokens: 43, completion_tokens: 10, total_tokens: 53 },
        })}\n\ndata: [DONE]\n\n`,
      ),
    ]);
    expect(decoded.errors).toEqual([{ message: 'Token limit reached', code: 400 }]);
    expect(decoded.usage).toEqual({ inputTokens: 43, outputTokens: 10 });
  });
});
