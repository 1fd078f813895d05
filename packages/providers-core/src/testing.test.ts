import { describe, expect, it } from 'vitest';
import type { ResponseHeaders, StreamEvent } from './provider.js';
import { LensProviderError } from './provider-error.js';
import { createFakeProvider, FakeDecoder, type FakeResponse, FakeTransport } from './testing.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

function decode(decoder: FakeDecoder, ...parts: string[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  const emit = (event: StreamEvent): void => {
    events.push(event);
  };
  for (const part of parts) decoder.push(encode(part), emit);
  decoder.end(emit);
  return events;
}

describe('FakeDecoder', () => {
  it('decodes lines split across chunks and sees the end marker', () => {
    const decoder = new FakeDecoder();
    const events = decode(decoder, 't he', 'llo\nr thi', 'nk\nu 2\n.\n');
    expect(events).toEqual([
      { text: 'hello', reasoningText: '', toolText: '' },
      { text: '', reasoningText: 'think', toolText: '' },
      { text: '', reasoningText: '', toolText: '', usage: { outputTokens: 2 } },
    ]);
    expect(decoder.sawEndMarker).toBe(true);
    expect(decoder.expectedContentType).toBe('text/plain');
  });

  it('ignores a usage count that is not a token count and says why', () => {
    const events = decode(new FakeDecoder(), 'u 1e300\nu 26.5\nu \n');
    expect(events.map((event) => event.usage)).toEqual([
      {
        ignoredReason:
          'usage ignored: output tokens 1e+300 is not a token count (expected a whole number from 0 to 1000000000)',
      },
      {
        ignoredReason:
          'usage ignored: output tokens 26.5 is not a token count (expected a whole number from 0 to 1000000000)',
      },
      {
        ignoredReason:
          'usage ignored: output tokens NaN is not a token count (expected a whole number from 0 to 1000000000)',
      },
    ]);
  });

  it('throws a protocol error for a line longer than maxEventBytes, before buffering it', () => {
    const decoder = new FakeDecoder({ maxEventBytes: 10 });
    expect(decode(decoder, 't 12345678\n').map((event) => event.text)).toEqual(['12345678']);
    const endless = new FakeDecoder({ maxEventBytes: 10 });
    endless.push(encode('t 1234'), () => {});
    let thrown: unknown;
    try {
      endless.push(encode('56789'), () => {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LensProviderError);
    expect((thrown as LensProviderError).errorClass).toBe('protocol');
    expect((thrown as LensProviderError).message).toBe(
      'a fake-format line exceeded the maximum event size of 10 bytes (raise it with --max-event-bytes / max_event_bytes if the server really sends events this large)',
    );
  });

  it('gets its options from the fake provider', () => {
    const provider = createFakeProvider();
    const input = { model: 'm', prompt: 'p', stream: true };
    const decoder = provider.createDecoder(input, { maxEventBytes: 4 });
    expect(() => decoder.push(encode('t abc\n'), () => {})).toThrow('maximum event size of 4');
    expect(() => provider.createDecoder(input).push(encode('t abc\n'), () => {})).not.toThrow();
  });
});

describe('FakeTransport', () => {
  async function headersOf(response: FakeResponse): Promise<ResponseHeaders> {
    const transport = new FakeTransport(() => response);
    return new Promise((resolve, reject) => {
      let heard: ResponseHeaders = {};
      transport.send(
        { url: 'http://fake.invalid/generate', method: 'POST', headers: {} },
        {
          onConnection() {},
          onHeaders(_status, headers) {
            heard = headers;
          },
          onChunk() {},
          onComplete: () => resolve(heard),
          onError: reject,
        },
      );
    });
  }

  it('sends the fake format media type unless the script names other headers', async () => {
    expect(await headersOf({})).toEqual({ 'content-type': 'text/plain' });
    expect(await headersOf({ headers: { 'content-type': 'text/html' } })).toEqual({
      'content-type': 'text/html',
    });
  });
});
