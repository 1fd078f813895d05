// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ${VAR} references under test, not template mistakes
import { describe, expect, it } from 'vitest';
import { substituteEnv } from './env-substitution.js';

describe('substituteEnv', () => {
  const env = { HOST: 'gpu-1', PORT: '8000', EMPTY: '' };

  it('replaces ${VAR} inside any string value, at any depth', () => {
    const result = substituteEnv(
      { url: 'http://${HOST}:${PORT}/v1', list: ['${HOST}', 3, true, null] },
      env,
    );
    expect(result.value).toEqual({ url: 'http://gpu-1:8000/v1', list: ['gpu-1', 3, true, null] });
    expect(result.missing).toEqual([]);
  });

  it('uses the :- default when the variable is unset or empty, like a POSIX shell', () => {
    const result = substituteEnv(
      ['${NOPE:-fallback}', '${EMPTY:-fallback}', '${HOST:-fallback}', '${NOPE:-}'],
      env,
    );
    expect(result.value).toEqual(['fallback', 'fallback', 'gpu-1', '']);
  });

  it('keeps a set-but-empty variable empty without a default', () => {
    expect(substituteEnv('[${EMPTY}]', env).value).toBe('[]');
  });

  it('turns $${ into a literal ${ and leaves a lone $ alone', () => {
    const result = substituteEnv('costs $5, template $${HOST} and ${HOST}', env);
    expect(result.value).toBe('costs $5, template ${HOST} and gpu-1');
  });

  it('never touches keys', () => {
    expect(substituteEnv({ '${HOST}': 'x' }, env).value).toEqual({ '${HOST}': 'x' });
  });

  it('reports every missing variable with the path of the field that used it', () => {
    const result = substituteEnv(
      { providers: [{ base_url: '${A_URL}', headers: { 'x-team': '${TEAM}' } }] },
      env,
    );
    expect(result.missing).toEqual([
      { variable: 'A_URL', path: ['providers', 0, 'base_url'] },
      { variable: 'TEAM', path: ['providers', 0, 'headers', 'x-team'] },
    ]);
  });

  it('reports unclosed and invalid references instead of guessing', () => {
    const result = substituteEnv({ a: 'x ${HOST', b: '${1ABC}', c: '${}' }, env);
    expect(result.malformed).toEqual([
      { reference: '${HOST', path: ['a'] },
      { reference: '${1ABC}', path: ['b'] },
      { reference: '${}', path: ['c'] },
    ]);
  });
});

describe('substituteEnv on hostile input', () => {
  it('keeps a "__proto__" key from JSON as an own key instead of a prototype', () => {
    const raw = JSON.parse('{"__proto__": {"concurrency": 5}, "a": "${HOST}"}');
    const { value } = substituteEnv(raw, { HOST: 'h' }) as { value: Record<string, unknown> };
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect((value as { concurrency?: number }).concurrency).toBeUndefined();
  });
});
