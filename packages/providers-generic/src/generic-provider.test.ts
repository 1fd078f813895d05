// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ${VAR} references under test, not template mistakes
import { LensProviderError, type ProviderSettings } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { genericProviderFactory } from './generic-factory.js';
import { createGenericProvider, endpointOf } from './generic-provider.js';
import { type GenericSettings, genericSettingsSchema } from './generic-settings.js';
import { classifyGenericStreamError } from './stream-error.js';

const settings: GenericSettings = {
  url: 'https://api.example.test/v2/models/{{model}}:stream?alt=sse',
  method: 'POST',
  body: { input: '{{prompt}}', max_new_tokens: '{{max_tokens}}', stream: '{{stream}}' },
  framing: 'sse',
  selectors: { text: '$.token.text', error: '$.fault.reason' },
  usage_convention: 'output_includes_reasoning',
};

describe('createGenericProvider', () => {
  it('builds the request from the URL, headers and body templates', () => {
    const provider = createGenericProvider({
      name: 'acme',
      settings,
      headers: { 'x-team': 'r&d', Accept: 'text/event-stream; charset=utf-8' },
    });
    expect(
      provider.buildRequest({ model: 'org/model:v1', prompt: 'Hi', stream: true, maxTokens: 5 }),
    ).toEqual({
      url: 'https://api.example.test/v2/models/org%2Fmodel%3Av1:stream?alt=sse',
      method: 'POST',
      headers: {
        accept: 'text/event-stream; charset=utf-8',
        'content-type': 'application/json',
        'x-team': 'r&d',
      },
      body: '{"input":"Hi","max_new_tokens":5,"stream":true}',
    });
  });

  it('sends GET without a body, with the accept header of its framing', () => {
    const { body: _body, ...withoutBody } = settings;
    const provider = createGenericProvider({
      settings: { ...withoutBody, method: 'GET', framing: 'ndjson' },
    });
    expect(provider.buildRequest({ model: 'm', prompt: 'p', stream: true })).toEqual({
      url: 'https://api.example.test/v2/models/m:stream?alt=sse',
      method: 'GET',
      headers: { accept: 'application/x-ndjson' },
    });
    expect(() =>
      provider.buildRequest({ model: 'm', prompt: 'p', stream: true, extraBody: { a: 1 } }),
    ).toThrow('extra body fields (options) cannot be sent with method GET, which has no body');
  });

  it('refuses bad templates and selectors given in code with LENS_PROVIDER_CONFIG', () => {
    const attempt = (changed: Partial<GenericSettings>) => () =>
      createGenericProvider({ settings: { ...settings, ...changed } as GenericSettings });
    expect(attempt({ url: 'https://h/{{prompt}}' })).toThrow(
      'url: only {{model}} may be used in the URL, not {{prompt}}',
    );
    expect(attempt({ body: { a: '{{modle}}' } })).toThrow(
      'body.a: unknown template variable {{modle}} (did you mean {{model}}?)',
    );
    expect(attempt({ selectors: { text: '$.a[?(@.b)]' } })).toThrow(
      /^selectors: filter and script expressions/,
    );
    try {
      attempt({ url: 'mailto:x@{{model}}' })();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LensProviderError);
      expect((error as LensProviderError).code).toBe('LENS_PROVIDER_CONFIG');
    }
  });

  it('classifies HTTP errors with the message the error selector finds in the body', () => {
    const provider = createGenericProvider({ name: 'acme', settings });
    expect(
      provider.classifyHttpError(
        429,
        { 'retry-after': '7' },
        '{"fault":{"reason":"quota exhausted for today"}}',
      ),
    ).toEqual({
      errorClass: 'rate_limited',
      message: 'HTTP 429: quota exhausted for today; retry after 7 s',
    });
    // Not JSON, or nothing where the selector points: the usual shapes, else the raw text.
    expect(provider.classifyHttpError(502, {}, '<html>Bad gateway</html>')).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 502: <html>Bad gateway</html>',
    });
    expect(provider.classifyHttpError(400, {}, '{"error":{"message":"no such model"}}')).toEqual({
      errorClass: 'client_error',
      message: 'HTTP 400: no such model',
      persistent: true,
    });
  });

  it('never lets a secret through an error message', () => {
    const provider = createGenericProvider({
      settings,
      secrets: ['Bearer sk-live-0123456789', 'sk-live-0123456789'],
    });
    const http = provider.classifyHttpError(
      401,
      {},
      '{"fault":{"reason":"key sk-live-0123456789 was revoked"}}',
    );
    expect(http.message).toBe(
      'HTTP 401: key [redacted] was revoked (check the API key and its permissions for generic)',
    );
    const stream = provider.classifyStreamError({
      message: 'bad header Bearer sk-live-0123456789',
    });
    expect(stream.message).toBe('error in stream: bad header [redacted]');
  });
});

