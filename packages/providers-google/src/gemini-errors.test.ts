import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyGeminiHttpError, classifyGeminiStreamError } from './gemini-errors.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), 'utf8');

const label = { providerLabel: 'gemini' };

describe('classifyGeminiHttpError', () => {
  it("classifies the Gemini API's 400 API_KEY_INVALID as auth, persistent", () => {
    expect(
      classifyGeminiHttpError(400, {}, fixture('error-400-api-key-invalid.json'), label),
    ).toEqual({
      errorClass: 'auth',
      message:
        'HTTP 400 INVALID_ARGUMENT: API key not valid. Please pass a valid API key. (check the API key for gemini)',
      persistent: true,
    });
  });

  it('takes the wait from RetryInfo when no Retry-After header gives one', () => {
    const body = fixture('error-429-resource-exhausted.json');
    expect(classifyGeminiHttpError(429, {}, body, label)).toEqual({
      errorClass: 'rate_limited',
      message:
        'HTTP 429 RESOURCE_EXHAUSTED: You exceeded your current quota, please check your plan and billing details.; retry after 37 s',
    });
    // A header, when sent, wins.
    expect(classifyGeminiHttpError(429, { 'retry-after': '2' }, body, label).message).toMatch(
      /retry after 2 s$/,
    );
  });

  it('names the status of other errors and keeps the usual classes', () => {
    const body = (code: number, status: string) =>
      JSON.stringify({ error: { code, message: 'why', status } });
    expect(classifyGeminiHttpError(503, {}, body(503, 'UNAVAILABLE'), label)).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 503 UNAVAILABLE: why',
    });
    expect(classifyGeminiHttpError(404, {}, body(404, 'NOT_FOUND'), label)).toMatchObject({
      errorClass: 'client_error',
      persistent: true,
    });
    expect(classifyGeminiHttpError(403, {}, body(403, 'PERMISSION_DENIED'), label)).toMatchObject({
      errorClass: 'auth',
      persistent: true,
    });
    expect(classifyGeminiHttpError(502, {}, '<html>Bad Gateway</html>', label)).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 502: <html>Bad Gateway</html>',
    });
  });

  it('does not call a 401 persistent when the token is refreshed after one', () => {
    const body = JSON.stringify({
      error: {
        code: 401,
        message: 'Request had invalid authentication credentials.',
        status: 'UNAUTHENTICATED',
      },
    });
    expect(classifyGeminiHttpError(401, {}, body, label).persistent).toBe(true);
    const refreshed = classifyGeminiHttpError(401, {}, body, { ...label, refreshesOn401: true });
    expect(refreshed.errorClass).toBe('auth');
    expect(refreshed.persistent).toBeUndefined();
    expect(refreshed.message).toMatch(/the next request runs access_token_command again$/);
  });
});

describe('classifyGeminiStreamError', () => {
  it('classifies by the status name, else by the code', () => {
    const classOf = (type: string | undefined, code?: number) =>
      classifyGeminiStreamError({
        message: 'm',
        ...(type === undefined ? {} : { type }),
        ...(code === undefined ? {} : { code }),
      }).errorClass;
    expect(classOf('RESOURCE_EXHAUSTED', 429)).toBe('rate_limited');
    expect(classOf('UNAUTHENTICATED')).toBe('auth');
    expect(classOf('PERMISSION_DENIED')).toBe('auth');
    expect(classOf('INVALID_ARGUMENT')).toBe('client_error');
    expect(classOf('DEADLINE_EXCEEDED')).toBe('timeout_total');
    expect(classOf('INTERNAL', 500)).toBe('server_error');
    expect(classOf('SOMETHING_NEW', 429)).toBe('rate_limited');
    expect(classOf(undefined, 400)).toBe('client_error');
    expect(classOf(undefined)).toBe('server_error');
    expect(classifyGeminiStreamError({ message: 'm', type: 'INTERNAL', code: 500 }).message).toBe(
      'error in stream: m (INTERNAL, code 500)',
    );
  });
});

describe('a status named after an Object member', () => {
  it('is classified by its code, not by Object.prototype', () => {
    for (const type of ['constructor', '__proto__', 'toString']) {
      expect(classifyGeminiStreamError({ message: 'x', type, code: 503 }).errorClass).toBe(
        'server_error',
      );
    }
  });
});
