import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  apiKeySource,
  missingCredentials,
  type ProviderSettings,
  readApiKey,
} from './provider-factory.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settings = (extra: Record<string, unknown> = {}): ProviderSettings => ({
  name: 'p',
  type: 'openai',
  models: ['m'],
  ...extra,
});

describe('API keys', () => {
  it('reads api_key_file relative to the config directory, api_key_env, then the default variable', () => {
    writeFileSync(join(dir, 'key.txt'), '  sk-from-file\n');
    const context = { env: { MY_KEY: 'sk-from-env', OPENAI_API_KEY: 'sk-default' }, baseDir: dir };
    expect(readApiKey(settings({ api_key_file: './key.txt' }), context, 'OPENAI_API_KEY')).toBe(
      'sk-from-file',
    );
    expect(readApiKey(settings({ api_key_env: 'MY_KEY' }), context, 'OPENAI_API_KEY')).toBe(
      'sk-from-env',
    );
    expect(readApiKey(settings(), context, 'OPENAI_API_KEY')).toBe('sk-default');
    expect(readApiKey(settings(), context, undefined)).toBeUndefined();
    expect(
      apiKeySource(settings({ api_key_file: 'key.txt' }), { baseDir: dir }, undefined),
    ).toEqual({
      file: join(dir, 'key.txt'),
      what: 'the API key',
    });
  });

  it('names the variable or file that is missing, never a key', () => {
    const context = { env: { EMPTY: ' ' }, baseDir: dir };
    expect(() => readApiKey(settings({ api_key_env: 'EMPTY' }), context, undefined)).toThrow(
      /provider "p" needs an API key: set the environment variable EMPTY/,
    );
    expect(() => readApiKey(settings({ api_key_file: 'nope.txt' }), context, undefined)).toThrow(
      `provider "p": cannot read api_key_file ${join(dir, 'nope.txt')} (ENOENT)`,
    );
    writeFileSync(join(dir, 'empty.txt'), '\n');
    expect(() => readApiKey(settings({ api_key_file: 'empty.txt' }), context, undefined)).toThrow(
      /is empty/,
    );
  });

  it('lists credentials that are not set, for validate to warn about', () => {
    const sources = [
      { env: 'SET', what: 'the API key' },
      { env: 'UNSET', what: 'the API key' },
      { file: '/nonexistent/key', what: 'the token' },
    ];
    expect(missingCredentials(sources, { SET: 'x' }, () => false)).toEqual([
      'the API key is read from the environment variable UNSET, which is not set',
      'the token is read from /nonexistent/key, which cannot be read',
    ]);
  });
});
