import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ErrorClassification,
  HttpTransport,
  type ProviderRequestInput,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIProvider } from '../src/index.js';

const API_KEY = 'sk-lens-integration-0123';
const chatStream = readFileSync(new URL('./fixtures/openai-chat.sse', import.meta.url), 'utf8');
const chatJson = readFileSync(new URL('./fixtures/chat-completion.json', import.meta.url), 'utf8');

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

const received: Received[] = [];
let server: Server;
let baseUrl: string;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let raw = '';
    for await (const part of req) raw += part;
    const body = JSON.parse(raw) as Record<string, unknown>;
    received.push({ method: req.method, url: req.url, headers: req.headers, body });
    if (body.model === 'rate-limited') {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
      res.end(
        '{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}',
      );
      return;
    }
    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(chatJson);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    // Replay the recording one event at a time, like a server generating tokens.
    for (const event of chatStream.split(/(?<=\n\n)/)) {
      res.write(event);
      await delay(3);
    }
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

interface Exchange {
  status: number;
  events: { event: StreamEvent; stampNs: bigint }[];
  sawEndMarker: boolean;
  classification?: ErrorClassification;
}

/** Sends one request the way the executor does: stamp on arrival, decode, classify. */
function exchange(transport: HttpTransport, input: ProviderRequestInput): Promise<Exchange> {
  const provider = createOpenAIProvider({ id: 'openai-compatible', baseUrl, apiKey: API_KEY });
  const decoder = provider.createDecoder(input);
  const result: Exchange = { status: 0, events: [], sawEndMarker: false };
  let headers: Record<string, string | string[] | undefined> = {};
  let errorBody = '';
  return new Promise((resolve, reject) => {
    transport.send(provider.buildRequest(input), {
      onConnection() {},
      onHeaders(status, responseHeaders) {
        result.status = status;
        headers = responseHeaders;
      },
      onChunk(chunk, stampNs) {
        if (result.status >= 300) {
          errorBody += chunk.toString('utf8');
          return;
        }
        decoder.push(chunk, (event) => result.events.push({ event, stampNs }));
      },
      onComplete(stampNs) {
        if (result.status >= 300) {
          result.classification = provider.classifyHttpError(result.status, headers, errorBody);
        } else {
          decoder.end((event) => result.events.push({ event, stampNs }));
          result.sawEndMarker = decoder.sawEndMarker;
        }
        resolve(result);
      },
      onError(error) {
        reject(error);
      },
    });
  });
}

describe('OpenAI provider against a local OpenAI-compatible server', () => {
  const transport = new HttpTransport();
  afterAll(() => transport.close());

  it('sends usage options and the bearer key, then decodes the streamed reply', async () => {
    const result = await exchange(transport, {
      model: 'gpt-4o-mini',
      prompt: 'Say hello',
      stream: true,
      maxTokens: 16,
    });
    const request = received.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.headers.accept).toBe('text/event-stream');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 16,
    });

    expect(result.status).toBe(200);
    const tokenEvents = result.events.filter(({ event }) => event.text.length > 0);
    expect(tokenEvents.map(({ event }) => event.text)).toEqual([
      'Hello',
      '!',
      ' How',
      ' can',
      ' I',
      ' help',
      '?',
    ]);
    // Every event carries the arrival stamp of its chunk, in arrival order.
    for (let i = 1; i < tokenEvents.length; i += 1) {
      expect(tokenEvents[i]!.stampNs >= tokenEvents[i - 1]!.stampNs).toBe(true);
    }
    expect(result.events.findLast(({ event }) => event.usage)?.event.usage).toEqual({
      inputTokens: 12,
      outputTokens: 7,
      reasoningTokens: 0,
      cachedInputTokens: 0,
    });
    expect(result.sawEndMarker).toBe(true);
  });

  it('decodes a non-streaming reply into one event', async () => {
    const result = await exchange(transport, {
      model: 'gpt-4o-mini',
      prompt: 'Say hello',
      stream: false,
    });
    expect(received.at(-1)!.headers.accept).toBe('application/json');
    expect(received.at(-1)!.body.stream_options).toBeUndefined();
    expect(result.events.map(({ event }) => event.text)).toEqual(['Hello! How can I help?']);
    expect(result.sawEndMarker).toBe(true);
  });

  it('classifies a 429 reply as rate_limited with the server-requested wait', async () => {
    const result = await exchange(transport, { model: 'rate-limited', prompt: 'x', stream: true });
    expect(result.status).toBe(429);
    expect(result.classification).toEqual({
      errorClass: 'rate_limited',
      message: 'HTTP 429: Rate limit reached for requests; retry after 2 s',
    });
  });
});
