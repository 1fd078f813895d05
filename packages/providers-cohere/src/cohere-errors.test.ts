import { describe, expect, it } from 'vitest';
import { classifyCohereHttpError } from './cohere-errors.js';

const classify = (status: number, body: string, headers: Record<string, string> = {}) =>
  classifyCohereHttpError(status, headers, body, 'cohere');

describe('classifyCohereHttpError', () => {
  it('reads the {"message"} body of every documented status and classifies it', () => {
    expect(classify(400, '{"id":"a","message":"invalid request: model is required"}')).toEqual({
      errorClass: 'client_error',
      message: 'HTTP 400: invalid request: model is required',
      persistent: true,
    });
    expect(classify(401, '{"message":"invalid api token"}')).toEqual({
      errorClass: 'auth',
      message: 'HTTP 401: invalid api token (check the API key and its permissions for cohere)',
      persistent: true,
    });
    expect(classify(402, '{"message":"Please add or update your payment method"}')).toEqual({
      errorClass: 'auth',
      message:
        'HTTP 402: Please add or update your payment method (the account of this key cannot be billed: add or update its payment method on the Cohere dashboard)',
      persistent: true,
    });
    expect(classify(404, '{"message":"model \'x\' not found"}')).toMatchObject({
      errorClass: 'client_error',
      persistent: true,
    });
    expect(classify(422, '{"message":"unprocessable"}')).toMatchObject({
      errorClass: 'client_error',
      persistent: true,
    });
    expect(
      classify(429, '{"message":"You are using a Trial key"}', { 'retry-after': '7' }),
    ).toEqual({
      errorClass: 'rate_limited',
      message: 'HTTP 429: You are using a Trial key; retry after 7 s',
    });
    expect(classify(498, '{"message":"invalid token"}')).toEqual({
      errorClass: 'auth',
      message: 'HTTP 498: invalid token (check the API key for cohere)',
      persistent: true,
    });
    expect(classify(499, '{"message":"request cancelled"}')).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 499: request cancelled (Cohere cancelled the request on its side)',
    });
    expect(classify(500, '{"message":"internal server error"}')).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 500: internal server error',
    });
    expect(classify(503, '<html>unavailable</html>')).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 503: <html>unavailable</html>',
    });
  });
});
