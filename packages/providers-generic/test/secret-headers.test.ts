// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ${VAR} references under test, not template mistakes
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTransport, type ProviderSettings } from '@llm-lens/providers-core';
import { exchangeOnce } from '@llm-lens/providers-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericProviderFactory, genericSettingsSchema } from '../src/index.js';

const API_KEY = 'sk-generic-secret-4f9a7c21';
const env = { ACME_API_KEY: API_KEY };

// A server that echoes the credential it received in every error it reports, as careless
// real APIs do: in a 401 body, in a 429 body, and in an error event inside a 200 stream.
let server: Server;
let url: string;
const seenAuthorization: (string | undefined)[] = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let raw = '';
    for await (const part of req) raw += part;
    const auth = req.headers.authorization;
    seenAuthorization.push(auth);
    // The model id picks the answer.
    const { model } = JSON.parse(raw) as { model: string };
    if (auth !== `Bearer ${API_KEY}` || model === 'reject') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ problem: { detail: `credential "${auth}" is not valid` } }));
      return;
    }
    if (model === 'throttle') {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ problem: { detail: `too many requests for key ${API_KEY}` } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"token":"Hi"}\n\n');
    res.end(`data: {"problem":{"detail":"lost session of ${auth}","code":500}}\n\n`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/generate`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

function entry(secretHeaders: Record<string, string>): ProviderSettings {
  return {
    name: 'acme',
    type: 'generic',
    models: ['acme-1'],
    ...genericSettingsSchema.parse({
      url,
      secret_headers: secretHeaders,
      body: { model: '{{model}}', prompt: '{{prompt}}' },
      framing: 'sse',
      selectors: { text: '$.token', error: '$.problem.detail' },
    }),
  };
}

describe('a credential in a secret header', () => {
  // The loader has substituted ${ACME_API_KEY} by the time the factory sees the entry; an
  // escaped $${ACME_API_KEY} reaches it as a reference that the adapter expands itself.
  it.each([
    ['substituted by the config loader', { Authorization: `Bearer ${API_KEY}` }],
    ['expanded by the adapter', { Authorization: 'Bearer ${ACME_API_KEY}' }],
  ])('%s: is sent, listed as a secret, and never appears in a message', async (_how, headers) => {
    const transport = new HttpTransport();
    try {
      const instance = await genericProviderFactory.create(entry(headers), { env, baseDir: '/' });
      expect(instance.secrets).toContain(API_KEY);
      expect(instance.endpoint).not.toContain(API_KEY);
      const send = (model: string) =>
        // No `secrets` option: the adapter itself must keep the key out of its messages.
        exchangeOnce(transport, instance.provider, { model, prompt: 'p', stream: true });

      const rejected = await send('reject');
      expect(rejected.httpError).toEqual({
        errorClass: 'auth',
        message:
          'HTTP 401: credential "[redacted]" is not valid (check the API key and its permissions for acme)',
        persistent: true,
      });
      const throttled = await send('throttle');
      expect(throttled.httpError).toEqual({
        errorClass: 'rate_limited',
        message: 'HTTP 429: too many requests for key [redacted]; retry after 1 s',
      });
      const streamed = await send('stream');
      expect(streamed.events[0]?.text).toBe('Hi');
      expect(streamed.streamErrors).toEqual([
        { errorClass: 'server_error', message: 'error in stream: lost session of [redacted]' },
      ]);
      expect(seenAuthorization.slice(-3)).toEqual([
        `Bearer ${API_KEY}`,
        `Bearer ${API_KEY}`,
        `Bearer ${API_KEY}`,
      ]);
    } finally {
      await transport.close();
    }
  });

  it('fails before any request, naming the variable and not a value, when it is unset', async () => {
    await expect(
      genericProviderFactory.create(entry({ Authorization: 'Bearer ${ACME_API_KEY}' }), {
        env: {},
        baseDir: '/',
      }),
    ).rejects.toMatchObject({
      code: 'LENS_PROVIDER_AUTH',
      message:
        'provider "acme": header Authorization reads the environment variable ACME_API_KEY, which is not set; export it before the run',
    });
  });
});
