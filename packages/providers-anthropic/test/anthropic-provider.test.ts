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
import { createAnthropicProvider, providerFactories } from '../src/index.js';

const API_KEY = 'sk-ant-lens-integration-4567';
const textStream = readFileSync(new URL('./fixtures/messages-text.sse', import.meta.url), 'utf8');
const message = readFileSync(new URL('./fixtures/message.json', import.meta.url), 'utf8');

interface Received {
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

const received: Received[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let raw = '';
    for await (const part of req) raw += part;
    const body = JSON.parse(raw) as Record<string, unknown>;
    received.push({ url: req.url, headers: req.headers, body });
    if (body.model === 'overloaded') {
      res.writeHead(529, { 'content-type': 'application/json' });
      res.end('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
      return;
    }
    if (body.model === 'bad-key') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key ${API_KEY}"}}`,
      );
      return;
    }
    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(message);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    for (const event of textStream.split(/(?<=\n\n)/)) {
      res.write(event);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

interface Exchange {
  status: number;
  events: StreamEvent[];
  sawEndMarker: boolean;
  classification?: ErrorClassification;
}

/** One request the way the executor sends it: decode as chunks arrive, classify failures. */
function exchange(
  transport: HttpTransport,
  input: ProviderRequestInput,
  secrets: readonly string[] = [],
): Promise<Exchange> {
  const provider = createAnthropicProvider({ baseUrl: `${baseUrl}/v1/`, apiKey: API_KEY });
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
      onChunk(chunk) {
        if (result.status >= 300) errorBody += chunk.toString('utf8');
        else decoder.push(chunk, (event) => result.events.push(event));
      },
      onComplete() {
        if (result.status >= 300) {
          const classification = provider.classifyHttpError(result.status, headers, errorBody);
          for (const secret of secrets) {
            classification.message = classification.message.split(secret).join('[redacted]');
          }
          result.classification = classification;
        } else {
          decoder.end((event) => result.events.push(event));
          result.sawEndMarker = decoder.sawEndMarker;
        }
        resolve(result);
      },
      onError: reject,
    });
  });
}

describe('Anthropic provider against a local server speaking the Messages API', () => {
  const transport = new HttpTransport();
  afterAll(() => transport.close());

  it('sends the key, the API version and a required max_tokens, and decodes the stream', async () => {
    const result = await exchange(transport, {
      model: 'claude-lens-test',
      prompt: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Tell a story.' },
      ],
      stream: true,
    });
    const request = received.at(-1)!;
    expect(request.url).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe(API_KEY);
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toEqual({
      model: 'claude-lens-test',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Tell a story.' }],
      max_tokens: 1024,
      stream: true,
    });
    expect(result.status).toBe(200);
    expect(result.events.filter((e) => e.text.length > 0).map((e) => e.text)).toEqual([
      'A naïve',
      ' lighthouse',
      ' keeper 灯台',
      ' 🌊.',
    ]);
    expect(result.sawEndMarker).toBe(true);
  });

  it('decodes a non-streaming message with the scenario output limit', async () => {
    const result = await exchange(transport, {
      model: 'claude-lens-test',
      prompt: 'x',
      stream: false,
      maxTokens: 64,
    });
    expect(received.at(-1)!.body.max_tokens).toBe(64);
    expect(result.events[0]).toMatchObject({ text: 'Forty-two.', reasoningText: 'Short answer.' });
    expect(result.sawEndMarker).toBe(true);
  });

  it('classifies 529 as server_error and 401 as auth, never quoting the key', async () => {
    const overloaded = await exchange(transport, {
      model: 'overloaded',
      prompt: 'x',
      stream: true,
    });
    expect(overloaded.classification).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 529: Overloaded',
    });
    const rejected = await exchange(transport, { model: 'bad-key', prompt: 'x', stream: true }, [
      API_KEY,
    ]);
    expect(rejected.classification?.errorClass).toBe('auth');
    expect(rejected.classification?.message).not.toContain(API_KEY);
  });
});

describe('the anthropic provider factory', () => {
  const factory = providerFactories.find((f) => f.type === 'anthropic')!;

  it('reads the key from ANTHROPIC_API_KEY and fills the defaults', async () => {
    const settings = factory.configSchema.parse({});
    expect(settings).toMatchObject({
      base_url: 'https://api.anthropic.com',
      anthropic_version: '2023-06-01',
      default_max_tokens: 1024,
    });
    const instance = await factory.create(
      { name: 'claude', type: 'anthropic', models: ['m'], ...settings },
      { env: { ANTHROPIC_API_KEY: API_KEY }, baseDir: process.cwd() },
    );
    expect(instance.secrets).toEqual([API_KEY]);
    expect(instance.provider.name).toBe('claude');
    const request = instance.provider.buildRequest({ model: 'm', prompt: 'hi', stream: true });
    expect(request.url).toBe('https://api.anthropic.com/v1/messages');
    expect(request.headers['x-api-key']).toBe(API_KEY);
  });
});
