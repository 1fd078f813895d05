// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ${VAR} references under test, not template mistakes
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  applyOverrides,
  configHash,
  type LensConfig,
  LensConfigError,
  loadConfigFile,
  parseConfig,
} from '../src/index.js';
import { extensions } from './extensions.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
/** A fixture path as a user would type it: relative to the working directory. */
const fixture = (name: string) => relative(process.cwd(), join(fixtures, name));
const env = { LENS_TEST_USER: 'Ada' };

async function loadFailure(
  name: string,
  options: { env: NodeJS.ProcessEnv } = { env },
): Promise<LensConfigError> {
  try {
    await loadConfigFile(fixture(name), { ...options, extensions });
  } catch (error) {
    if (error instanceof LensConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${name} to fail`);
}

describe('loadConfigFile', () => {
  it('loads the same config from YAML, .yml, JSON and TOML', async () => {
    const [yaml, yml, json, toml] = await Promise.all(
      ['full.yaml', 'full.yml', 'full.json', 'full.toml'].map((name) =>
        loadConfigFile(fixture(name), { env, extensions }),
      ),
    );
    expect(yml).toEqual(yaml);
    expect(json).toEqual(yaml);
    expect(toml).toEqual(yaml);
    expect(configHash(toml as LensConfig)).toBe(configHash(yaml as LensConfig));
  });

  it('fills defaults, substitutes variables and normalises the mock settings', async () => {
    const config = await loadConfigFile(fixture('full.yaml'), { env, extensions });
    expect(config.providers.map((p) => [p.name, p.type, p.base_url, p.api_key_env])).toEqual([
      ['local-vllm', 'openai-compatible', 'http://localhost:8000/v1', 'VLLM_API_KEY'],
      ['openai', 'openai', 'https://api.openai.com/v1', undefined],
      ['mock', 'mock', undefined, undefined],
    ]);
    expect(config.providers[2]?.mock).toEqual({
      ttft_ms: { distribution: 'normal', mean_ms: 200, stdev_ms: 20 },
      itl_ms: { distribution: 'fixed', value_ms: 20 },
      output_tokens: { min: 16, max: 64 },
      mode: 'lockstep',
      seed: 7,
      faults: { rate_limit_rate: 0.1, retry_after_s: 1 },
    });
    expect(config.scenarios.map((s) => [s.name, s.requests, s.concurrency, s.stream])).toEqual([
      ['short-chat', 20, 4, true],
      ['long-prompt', 5, 1, true],
      ['scenario-3', 20, 1, false],
    ]);
    expect(config.scenarios[2]?.messages?.[1]?.content).toBe('Say hi to Ada.');
    expect(config.fidelity.event_loop_delay_p99_ms).toBe(8);
  });

  it('takes ${VAR} from the given environment before the :- default', async () => {
    const config = await loadConfigFile(fixture('full.toml'), {
      env: { ...env, LENS_TEST_BASE_URL: 'http://gpu-box:9000/v1' },
      extensions,
    });
    expect(config.providers[0]?.base_url).toBe('http://gpu-box:9000/v1');
  });

  it('reads prompt_file relative to the config file, not the working directory', async () => {
    const config = await loadConfigFile(fixture('full.yaml'), { env, extensions });
    const scenario = config.scenarios[1];
    expect(scenario?.prompt_file).toBe(join(fixtures, 'prompts', 'long.txt'));
    expect(scenario?.prompt).toBe(readFileSync(join(fixtures, 'prompts', 'long.txt'), 'utf8'));
  });

  it('keeps api_key_file as written, without reading it', async () => {
    // The key file does not exist: loading must not touch it. The adapter reads it at run
    // time, relative to the config file's directory (see apiKeySource in providers-core).
    const config = await loadConfigFile(fixture('full.json'), { env, extensions });
    expect(config.providers[1]?.api_key_file).toBe('./secrets/openai-key.txt');
  });

  it('names the variable and the field that used it when a variable is missing', async () => {
    const error = await loadFailure('env-missing.yaml', { env: {} });
    expect(error.code).toBe('LENS_CONFIG_ENV_MISSING');
    expect(error.message).toBe(
      `${fixture('env-missing.yaml')}:3:5: providers[0].base_url: environment variable LENS_TEST_UNSET_URL is not set; export it, or give a default with \${LENS_TEST_UNSET_URL:-value}`,
    );
    expect(error.issues).toEqual([
      {
        path: 'providers[0].base_url',
        message:
          'environment variable LENS_TEST_UNSET_URL is not set; export it, or give a default with ${LENS_TEST_UNSET_URL:-value}',
        line: 3,
        column: 5,
      },
    ]);
  });

  it('keeps $${ as a literal ${', async () => {
    const config = await loadConfigFile(fixture('env-missing.yaml'), {
      env: { LENS_TEST_UNSET_URL: 'http://127.0.0.1:1/v1' },
      extensions,
    });
    expect(config.scenarios[0]?.prompt).toBe('costs ${PRICE} per token');
  });

  it('reports every invalid field with file, line and column', async () => {
    const error = await loadFailure('bad-values.yaml');
    const file = fixture('bad-values.yaml');
    expect(error.code).toBe('LENS_CONFIG_INVALID');
    expect(error.file).toBe(file);
    expect(error.message.split('\n')).toEqual([
      'invalid config (4 problems):',
      `${file}:2:5: providers[0].type: must be one of openai | openai-compatible | mock, got "openia" (did you mean "openai"?)`,
      `${file}:6:5: scenarios[0].concurency: unknown key, did you mean "concurrency"?`,
      `${file}:8:5: scenarios[1].concurrency: must be a positive integer, got "ten"`,
      `${file}:9:5: scenarios[1].temperature: must be a number between 0 and 2, got 3`,
    ]);
  });

  it('names the missing prompt file and the field that asked for it', async () => {
    const error = await loadFailure('missing-prompt-file.yaml');
    expect(error.code).toBe('LENS_CONFIG_NOT_FOUND');
    expect(error.message).toBe(
      `${fixture('missing-prompt-file.yaml')}:6:5: scenarios[0].prompt_file: prompt file ${join(fixtures, 'prompts', 'does-not-exist.txt')} not found; prompt_file paths are relative to the config file's directory (${fixtures.replace(/\/$/, '')})`,
    );
  });

  it('reports syntax errors in each format as LENS_CONFIG_PARSE with line and column', async () => {
    const yaml = await loadFailure('syntax-error.yaml');
    const json = await loadFailure('syntax-error.json');
    const toml = await loadFailure('syntax-error.toml');
    expect([yaml.code, json.code, toml.code]).toEqual(Array(3).fill('LENS_CONFIG_PARSE'));
    expect(yaml.message).toMatch(
      new RegExp(`^${fixture('syntax-error.yaml')}:4:1: invalid YAML: `),
    );
    expect(json.message).toMatch(
      new RegExp(`^${fixture('syntax-error.json')}:3:40: invalid JSON: `),
    );
    expect(toml.message).toMatch(
      new RegExp(`^${fixture('syntax-error.toml')}:4:13: invalid TOML: `),
    );
  });

  it('refuses unknown extensions, missing files and empty files with their own codes', async () => {
    const ini = await loadFailure('config.ini');
    expect([ini.code, ini.message]).toEqual([
      'LENS_CONFIG_UNSUPPORTED_FORMAT',
      `${fixture('config.ini')}: cannot tell the config format from ".ini"; use one of .yaml, .yml, .json, .toml`,
    ]);
    const missing = await loadFailure('nope.yaml');
    expect([missing.code, missing.message]).toEqual([
      'LENS_CONFIG_NOT_FOUND',
      `config file ${fixture('nope.yaml')} not found (looked at ${join(fixtures, 'nope.yaml')}); run "llm-lens init" to write a starter config`,
    ]);
    const empty = await loadFailure('empty.yaml');
    expect([empty.code, empty.message]).toEqual([
      'LENS_CONFIG_INVALID',
      `${fixture('empty.yaml')}: the file is empty; run "llm-lens init" to write a starter config`,
    ]);
  });

  it('gives a loaded config that validates again unchanged', async () => {
    const config = await loadConfigFile(fixture('full.yaml'), { env, extensions });
    expect(applyOverrides(config, {}, { extensions })).toEqual(config);
  });
});

