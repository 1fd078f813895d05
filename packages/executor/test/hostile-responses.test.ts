import { createServer, type Server, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { RequestRecord } from '@llm-lens/core-timing';
import { now } from '@llm-lens/core-timing';
import { Aggregator } from '@llm-lens/metrics';
import {
  createTokenCounter,
  HttpTransport,
  MAX_ERROR_MESSAGE_CHARS,
} from '@llm-lens/providers-core';
import { createOpenAIProvider } from '@llm-lens/providers-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  executeRequest,
  type RequestTimeouts,
  requestTimeouts,
  TokenCountCache,
} from '../src/index.js';
import { END_MARKER_GRACE_MS } from '../src/request-runner.js';

// Each test serves exact bytes from a raw TCP server: what a broken proxy or gateway sends,
// not what a well-behaved HTTP library would let a test server write.
type Reply = (socket: Socket) => void;

let server: Server;
let baseUrl: string;
let reply: Reply = () => {};
const closedByClient: boolean[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    let head = '';
    let answered = false;
    socket.on('error', () => {});
    socket.on('close', () => closedByClient.push(true));
    socket.on('data', (data) => {
      if (answered) return;
      head += data.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (end === -1 || head.length < end + 4 + length) return;
      answered = true;
      reply(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${port}/v1`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const sse = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
const delta = (content: string): string =>
  sse({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] });
const usage = (value: unknown): string =>
  sse({ object: 'chat.completion.chunk', choices: [], usage: value });
const DONE = 'data: [DONE]\n\n';

function respond(body: string | Buffer, headers: Record<string, string> = {}): Reply {
  return (socket) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const lines = Object.entries({
      'content-type': 'text/event-stream',
      'content-length': String(bytes.length),
      ...headers,
    }).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`HTTP/1.1 200 OK\r\n${lines.join('')}\r\n`);
    socket.write(bytes);
  };
}

interface Options {
  timeouts?: RequestTimeouts;
  maxEventBytes?: number;
  tokenizer?: boolean;
  stream?: boolean;
  model?: string;
}

async function run(serve: Reply, options: Options = {}): Promise<RequestRecord> {
  reply = serve;
  const provider = createOpenAIProvider({ id: 'openai-compatible', name: 'hostile', baseUrl });
  const transport = new HttpTransport();
  try {
    return await executeRequest({
      provider,
      transport,
      input: { model: options.model ?? 'some-model', prompt: 'hi', stream: options.stream ?? true },
      requestId: 'r-1',
      scenario: 'hostile',
      isWarmup: false,
      scheduledNs: now(),
      anchor: { wallMs: Date.now(), monoNs: now() },
      timeouts: options.timeouts ?? { totalMs: 10_000 },
      tokenCounter:
        options.tokenizer === false
          ? undefined
          : new TokenCountCache(createTokenCounter(options.model ?? 'some-model')),
      ...(options.maxEventBytes === undefined ? {} : { maxEventBytes: options.maxEventBytes }),
    });
  } finally {
    await transport.close();
  }
}

describe('a response that ends at its end marker', () => {
  it('completes at [DONE] when the server then keeps the connection open', async () => {
    const started = Date.now();
    const body = delta('Hello') + delta(' there') + DONE;
    const record = await run((socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n',
      );
      socket.write(`${body.length.toString(16)}\r\n${body}\r\n`);
      // No terminating chunk: the body never ends.
    });
    expect(record.status).toBe('ok');
    expect(record.tokenEventOffsetsNs.length).toBe(2);
    // The record ends at the marker; the request is released within the grace period.
    expect(Number(record.e2eNs) / 1e6).toBeLessThan(END_MARKER_GRACE_MS / 2);
    expect(Date.now() - started).toBeLessThan(END_MARKER_GRACE_MS + 2000);
  });

  it('stays complete when the connection is reset after [DONE]', async () => {
    const record = await run((socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n',
      );
      const body = delta('Hi') + DONE;
      socket.write(`${body.length.toString(16)}\r\n${body}\r\n`, () =>
        setTimeout(() => socket.resetAndDestroy(), 20),
      );
    });
    expect(record.status).toBe('ok');
    expect(record.outputTokens).toBe(1);
  });

  it('is complete when the bytes end in [DONE] without its blank line, however the connection ends', async () => {
    const body = `${delta('Hi')}data: [DONE]`;
    const closed = await run((socket) => {
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n${body}`);
    });
    expect(closed.status).toBe('ok');
    const reset = await run((socket) => {
      // The declared length is never reached: the client sees an error, not an end.
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: 999\r\n\r\n${body}`,
        () => setTimeout(() => socket.resetAndDestroy(), 20),
      );
    });
    expect(reset.status).toBe('ok');
    expect(reset.outputTokens).toBe(1);
    const cut = await run((socket) => {
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: 999\r\n\r\n${delta('Hi')}data: [DON`,
        () => setTimeout(() => socket.resetAndDestroy(), 20),
      );
    });
    expect(cut.errorClass).toBe('stream_interrupted');
  });

  it('stays complete when an over-long line follows [DONE] in the same read', async () => {
    const body = delta('Hello') + DONE + `data: ${'x'.repeat(3000)}\n\n`;
    const record = await run(respond(body), { maxEventBytes: 1024 });
    expect(record.status).toBe('ok');
    expect(record.tokenEventOffsetsNs.length).toBe(1);
  });

  it('is still interrupted when the body is cut before [DONE]', async () => {
    const record = await run((socket) => {
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n${delta('Hi')}`);
    });
    expect(record.errorClass).toBe('stream_interrupted');
  });
});

describe('a body that is not in the protocol', () => {
  it('calls an HTML page with status 200 protocol and quotes what arrived', async () => {
    const record = await run(
      respond('<!doctype html><html><body>Sign in</body></html>', {
        'content-type': 'text/html; charset=utf-8',
      }),
    );
    expect(record.errorClass).toBe('protocol');
    expect(record.errorMessage).toBe(
      'expected text/event-stream, got text/html (first bytes: "<!doctype html><html><body>Sign in</body></html>")',
    );
  });

  it('calls a JSON object sent to a streaming request protocol', async () => {
    const body = JSON.stringify({ object: 'chat.completion', choices: [] });
    const record = await run(respond(body, { 'content-type': 'application/json' }));
    expect(record.errorClass).toBe('protocol');
    expect(record.errorMessage).toMatch(/^expected text\/event-stream, got application\/json/);
  });

  it('calls a gzip body nobody asked for protocol, valid gzip or not', async () => {
    for (const body of [gzipSync(delta('Hi') + DONE), Buffer.from([0x1f, 0x8b, 0, 1, 2, 3])]) {
      const record = await run(respond(body, { 'content-encoding': 'gzip' }));
      expect(record.errorClass).toBe('protocol');
      expect(record.errorMessage).toMatch(/content-encoding gzip, which was not asked for/);
    }
  });

  it('calls malformed JSON protocol even when the whole body arrived before it was parsed', async () => {
    // 400 KB of valid events first: the body has ended long before the bad chunk is parsed.
    const record = await run(
      respond(`${delta('word ').repeat(8000)}data: {"choices": [oops\n\n${delta('more')}${DONE}`),
    );
    expect(record.errorClass).toBe('protocol');
    expect(record.errorMessage).toMatch(/malformed JSON/);
  });

  it('calls a non-streaming body without choices protocol, not interrupted', async () => {
    const record = await run(
      respond(JSON.stringify({ id: 'x', object: 'chat.completion' }), {
        'content-type': 'application/json',
      }),
      { stream: false },
    );
    expect(record.errorClass).toBe('protocol');
  });
});

describe('bounds on what a server can make the client do', () => {
  it('ignores absurd usage with its reason and counts the tokens itself, and the aggregator keeps going', async () => {
    const aggregator = new Aggregator();
    for (const completion of [1e300, 1e20, 2 ** 53, 26.5, -1, '12']) {
      const record = await run(
        respond(
          delta('Hello') +
            delta(' world') +
            usage({ prompt_tokens: 3, completion_tokens: completion }) +
            DONE,
        ),
      );
      expect(record.status).toBe('ok');
      expect(record.usageIgnored).toMatch(/^usage ignored: completion_tokens/);
      expect(record.tokenCountSource).toBe('tokenizer');
      expect(record.outputTokens).toBe(2);
      expect(record.inputTokens).toBeUndefined();
      aggregator.add(record);
    }
    const [group] = aggregator.summarize({
      complete: true,
      fidelity: { event_loop_delay_p99_ms: 0, event_loop_delay_max_ms: 0, client_bound: false },
    });
    expect(group?.tokens.output).toBe(12);
    expect(group?.out_of_range_samples).toBe(0);
  });

  it('keeps at most MAX_ERROR_MESSAGE_CHARS of a 2 MB in-stream error message', async () => {
    const message = 'overloaded '.repeat(200_000);
    const record = await run(respond(sse({ error: { message, type: 'server_error' } }) + DONE));
    expect(record.errorClass).toBe('server_error');
    expect(record.errorMessage!.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS);
  });

  it('fails an endless line as protocol at the event limit and closes its connection', async () => {
    closedByClient.length = 0;
    const record = await run(
      (socket) => {
        socket.write(
          'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n',
        );
        const piece = 'x'.repeat(16 * 1024);
        let sent = 0;
        const write = (): void => {
          // 64 MiB if nobody stops it; the client must stop reading at 64 KiB.
          while (sent < 4096 && !socket.destroyed) {
            sent++;
            const text = sent === 1 ? `data: ${piece}` : piece;
            if (!socket.write(`${text.length.toString(16)}\r\n${text}\r\n`)) {
              socket.once('drain', write);
              return;
            }
          }
        };
        write();
      },
      { maxEventBytes: 64 * 1024 },
    );
    expect(record.errorClass).toBe('protocol');
    expect(record.errorMessage).toMatch(/maximum event size of 65536 bytes/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closedByClient.length).toBeGreaterThan(0);
  });

  it('counts a 1 MB delta with no whitespace in bounded time, as a marked estimate', async () => {
    const word = 'a'.repeat(1_000_000);
    const characters: number[] = [];
    const counter = createTokenCounter('some-model');
    const measuring = new TokenCountCache({
      count(text: string) {
        characters.push(text.length);
        return counter.count(text);
      },
    });
    // Deterministic bound: BPE is never handed a long piece, nor much of the text at all.
    expect(measuring.count(word)).toBe(125_000);
    expect(measuring.lastCountEstimated).toBe(true);
    const whole = measuring.countWhole([word]);
    while (!whole.step(0n)) {}
    expect(whole.estimated).toBe(true);
    expect(whole.total).toBe(125_000);
    expect(Math.max(...characters)).toBeLessThanOrEqual(256);
    expect(characters.reduce((a, b) => a + b, 0)).toBeLessThan(8 * 1024);

    // And through the request path: the loop is never blocked for 50 ms.
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const record = await run(respond(delta(word) + DONE));
    loop.disable();
    expect(record.status).toBe('ok');
    expect(record.tokenCountEstimated).toBe(true);
    expect(record.tokenCountSource).toBe('tokenizer');
    expect(record.outputTokens).toBe(125_000);
    expect(loop.max / 1e6).toBeLessThan(50);
  });

  it('gives 100,000 one-letter events the right count without a quadratic whole-text count', async () => {
    const record = await run(respond(delta('a').repeat(100_000) + DONE));
    expect(record.status).toBe('ok');
    expect(record.tokenEventOffsetsNs.length).toBe(100_000);
    expect(record.outputTokens).toBe(12_500);
    expect(record.tokenCountEstimated).toBe(true);
  });
});

describe('timeouts', () => {
  it("takes the provider's total_ms when the scenario sets none, and the default otherwise", () => {
    expect(requestTimeouts({ timeouts: { totalMs: 2000, idleMs: 500 } }, {})).toEqual({
      totalMs: 2000,
      idleMs: 500,
    });
    expect(requestTimeouts({ timeouts: { totalMs: 2000 } }, { timeoutMs: 5000 }).totalMs).toBe(
      5000,
    );
    expect(requestTimeouts({}, {}).totalMs).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
  });

  it('keeps the error a server reported in the stream when it then holds the connection open', async () => {
    const body = delta('a') + sse({ error: { message: 'boom', type: 'server_error', code: null } });
    const record = await run(
      (socket) => {
        socket.write(
          'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n',
        );
        socket.write(`${body.length.toString(16)}\r\n${body}\r\n`);
      },
      { timeouts: requestTimeouts({ timeouts: { totalMs: 300 } }, {}) },
    );
    expect(record.errorClass).toBe('server_error');
    expect(record.errorMessage).toContain('boom');
  });

  it('ends a request the server never answers at the provider total timeout', async () => {
    const started = Date.now();
    const record = await run(() => {}, {
      timeouts: requestTimeouts({ timeouts: { totalMs: 300 } }, {}),
    });
    expect(record.errorClass).toBe('timeout_total');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('token_count_mismatch compares like with like', () => {
  const words = (n: number): string => Array.from({ length: n }, () => delta(' hello')).join('');
  const ending = (value: unknown): string => usage(value) + DONE;

  it('leaves out reasoning the server kept hidden (gpt-5-nano: 78 reported, 64 reasoning, 4 visible)', async () => {
    const record = await run(
      respond(
        words(4) +
          ending({
            prompt_tokens: 9,
            completion_tokens: 78,
            total_tokens: 87,
            completion_tokens_details: { reasoning_tokens: 64 },
          }),
      ),
      { model: 'gpt-5-nano' },
    );
    expect(record.outputTokens).toBe(78);
    expect(record.tokenCountMismatch).toBe(false);
  });

  it('leaves out the message framing GPT-5 models count but never stream ("six": 10 reported)', async () => {
    const record = await run(
      respond(
        delta('six') +
          ending({ completion_tokens: 10, completion_tokens_details: { reasoning_tokens: 0 } }),
      ),
      { model: 'gpt-5.1-2025-11-13' },
    );
    expect(record.tokenCountMismatch).toBe(false);
    // The same counts from a model without that framing are a cut stream.
    const other = await run(respond(delta('six') + ending({ completion_tokens: 10 })), {
      model: 'gpt-4o-mini',
    });
    expect(other.tokenCountMismatch).toBe(true);
  });

  it('allows an end-of-sequence token or two (vLLM: 14 against 13)', async () => {
    const record = await run(respond(words(12) + ending({ completion_tokens: 14 })), {
      model: 'gpt-4o-mini',
    });
    expect(record.tokenCountMismatch).toBe(false);
  });

  it('gives no verdict where the tokenizer is not the model family own (Claude: 36 against 22)', async () => {
    const record = await run(respond(words(22) + ending({ completion_tokens: 36 })), {
      model: 'claude-sonnet-4-5',
    });
    expect(record.tokenCountMismatch).toBeUndefined();
  });

  it('still flags a stream that lost half its text', async () => {
    const record = await run(respond(words(25) + ending({ completion_tokens: 100 })), {
      model: 'gpt-4o-mini',
    });
    expect(record.tokenCountMismatch).toBe(true);
  });

  it("keeps xAI's own completion count and counts its reasoning into output tokens", async () => {
    const record = await run(
      respond(
        words(3) +
          ending({
            prompt_tokens: 291,
            completion_tokens: 26,
            total_tokens: 513,
            completion_tokens_details: { reasoning_tokens: 196 },
          }),
      ),
      { model: 'grok-3-mini' },
    );
    expect(record.outputTokens).toBe(222);
    expect(record.reportedOutputTokens).toBe(26);
    expect(record.reasoningTokens).toBe(196);
  });
});
