import { describe, expect, it } from 'vitest';
import { FakeTransport, fakeStream } from './testing.js';
import {
  asyncInterceptor,
  composeTransport,
  type ResponseSink,
  type TransportInterceptor,
} from './transport.js';

interface Heard {
  events: string[];
  done: Promise<void>;
  sink: ResponseSink;
}

function listen(): Heard {
  const events: string[] = [];
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    events,
    done,
    sink: {
      onConnection: () => events.push('connection'),
      onHeaders: (status) => events.push(`headers ${status}`),
      onChunk: (chunk) => events.push(`chunk ${chunk.toString().trim()}`),
      onComplete: () => {
        events.push('complete');
        finish();
      },
      onError: (error) => {
        events.push(`error ${error.name}: ${error.message}`);
        finish();
      },
    },
  };
}

const spec = { url: 'http://fake.invalid/x', method: 'POST' as const, headers: {}, body: '{}' };

describe('composeTransport', () => {
  it('runs interceptors outermost first, each wrapping the next', async () => {
    const base = new FakeTransport(() => fakeStream({ tokens: 1, ttftMs: 0, itlMs: 0 }));
    const tag =
      (name: string): TransportInterceptor =>
      (next) =>
      (request, sink) =>
        next(
          {
            ...request,
            headers: { ...request.headers, order: `${request.headers.order ?? ''}${name}` },
          },
          sink,
        );
    const transport = composeTransport(base, tag('a'), tag('b'));
    const heard = listen();
    transport.send(spec, heard.sink);
    await heard.done;
    expect(base.requests[0]?.headers.order).toBe('ab');
    expect(heard.events).toEqual([
      'connection',
      'headers 200',
      'chunk t  word0',
      'chunk u 1\n.',
      'complete',
    ]);
  });

  it('lets an asynchronous interceptor prepare each request (a credential refresh)', async () => {
    const base = new FakeTransport(() => fakeStream({ tokens: 1, ttftMs: 0, itlMs: 0 }));
    let refreshes = 0;
    const bearer = asyncInterceptor(async (request) => {
      refreshes++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { ...request, headers: { ...request.headers, authorization: `Bearer t${refreshes}` } };
    });
    const transport = composeTransport(base, bearer);
    const first = listen();
    transport.send(spec, first.sink);
    await first.done;
    expect(base.requests[0]?.headers.authorization).toBe('Bearer t1');
    expect(first.events.at(-1)).toBe('complete');
  });

  it('cancels a request still waiting for its interceptor, and never sends it', async () => {
    const base = new FakeTransport(() => fakeStream({ tokens: 1, ttftMs: 0, itlMs: 0 }));
    const slow = asyncInterceptor(
      (request) => new Promise((resolve) => setTimeout(() => resolve(request), 20)),
    );
    const heard = listen();
    const inFlight = composeTransport(base, slow).send(spec, heard.sink);
    inFlight.cancel();
    await heard.done;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(heard.events).toEqual(['error AbortError: This operation was aborted']);
    expect(base.requests).toHaveLength(0);
  });

  it('fails the request when the interceptor fails', async () => {
    const base = new FakeTransport(() => fakeStream({ tokens: 1, ttftMs: 0, itlMs: 0 }));
    const broken = asyncInterceptor(async () => {
      throw new Error('token endpoint unreachable');
    });
    const heard = listen();
    composeTransport(base, broken).send(spec, heard.sink);
    await heard.done;
    expect(heard.events).toEqual(['error Error: token endpoint unreachable']);
  });
});
