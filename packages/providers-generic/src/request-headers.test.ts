// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ${VAR} references under test, not template mistakes
import { LensProviderError } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { headerReferences, redactSecrets, resolveHeaders } from './request-headers.js';

const env = { MY_API_KEY: 'sk-live-0123456789', TEAM: 'research', SHORT: 'abc' };

describe('resolveHeaders', () => {
  it('expands ${NAME} left in a value, and every expanded value is a secret', () => {
    expect(resolveHeaders({ 'X-Team': '${TEAM}' }, { 'X-Key': '${MY_API_KEY}' }, env, 'p')).toEqual(
      {
        headers: { 'x-team': 'research', 'x-key': 'sk-live-0123456789' },
        secrets: ['sk-live-0123456789', 'research'],
      },
    );
  });

  it('treats a secret header value as a secret whole, and the environment value inside it', () => {
    // What the config loader hands over after substituting "Bearer ${MY_API_KEY}".
    const resolved = resolveHeaders(
      { Accept: 'text/event-stream' },
      { Authorization: 'Bearer sk-live-0123456789' },
      env,
      'p',
    );
    expect(resolved.headers).toEqual({
      accept: 'text/event-stream',
      authorization: 'Bearer sk-live-0123456789',
    });
    expect(resolved.secrets).toEqual(['Bearer sk-live-0123456789', 'sk-live-0123456789']);
  });

  it('lets a secret header replace a plain one of the same name', () => {
    expect(
      resolveHeaders({ 'x-key': 'a' }, { 'X-Key': 'b-secret-value' }, {}, 'p').headers,
    ).toEqual({
      'x-key': 'b-secret-value',
    });
  });

  it('fails naming the header and the variable, never a value, when the variable is unset', () => {
    const attempt = () =>
      resolveHeaders(undefined, { Authorization: 'Bearer ${NIMBUS_KEY}' }, env, 'nimbus');
    expect(attempt).toThrow(LensProviderError);
    expect(attempt).toThrow(
      'provider "nimbus": header Authorization reads the environment variable NIMBUS_KEY, which is not set; export it before the run',
    );
  });

  it('lists the references left in values, for credential checks', () => {
    expect(headerReferences({ A: 'Bearer ${ONE}', B: '${TWO}-${THREE}', C: 'plain' })).toEqual([
      { header: 'A', variable: 'ONE' },
      { header: 'B', variable: 'TWO' },
      { header: 'B', variable: 'THREE' },
    ]);
  });
});

describe('redactSecrets', () => {
  it('replaces the longest secrets first', () => {
    const secrets = ['Bearer sk-live-0123456789', 'sk-live-0123456789'];
    expect(redactSecrets('got "Bearer sk-live-0123456789" then sk-live-0123456789', secrets)).toBe(
      'got "[redacted]" then [redacted]',
    );
  });
});