describe('parseConfig', () => {
  it('reads prompt_file relative to baseDir', () => {
    const config = parseConfig(
      {
        providers: [{ type: 'mock', models: ['m'] }],
        scenarios: [{ prompt_file: 'prompts/long.txt' }],
      },
      { baseDir: fixtures, env: {}, extensions },
    );
    expect(config.scenarios[0]?.prompt).toMatch(/^Summarise the following design document/);
  });

  it('throws LENS_CONFIG_INVALID with the issues, naming the file when given', () => {
    expect(() =>
      parseConfig(
        { providers: [], scenarios: [{ prompt: 'x' }] },
        { file: 'lens.json', env: {}, extensions },
      ),
    ).toThrowError(
      expect.objectContaining({
        code: 'LENS_CONFIG_INVALID',
        file: 'lens.json',
        message:
          'invalid config (1 problem):\nlens.json: providers: must be a non-empty list of providers, got []',
        issues: [{ path: 'providers', message: 'must be a non-empty list of providers, got []' }],
      }),
    );
  });
});

describe('applyOverrides with --prompt-file', () => {
  it('reads the file relative to the working directory it is given', () => {
    const config = applyOverrides(
      undefined,
      { promptFile: 'prompts/long.txt' },
      { cwd: fixtures, extensions },
    );
    expect(config.scenarios[0]?.prompt_file).toBe(join(fixtures, 'prompts', 'long.txt'));
    expect(config.scenarios[0]?.prompt).toMatch(/^Summarise the following design document/);
  });

  it('names the flag when the file is missing', () => {
    expect(() =>
      applyOverrides(undefined, { promptFile: 'prompts/none.txt' }, { cwd: fixtures, extensions }),
    ).toThrowError(
      expect.objectContaining({
        code: 'LENS_CONFIG_NOT_FOUND',
        message: `--prompt-file: prompt file ${join(fixtures, 'prompts', 'none.txt')} not found; --prompt-file is relative to the working directory (${fixtures})`,
      }),
    );
  });
});
