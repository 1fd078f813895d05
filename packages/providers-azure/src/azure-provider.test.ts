import { LensProviderError } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import {
  AZURE_DEFAULT_API_VERSION,
  azureRequestUrl,
  createAzureProvider,
  normalizeAzureEndpoint,
} from './azure-provider.js';

const ENDPOINT = 'https://lens.openai.azure.com';
const KEY = 'azure-key-0f9e8d7c';

const bodyOf = (spec: { body?: string }): Record<string, unknown> =>
  JSON.parse(spec.body ?? 'null');

function configError(build: () => unknown): LensProviderError {
  let thrown: unknown;
  try {
    build();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(LensProviderError);
  expect((thrown as LensProviderError).code).toBe('LENS_PROVIDER_CONFIG');
  return thrown as LensProviderError;
}

describe('Azure endpoints and URLs', () => {
  it('reduces an endpoint to the resource root, whatever the portal gave', () => {
    for (const given of [
      ENDPOINT,
      `${ENDPOINT}/`,
      `${ENDPOINT}//`,
      `${ENDPOINT}/openai`,
      `${ENDPOINT}/openai/`,
      `${ENDPOINT}/openai/v1/`,
    ]) {
      expect(normalizeAzureEndpoint(given)).toBe(ENDPOINT);
    }
    expect(normalizeAzureEndpoint('http://127.0.0.1:8080/proxy/')).toBe(
      'http://127.0.0.1:8080/proxy',
    );
  });

  it('refuses an endpoint that is not an http(s) URL, or carries a query', () => {
    expect(configError(() => normalizeAzureEndpoint('lens.openai.azure.com')).message).toBe(
      'endpoint "lens.openai.azure.com" is not an http(s) URL; expected the resource endpoint, e.g. https://my-resource.openai.azure.com',
    );
    expect(
      configError(() => normalizeAzureEndpoint(`${ENDPOINT}/openai?api-version=2024-10-21`))
        .message,
    ).toBe(
      'endpoint "https://lens.openai.azure.com/openai" has a query or fragment; give only the resource endpoint (e.g. https://my-resource.openai.azure.com) and set api_version for the api-version parameter',
    );
  });

  it('builds deployment URLs with the api-version and the v1 URL without one', () => {
    expect(azureRequestUrl(ENDPOINT, 'deployments', 'gpt-4o prod', '2024-10-21')).toBe(
      `${ENDPOINT}/openai/deployments/gpt-4o%20prod/chat/completions?api-version=2024-10-21`,
    );
    expect(azureRequestUrl(ENDPOINT, 'v1', 'ignored', undefined)).toBe(
      `${ENDPOINT}/openai/v1/chat/completions`,
    );
    expect(azureRequestUrl(ENDPOINT, 'v1', 'ignored', 'preview')).toBe(
      `${ENDPOINT}/openai/v1/chat/completions?api-version=preview`,
    );
  });
});

describe('createAzureProvider requests', () => {
  it('sends a deployment request with the GA api-version, the api-key header and max_completion_tokens', () => {
    const provider = createAzureProvider({
      endpoint: ENDPOINT,
      credential: { kind: 'api-key', apiKey: KEY },
    });
    expect(provider.id).toBe('azure');
    expect(provider.name).toBe('azure');
    expect(AZURE_DEFAULT_API_VERSION).toBe('2024-10-21');
    const spec = provider.buildRequest({
      model: 'gpt-4o-mini',
      prompt: 'Say hi',
      stream: true,
      maxTokens: 32,
    });
    expect(spec.url).toBe(
      `${ENDPOINT}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`,
    );
    expect(spec.headers).toEqual({
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'api-key': KEY,
    });
    expect(bodyOf(spec)).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hi' }],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 32,
    });
  });

  it('maps a model to its deployment, in the path and in the body', () => {
    const provider = createAzureProvider({
      endpoint: ENDPOINT,
      apiVersion: '2025-04-01-preview',
      deployments: { 'gpt-4o': 'prod-4o' },
      maxTokensField: 'max_tokens',
    });
    const mapped = provider.buildRequest({
      model: 'gpt-4o',
      prompt: 'x',
      stream: false,
      maxTokens: 5,
    });
    expect(mapped.url).toBe(
      `${ENDPOINT}/openai/deployments/prod-4o/chat/completions?api-version=2025-04-01-preview`,
    );
    expect(bodyOf(mapped)).toMatchObject({ model: 'prod-4o', max_tokens: 5, stream: false });
    expect(mapped.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
    });
    // A model that is not listed is its own deployment; inherited keys are never names.
    const unmapped = provider.buildRequest({ model: 'o3-mini', prompt: 'x', stream: true });
    expect(unmapped.url).toContain('/openai/deployments/o3-mini/chat/completions?');
    expect(
      provider.buildRequest({ model: 'constructor', prompt: 'x', stream: true }).url,
    ).toContain('/deployments/constructor/');
  });

  it('sends the v1 request to one URL with the deployment as the model and a bearer token', () => {
    const provider = createAzureProvider({
      name: 'azure-v1',
      endpoint: `${ENDPOINT}/openai/v1`,
      api: 'v1',
      deployments: { 'gpt-4.1': 'team-gpt41' },
      credential: { kind: 'access-token', accessToken: 'entra-token-abc' },
    });
    const spec = provider.buildRequest({ model: 'gpt-4.1', prompt: 'x', stream: true });
    expect(spec.url).toBe(`${ENDPOINT}/openai/v1/chat/completions`);
    expect(spec.headers.authorization).toBe('Bearer entra-token-abc');
    expect(spec.headers['api-key']).toBeUndefined();
    expect(bodyOf(spec).model).toBe('team-gpt41');
  });

  it('sends no credential header when an interceptor adds the token', () => {
    const provider = createAzureProvider({
      endpoint: ENDPOINT,
      credential: { kind: 'access-token' },
    });
    const spec = provider.buildRequest({ model: 'm', prompt: 'x', stream: true });
    expect(spec.headers).toEqual({
      'content-type': 'application/json',
      accept: 'text/event-stream',
    });
  });

  it('refuses an unknown URL style', () => {
    expect(
      configError(() =>
        createAzureProvider({ endpoint: ENDPOINT, api: 'deployment' as unknown as 'v1' }),
      ).message,
    ).toBe('unknown api "deployment" for azure; expected "deployments" or "v1"');
  });
});

