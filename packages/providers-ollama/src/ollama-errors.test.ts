import { describe, expect, it } from 'vitest';
import { classifyOllamaHttpError, classifyOllamaStreamError } from './ollama-errors.js';

describe('classifyOllamaHttpError', () => {
  it('names the model to pull on a 404 model-not-found, in either quoting', () => {
    expect(
      classifyOllamaHttpError(
        404,
        {},
        '{"error":"model \\"llama3.2\\" not found, try pulling it first"}',
        'ollama',
      ),
    ).toEqual({
      errorClass: 'client_error',
      message:
        'HTTP 404: model "llama3.2" not found, try pulling it first (pull it with `ollama pull llama3.2`)',
      persistent: true,
    });
    expect(
      classifyOllamaHttpError(404, {}, `{"error":"model 'qwen3:0.6b' not found"}`, 'ollama')
        .message,
    ).toBe("HTTP 404: model 'qwen3:0.6b' not found (pull it with `ollama pull qwen3:0.6b`)");
  });

  it('says the address serves no Ollama API on a plain 404 page', () => {
    const { message } = classifyOllamaHttpError(404, {}, '404 page not found', 'ollama');
    expect(message).toBe(
      'HTTP 404: 404 page not found (no Ollama API at this address: base_url or OLLAMA_HOST must be the server root, e.g. http://127.0.0.1:11434)',
    );
  });

  it('classifies 400, 401, 429 with Retry-After and 500 from {"error"} bodies', () => {
    expect(classifyOllamaHttpError(400, {}, '{"error":"invalid options"}', 'ollama')).toEqual({
      errorClass: 'client_error',
      message: 'HTTP 400: invalid options',
      persistent: true,
    });
    expect(classifyOllamaHttpError(401, {}, '{"error":"unauthorized"}', 'local').errorClass).toBe(
      'auth',
    );
    expect(
      classifyOllamaHttpError(429, { 'retry-after': '2' }, '{"error":"too many requests"}', 'o'),
    ).toEqual({
      errorClass: 'rate_limited',
      message: 'HTTP 429: too many requests; retry after 2 s',
    });
    expect(classifyOllamaHttpError(500, {}, '{"error":"llama runner crashed"}', 'o')).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 500: llama runner crashed',
    });
  });
});

describe('classifyOllamaStreamError', () => {
  it('classifies an error line as server_error', () => {
    expect(classifyOllamaStreamError({ message: 'runner terminated' })).toEqual({
      errorClass: 'server_error',
      message: 'error in stream: runner terminated',
    });
  });
});
