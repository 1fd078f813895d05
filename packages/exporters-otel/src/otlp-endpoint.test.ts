import { describe, expect, it } from 'vitest';
import { otlpEndpoint } from './otlp-endpoint.js';

describe('otlpEndpoint', () => {
  it('appends the signal paths to the base URL, keeping a base path', () => {
    expect(otlpEndpoint('http://localhost:4318')).toEqual({
      tracesUrl: 'http://localhost:4318/v1/traces',
      metricsUrl: 'http://localhost:4318/v1/metrics',
      display: 'http://localhost:4318',
    });
    expect(otlpEndpoint('https://gateway.example/otlp/').tracesUrl).toBe(
      'https://gateway.example/otlp/v1/traces',
    );
  });

  it('keeps user info and query in the URLs it calls but not in the one it prints', () => {
    const endpoint = otlpEndpoint('https://u:p@collector.example:4318/?token=t');
    expect(endpoint.metricsUrl).toBe('https://u:p@collector.example:4318/v1/metrics?token=t');
    expect(endpoint.display).toBe('https://collector.example:4318');
  });

  it('refuses what is not an http(s) URL without quoting credentials', () => {
    expect(() => otlpEndpoint('localhost:4318')).toThrow(/got localhost:/);
    expect(() => otlpEndpoint('not a url')).toThrow(/got text that is no URL/);
    expect(() => otlpEndpoint('grpc://u:secret@h:4317')).toThrow(/got grpc:\/\/h:4317$/);
  });
});
