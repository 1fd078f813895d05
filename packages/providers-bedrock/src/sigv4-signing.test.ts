import { describe, expect, it } from 'vitest';
import { expectedSignature, parseAuthorization } from '../test/sigv4-verifier.js';
import { createSigV4Signer } from './sigv4-signing.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN';
const signingDate = new Date('2025-01-02T03:04:05Z');

describe('createSigV4Signer', () => {
  const sign = createSigV4Signer({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: TOKEN },
    now: () => signingDate,
  });
  const body = '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}';
  const spec = {
    url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream',
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', accept: 'application/vnd.amazon.eventstream' },
    body,
  };

  it('adds a SigV4 Authorization for service bedrock in the region, x-amz-date and the session token', async () => {
    const signed = await sign(spec);
    expect(signed.url).toBe(spec.url);
    expect(signed.body).toBe(body);
    expect(signed.headers['x-amz-date']).toBe('20250102T030405Z');
    expect(signed.headers['x-amz-security-token']).toBe(TOKEN);
    // undici writes Host from the URL: a second one in the headers would be a duplicate.
    expect(signed.headers.host).toBeUndefined();
    expect(parseAuthorization(signed.headers.authorization!)).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      date: '20250102',
      region: 'us-east-1',
      service: 'bedrock',
      signedHeaders: ['accept', 'content-type', 'host', 'x-amz-date', 'x-amz-security-token'],
      signature: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(spec.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/vnd.amazon.eventstream',
    });
  });

  it("signs the model id's ':' escaped twice in the canonical path, as AWS checks it", async () => {
    const signed = await sign(spec);
    const received = {
      method: 'POST',
      path: new URL(spec.url).pathname,
      headers: { ...signed.headers, host: 'bedrock-runtime.us-east-1.amazonaws.com' },
      body,
    };
    const signature = parseAuthorization(signed.headers.authorization!)!.signature;
    expect(signature).toBe(expectedSignature(received, SECRET));
    expect(signature).not.toBe(expectedSignature(received, SECRET, false));
  });

  it('signs every request anew, with the clock of the moment', async () => {
    let now = signingDate;
    const signAt = createSigV4Signer({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
      now: () => now,
    });
    const first = await signAt(spec);
    now = new Date('2025-01-03T00:00:00Z');
    const second = await signAt(spec);
    expect(first.headers['x-amz-security-token']).toBeUndefined();
    expect(second.headers['x-amz-date']).toBe('20250103T000000Z');
    expect(second.headers.authorization).toContain(
      'Credential=AKIDEXAMPLE/20250103/eu-west-1/bedrock/aws4_request',
    );
    expect(second.headers.authorization).not.toBe(first.headers.authorization);
  });
});
