import { describe, expect, it } from 'vitest';
import { createGoogleProvider, createVertexProvider } from './gemini-provider.js';

const urlOf = (provider: ReturnType<typeof createGoogleProvider>, model: string, stream = false) =>
  provider.buildRequest({ model, prompt: 'x', stream }).url;

describe('createGoogleProvider', () => {
  it('builds model URLs below the version, with the key only in x-goog-api-key', () => {
    const google = createGoogleProvider({
      baseUrl: 'https://proxy.example/gemini/v1beta/',
      apiKey: 'AIza-k',
      headers: { 'X-Team': 'lens' },
    });
    expect(urlOf(google, 'gemini-2.5-flash', true)).toBe(
      'https://proxy.example/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
    expect(urlOf(google, 'models/gemini-2.5-flash')).toBe(
      'https://proxy.example/gemini/v1beta/models/gemini-2.5-flash:generateContent',
    );
    expect(urlOf(google, 'tunedModels/my-model')).toBe(
      'https://proxy.example/gemini/v1beta/tunedModels/my-model:generateContent',
    );
    expect(google.buildRequest({ model: 'm', prompt: 'x', stream: true }).headers).toEqual({
      'content-type': 'application/json',
      'x-goog-api-key': 'AIza-k',
      'x-team': 'lens',
    });
  });

  it('refuses a base URL that is not http(s) and a version that is not a path segment', () => {
    expect(() => createGoogleProvider({ baseUrl: 'ftp://x' })).toThrow(
      'baseUrl "ftp://x" is not an http(s) URL; expected e.g. https://generativelanguage.googleapis.com',
    );
    expect(() => createGoogleProvider({ apiVersion: '../v1' })).toThrow(/^apiVersion "\.\.\/v1"/);
  });
});

describe('createVertexProvider', () => {
  it('builds publisher model URLs below the project and location, regional or global', () => {
    const regional = createVertexProvider({ project: 'p-1', location: 'europe-west4' });
    expect(urlOf(regional, 'gemini-2.5-pro', true)).toBe(
      'https://europe-west4-aiplatform.googleapis.com/v1/projects/p-1/locations/europe-west4/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    );
    expect(urlOf(regional, 'models/gemini-2.5-pro')).toBe(
      'https://europe-west4-aiplatform.googleapis.com/v1/projects/p-1/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent',
    );
    expect(urlOf(regional, 'endpoints/1234')).toBe(
      'https://europe-west4-aiplatform.googleapis.com/v1/projects/p-1/locations/europe-west4/endpoints/1234:generateContent',
    );
    const global = createVertexProvider({
      project: 'p',
      location: 'global',
      apiVersion: 'v1beta1',
    });
    expect(urlOf(global, 'gemini-3-pro-preview')).toBe(
      'https://aiplatform.googleapis.com/v1beta1/projects/p/locations/global/publishers/google/models/gemini-3-pro-preview:generateContent',
    );
    expect(
      createVertexProvider({ project: 'p' }).buildRequest({
        model: 'm',
        prompt: 'x',
        stream: false,
      }).url,
    ).toMatch(
      /^https:\/\/us-central1-aiplatform\.googleapis\.com\/v1\/projects\/p\/locations\/us-central1\//,
    );
  });

  it('refuses a project or location that would change the URL', () => {
    expect(() => createVertexProvider({ project: 'p/../x' })).toThrow(
      /^project "p\/\.\.\/x" is not valid/,
    );
    expect(() => createVertexProvider({ project: 'p', location: 'evil.com/x' })).toThrow(
      /^location "evil\.com\/x" is not valid; expected e\.g\. us-central1 or global$/,
    );
  });
});
