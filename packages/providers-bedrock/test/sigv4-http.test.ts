import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeTransport, HttpTransport, type StreamEvent } from '@llm-lens/providers-core';
import { exchangeOnce } from '@llm-lens/providers-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bedrockProviderFactory } from '../src/index.js';
import { concatFrames, eventFrame } from './frames.js';
import { expectedSignature, parseAuthorization } from './sigv4-verifier.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN';
const PROFILE_ARN =
  'arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3:latest';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  signatureMatches: boolean;
}

const received: Received[] = [];
let server: Server;
let url: string;

const stream = concatFrames([
  eventFrame('messageStart', { role: 'assistant', p: 'abcd' }),
  eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Signed' }, p: 'ab' }),
  eventFrame('contentBlockDelta', {
    contentBlockIndex: 0,
    delta: { text: ' and sealed.' },
    p: 'a',
  }),
  eventFrame('contentBlockStop', { contentBlockIndex: 0 }),
  eventFrame('messageStop', { stopReason: 'end_turn' }),
  eventFrame('metadata', {
    usage: { inputTokens: 4, outputTokens: 3, totalTokens: 7 },
    metrics: { latencyMs: 90 },
  }),
]);

beforeAll(async () => {
  // Checks every request's signature the way AWS does, from the bytes that arrived.
  server = createServer(async (req, res) => {
    let body = '';
    for await (const part of req) body += part;
    const signature = parseAuthorization(String(req.headers.authorization))?.signature;
    const signatureMatches =
      signature !== undefined &&
      signature ===
        expectedSignature(
          { method: req.method!, path: req.url!, headers: req.headers, body },
          SECRET,
        );
    received.push({ url: req.url!, headers: req.headers, signatureMatches });
    if (!signatureMatches) {
      res.writeHead(403, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'InvalidSignatureException',
      });
      res.end(
        '{"message":"The request signature we calculated does not match the signature you provided."}',
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    // In odd pieces, so frames arrive split across reads.
    for (let at = 0; at < stream.byteLength; at += 37) res.write(stream.subarray(at, at + 37));
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

async function send(env: NodeJS.ProcessEnv, model: string) {
  const settings = bedrockProviderFactory.configSchema.parse({
    endpoint_url: url,
    region: 'eu-west-1',
  });
  const instance = await bedrockProviderFactory.create(
    { name: 'bedrock', type: 'bedrock', models: [model], ...settings },
    { env, baseDir: process.cwd() },
  );
  const transport = composeTransport(new HttpTransport(), ...(instance.interceptors ?? []));
  try {
    return await exchangeOnce(
      transport,
      instance.provider,
      { model, prompt: 'Sign this', stream: true },
      {
        secrets: instance.secrets,
      },
    );
  } finally {
    await transport.close();
  }
}

describe('SigV4 over HTTP', () => {
  it('arrives with a signature a SigV4 verifier accepts, for an ARN with : and / in the path', async () => {
    const result = await send(
      {
        AWS_ACCESS_KEY_ID: 'AKIALENSTEST',
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_SESSION_TOKEN: TOKEN,
      },
      PROFILE_ARN,
    );
    const request = received.at(-1)!;
    expect(request.url).toBe(
      '/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Aapplication-inference-profile%2Fa1b2c3%3Alatest/converse-stream',
    );
    expect(request.signatureMatches).toBe(true);
    expect(parseAuthorization(String(request.headers.authorization))).toMatchObject({
      accessKeyId: 'AKIALENSTEST',
      region: 'eu-west-1',
      service: 'bedrock',
      signedHeaders: ['accept', 'content-type', 'host', 'x-amz-date', 'x-amz-security-token'],
    });
    expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request.headers['x-amz-security-token']).toBe(TOKEN);
    expect(result.status).toBe(200);
    expect(result.events.map((e: StreamEvent) => e.text).join('')).toBe('Signed and sealed.');
    expect(result.events.at(-1)).toEqual({
      text: '',
      reasoningText: '',
      toolText: '',
      usage: { inputTokens: 4, outputTokens: 3 },
      serverTimings: { latency_ms: 90 },
    });
    expect(result.sawEndMarker).toBe(true);
  });

  it('signed with the wrong secret, fails as auth without quoting either secret', async () => {
    const wrongSecret = 'not-the-secret-the-server-knows-EXAMPLE';
    const result = await send(
      { AWS_ACCESS_KEY_ID: 'AKIALENSTEST', AWS_SECRET_ACCESS_KEY: wrongSecret },
      'amazon.nova-micro-v1:0',
    );
    expect(received.at(-1)!.signatureMatches).toBe(false);
    expect(result.httpError).toEqual({
      errorClass: 'auth',
      persistent: true,
      message:
        'HTTP 403 InvalidSignatureException: The request signature we calculated does not match the signature you provided. (the signature does not match: check the secret access key, and that the system clock is right)',
    });
    expect(JSON.stringify(result)).not.toContain(wrongSecret);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});
