import { describe, expect, it } from 'vitest';
import { classifyOpenAIStreamError } from './stream-error.js';

describe('classifyOpenAIStreamError', () => {
  it('classifies rate-limit codes and 429 as rate_limited', () => {
    expect(
      classifyOpenAIStreamError({
        message: 'Rate limit reached',
        type: 'requests',
        code: 'rate_limit_exceeded',
      }),
    ).toEqual({
      errorClass: 'rate_limited',
      message: 'error in stream: Rate limit reached (type requests, code rate_limit_exceeded)',
    });
    expect(classifyOpenAIStreamError({ message: 'slow down', code: 429 }).errorClass).toBe(
      'rate_limited',
    );
  });

  it('classifies server_error and overloaded as server_error', () => {
    expect(classifyOpenAIStreamError({ message: 'oops', type: 'server_error' })).toEqual({
      errorClass: 'server_error',
      message: 'error in stream: oops (type server_error)',
    });
    expect(
      classifyOpenAIStreamError({ message: 'busy', type: 'overloaded_error' }).errorClass,
    ).toBe('server_error');
    expect(classifyOpenAIStreamError({ message: 'x', code: '503' }).errorClass).toBe(
      'server_error',
    );
  });

  it('classifies auth types and 401 as auth, invalid requests and other 4xx as client_error', () => {
    expect(
      classifyOpenAIStreamError({ message: 'x', type: 'authentication_error' }).errorClass,
    ).toBe('auth');
    expect(classifyOpenAIStreamError({ message: 'x', code: 401 }).errorClass).toBe('auth');
    expect(
      classifyOpenAIStreamError({ message: 'too long', type: 'BadRequestError', code: 400 })
        .errorClass,
    ).toBe('client_error');
    expect(
      classifyOpenAIStreamError({ message: 'x', type: 'invalid_request_error' }).errorClass,
    ).toBe('client_error');
  });

  it('counts an unknown error type as server_error, not protocol', () => {
    expect(classifyOpenAIStreamError({ message: 'strange' })).toEqual({
      errorClass: 'server_error',
      message: 'error in stream: strange',
    });
  });
});
