import { describe, expect, it } from 'vitest';
import {
  baseUrlFromOllamaHost,
  normalizeOllamaBaseUrl,
  resolveOllamaBaseUrl,
} from './ollama-base-url.js';

describe('baseUrlFromOllamaHost', () => {
  it.each([
    ['127.0.0.1:11434', 'http://127.0.0.1:11434'],
    ['ollama.internal', 'http://ollama.internal:11434'],
    ['ollama.internal:8080', 'http://ollama.internal:8080'],
    [':9999', 'http://127.0.0.1:9999'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['0.0.0.0:11500', 'http://127.0.0.1:11500'],
    ['::1', 'http://[::1]:11434'],
    ['[::1]:8080', 'http://[::1]:8080'],
    ['[::]', 'http://[::1]:11434'],
    ['http://gpu-box', 'http://gpu-box'],
    ['http://gpu-box:11434/', 'http://gpu-box:11434'],
    ['https://ollama.example.com', 'https://ollama.example.com'],
    ['HTTPS://ollama.example.com:8443/ollama', 'https://ollama.example.com:8443/ollama'],
    ['  "127.0.0.1:11434"  ', 'http://127.0.0.1:11434'],
  ])('reads %j as %s, as Ollama does', (value, expected) => {
    expect(baseUrlFromOllamaHost(value)).toBe(expected);
  });

  it('treats an empty value as unset', () => {
    expect(baseUrlFromOllamaHost('')).toBeUndefined();
    expect(baseUrlFromOllamaHost(' "" ')).toBeUndefined();
  });

  it('refuses other schemes, bad ports and credentials, naming OLLAMA_HOST but never the password', () => {
    expect(() => baseUrlFromOllamaHost('ftp://box')).toThrow(
      /^OLLAMA_HOST="ftp:\/\/box" has the scheme "ftp", which is not http or https; expected host, host:port or a URL/,
    );
    expect(() => baseUrlFromOllamaHost('box:99999')).toThrow(/has the port "99999"/);
    expect(() => baseUrlFromOllamaHost('box:http')).toThrow(/has the port "http"/);
    let message = '';
    try {
      baseUrlFromOllamaHost('https://user:s3cret-pw@box');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('holds credentials');
    expect(message).toContain('https://…@box');
    expect(message).not.toContain('s3cret-pw');
  });
});

describe('normalizeOllamaBaseUrl', () => {
  it('keeps the server root, dropping a trailing slash, /api, /api/chat or /v1', () => {
    for (const url of [
      'http://box:11434',
      'http://box:11434/',
      'http://box:11434/api',
      'http://box:11434/api/chat',
      'http://box:11434/v1/',
    ]) {
      expect(normalizeOllamaBaseUrl(url)).toBe('http://box:11434');
    }
    expect(normalizeOllamaBaseUrl('https://proxy.example.com/ollama/')).toBe(
      'https://proxy.example.com/ollama',
    );
  });

  it('refuses non-http URLs and URLs holding credentials', () => {
    expect(() => normalizeOllamaBaseUrl('unix:///run/ollama.sock')).toThrow(
      /is not an http\(s\) URL/,
    );
    expect(() => normalizeOllamaBaseUrl('http://u:pw-9876@box')).toThrow(
      /^baseUrl "http:\/\/…@box" holds credentials/,
    );
  });
});

describe('resolveOllamaBaseUrl', () => {
  it('prefers base_url, then OLLAMA_HOST, then 127.0.0.1:11434', () => {
    expect(resolveOllamaBaseUrl('http://a:1', { OLLAMA_HOST: 'b:2' })).toBe('http://a:1');
    expect(resolveOllamaBaseUrl(undefined, { OLLAMA_HOST: 'b:2' })).toBe('http://b:2');
    expect(resolveOllamaBaseUrl(undefined, { OLLAMA_HOST: '' })).toBe('http://127.0.0.1:11434');
    expect(resolveOllamaBaseUrl(undefined, {})).toBe('http://127.0.0.1:11434');
  });
});