describe('classifyGenericStreamError', () => {
  it.each([
    [{ message: 'm', code: 429 }, 'rate_limited'],
    [{ message: 'm', type: 'RateLimitError' }, 'rate_limited'],
    [{ message: 'm', code: 'insufficient_quota' }, 'rate_limited'],
    [{ message: 'm', code: '401' }, 'auth'],
    [{ message: 'm', type: 'invalid_api_key' }, 'auth'],
    [{ message: 'm', code: 422 }, 'client_error'],
    [{ message: 'm', type: 'context_length_exceeded' }, 'client_error'],
    [{ message: 'm', type: 'overloaded' }, 'server_error'],
    [{ message: 'm' }, 'server_error'],
  ] as const)('classifies %j as %s', (error, errorClass) => {
    expect(classifyGenericStreamError(error).errorClass).toBe(errorClass);
  });
});

describe('endpointOf', () => {
  it('prints the URL without its query string and user info', () => {
    expect(endpointOf('https://user:pw@api.example.test/v1/{{model}}?key=abc#x')).toBe(
      'https://api.example.test/v1/{{model}}',
    );
  });
});

describe('genericProviderFactory', () => {
  const entry = (extra: Record<string, unknown>): ProviderSettings => ({
    name: 'acme',
    type: 'generic',
    models: ['m'],
    ...genericSettingsSchema.parse({ ...settings, ...extra }),
  });

  it('builds the adapter with its headers and lists every credential as a secret', async () => {
    const instance = await genericProviderFactory.create(
      {
        ...entry({ secret_headers: { Authorization: 'Bearer sk-live-0123456789' } }),
        headers: { 'X-Key': '${ACME_KEY}' },
      },
      { env: { ACME_KEY: 'acme-key-98765', OTHER: 'sk-live-0123456789' }, baseDir: '/' },
    );
    expect(instance.endpoint).toBe('https://api.example.test/v2/models/{{model}}:stream');
    expect(instance.secrets).toEqual([
      'Bearer sk-live-0123456789',
      'sk-live-0123456789',
      'acme-key-98765',
    ]);
    const request = instance.provider.buildRequest({ model: 'm', prompt: 'p', stream: true });
    expect(request.headers.authorization).toBe('Bearer sk-live-0123456789');
    expect(request.headers['x-key']).toBe('acme-key-98765');
  });

  it('names the variables headers read, so validate can warn before a run', () => {
    const withReferences = {
      ...entry({ secret_headers: { Authorization: 'Bearer ${ACME_KEY}' } }),
      headers: { 'X-Org': '${ACME_ORG}' },
    };
    expect(genericProviderFactory.credentials(withReferences, { baseDir: '/' })).toEqual([
      { env: 'ACME_ORG', what: 'header X-Org' },
      { env: 'ACME_KEY', what: 'header Authorization' },
    ]);
  });

  it('refuses options (extra body fields) with method GET', async () => {
    const getEntry = {
      ...entry({ method: 'GET', body: undefined }),
      options: { top_k: 1 },
    };
    await expect(
      genericProviderFactory.create(getEntry, { env: {}, baseDir: '/' }),
    ).rejects.toThrow(
      'provider "acme": options (extra body fields) cannot be sent with method GET, which has no body',
    );
  });
});