describe('createAzureProvider error classification', () => {
  const keyed = createAzureProvider({
    name: 'prod',
    endpoint: ENDPOINT,
    credential: { kind: 'api-key', apiKey: KEY },
  });
  const entra = createAzureProvider({
    name: 'prod',
    endpoint: ENDPOINT,
    credential: { kind: 'access-token' },
  });
  const azure429 =
    '{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation have exceeded the token rate limit of your pricing tier. Please retry after 2 seconds."}}';

  it('honours retry-after-ms before retry-after on a 429', () => {
    expect(
      keyed.classifyHttpError(429, { 'retry-after': '2', 'retry-after-ms': '1500' }, azure429),
    ).toEqual({
      errorClass: 'rate_limited',
      message:
        'HTTP 429: Requests to the ChatCompletions_Create Operation have exceeded the token rate limit of your pricing tier. Please retry after 2 seconds.; retry after 1.5 s',
    });
    expect(keyed.classifyHttpError(429, { 'retry-after': '2' }, azure429).message).toMatch(
      /; retry after 2 s$/,
    );
  });

  it('classifies 401 as a persistent auth error, with the Entra ID checks when a token is used', () => {
    const body =
      '{"error":{"code":"401","message":"Access denied due to invalid subscription key."}}';
    expect(keyed.classifyHttpError(401, {}, body)).toEqual({
      errorClass: 'auth',
      message:
        'HTTP 401: Access denied due to invalid subscription key. (check the API key and its permissions for prod)',
      persistent: true,
    });
    expect(entra.classifyHttpError(401, {}, body)).toEqual({
      errorClass: 'auth',
      message:
        'HTTP 401: Access denied due to invalid subscription key. (check the API key and its permissions for prod); an Entra ID token must be issued for https://cognitiveservices.azure.com and its identity needs a role such as Cognitive Services OpenAI User on the resource',
      persistent: true,
    });
    expect(entra.classifyHttpError(500, {}, '{}').errorClass).toBe('server_error');
  });

  it('classifies 404 DeploymentNotFound as a persistent client error', () => {
    expect(
      keyed.classifyHttpError(
        404,
        {},
        '{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}',
      ),
    ).toEqual({
      errorClass: 'client_error',
      message: 'HTTP 404: The API deployment for this resource does not exist.',
      persistent: true,
    });
  });

  it('classifies in-stream errors by their code, Azure’s string "429" included', () => {
    expect(keyed.classifyStreamError({ message: 'slow down', code: '429' }).errorClass).toBe(
      'rate_limited',
    );
    expect(keyed.classifyStreamError({ message: 'boom', type: 'server_error' }).errorClass).toBe(
      'server_error',
    );
  });
});
