import { describe, expect, it } from 'vitest';
import { extensions } from '../test/extensions.js';
import { applyOverrides, DEFAULT_PROMPT, defaultConfig, flagName } from './cli-overrides.js';
import { LensConfigError } from './config-error.js';
import type { LensConfig } from './lens-config.js';
import { parseConfig } from './load-config.js';
import { validateConfig } from './validate-config.js';

function fileConfig(): LensConfig {
  return parseConfig(
    {
      providers: [
        {
          name: 'vllm',
          type: 'openai-compatible',
          base_url: 'http://127.0.0.1:8000/v1',
          api_key_file: '/keys/k',
          models: ['a', 'b'],
        },
        { type: 'mock', models: ['mock-model'], mock: { seed: 3 } },
      ],
      scenarios: [
        { name: 'chat', prompt: 'hi', concurrency: 2, max_tokens: 16 },
        { name: 'conv', messages: [{ role: 'user', content: 'hello' }], requests: 5 },
      ],
      outputs: { summary: 'from-file.json', max_error_rate: 0.5 },
    },
    { env: {}, extensions },
  );
}

/** The LensConfigError `run` throws (fails the test if it does not throw one). */
function thrown(run: () => unknown): LensConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof LensConfigError) return error;
    throw error;
  }
  throw new Error('expected a LensConfigError');
}

describe('defaultConfig', () => {
  it('is the simulator with one short-story scenario', () => {
    const config = defaultConfig();
    expect(config.providers).toEqual([{ name: 'mock', type: 'mock', models: ['mock-model'] }]);
    expect(config.scenarios).toEqual([
      {
        name: 'default',
        prompt: 'Write a short story about a lighthouse keeper.',
        requests: 20,
        concurrency: 4,
        warmup: 2,
        load: { type: 'closed' },
        max_tokens: 64,
        stream: true,
      },
    ]);
  });

  it("is valid as it stands; validation adds only the simulator type's own defaults", () => {
    const validated = applyOverrides(undefined, {}, { extensions });
    const { api, ...provider } = validated.providers[0]!;
    expect(api).toBe('chat');
    expect({ ...validated, providers: [provider] }).toEqual(defaultConfig());
  });
});

describe('applyOverrides', () => {
  it('uses the default config as the base when there is no config file', () => {
    const config = applyOverrides(undefined, { requests: 3 }, { extensions });
    expect(config.providers[0]?.type).toBe('mock');
    expect(config.scenarios[0]).toMatchObject({
      prompt: DEFAULT_PROMPT,
      requests: 3,
      concurrency: 4,
    });
  });

  it('replaces the default mock provider with --provider and --model', () => {
    const config = applyOverrides(
      undefined,
      { provider: 'openai', model: 'gpt-4o-mini' },
      { extensions },
    );
    expect(config.providers).toEqual([
      {
        name: 'openai',
        type: 'openai',
        base_url: 'https://api.openai.com/v1',

        api: 'chat',
        models: ['gpt-4o-mini'],
      },
    ]);
    expect(config.scenarios).toEqual(defaultConfig().scenarios);
  });

  it('builds an openai-compatible provider from --base-url and --api-key-env', () => {
    const config = applyOverrides(
      undefined,
      {
        provider: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:8000/v1',
        apiKeyEnv: 'VLLM_API_KEY',
        model: 'llama',
      },
      { extensions },
    );
    expect(config.providers).toEqual([
      {
        name: 'openai-compatible',
        type: 'openai-compatible',
        base_url: 'http://127.0.0.1:8000/v1',
        api_key_env: 'VLLM_API_KEY',
        api: 'chat',
        models: ['llama'],
      },
    ]);
  });

  it('lets flags win over file values for every provider and scenario that has the setting', () => {
    const config = applyOverrides(
      fileConfig(),
      {
        model: 'only-this',
        apiKeyEnv: 'MY_KEY',
        concurrency: 8,
        maxTokens: 32,
        temperature: 0.5,
        stream: false,
        timeout: 5000,
        warmup: 1,
        output: 'from-flag.json',
        records: 'records.jsonl',
        recordTokens: true,
        maxErrorRate: 0.1,
      },
      { extensions },
    );
    expect(config.providers.map((p) => p.models)).toEqual([['only-this'], ['only-this']]);
    // The simulator has no key setting: --api-key-env applies to the vLLM entry only.
    expect(config.providers.map((p) => [p.api_key_env, p.api_key_file])).toEqual([
      ['MY_KEY', undefined],
      [undefined, undefined],
    ]);
    for (const scenario of config.scenarios) {
      expect(scenario).toMatchObject({
        concurrency: 8,
        max_tokens: 32,
        temperature: 0.5,
        stream: false,
        timeout_ms: 5000,
        warmup: 1,
      });
    }
    expect(config.outputs).toEqual({
      summary: 'from-flag.json',
      records: 'records.jsonl',
      record_tokens: true,
      max_error_rate: 0.1,
    });
  });

  it('keeps file values for flags that were not given', () => {
    const config = applyOverrides(
      fileConfig(),
      { requests: 7, concurrency: undefined },
      { extensions },
    );
    expect(config.scenarios.map((s) => [s.name, s.requests, s.concurrency, s.max_tokens])).toEqual([
      ['chat', 7, 2, 16],
      ['conv', 7, 1, undefined],
    ]);
    expect(config.outputs.summary).toBe('from-file.json');
    expect(config.providers[0]?.models).toEqual(['a', 'b']);
  });

  it('replaces prompt_file and messages with --prompt', () => {
    const config = applyOverrides(fileConfig(), { prompt: 'new prompt' }, { extensions });
    expect(config.scenarios.map((s) => [s.prompt, s.messages, s.prompt_file])).toEqual([
      ['new prompt', undefined, undefined],
      ['new prompt', undefined, undefined],
    ]);
  });

  it('sets every provider type with --provider when a config exists, dropping mock settings', () => {
    const config = applyOverrides(
      fileConfig(),
      {
        provider: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:9000/v1',
      },
      { extensions },
    );
    expect(config.providers.map((p) => [p.name, p.type, p.base_url, p.mock])).toEqual([
      ['vllm', 'openai-compatible', 'http://127.0.0.1:9000/v1', undefined],
      ['mock', 'openai-compatible', 'http://127.0.0.1:9000/v1', undefined],
    ]);
  });

  it('does not modify the config it is given', () => {
    const base = fileConfig();
    const before = structuredClone(base);
    applyOverrides(base, { concurrency: 9, model: 'x', prompt: 'y' }, { extensions });
    expect(base).toEqual(before);
  });

  it('reports a bad flag value under the flag name', () => {
    const error = thrown(() => applyOverrides(fileConfig(), { concurrency: 0 }, { extensions }));
    expect(error.code).toBe('LENS_CONFIG_INVALID');
    expect(error.message).toBe(
      'invalid command-line flags (1 problem):\n--concurrency: must be a positive integer, got 0',
    );
    expect(error.issues).toEqual([
      { path: '--concurrency', message: 'must be a positive integer, got 0' },
    ]);
  });

  it('reports several bad flags once each, however many scenarios they reach', () => {
    const error = thrown(() =>
      applyOverrides(
        fileConfig(),
        {
          maxErrorRate: 2,
          model: '',
          temperature: -1,
          requests: Number.NaN,
        },
        { extensions },
      ),
    );
    expect(error.message.split('\n')).toEqual([
      'invalid command-line flags (4 problems):',
      '--model: must be a model name, got ""',
      '--requests: must be a positive integer, got NaN',
      '--temperature: must be a number between 0 and 2, got -1',
      '--max-error-rate: must be a number between 0 and 1, got 2',
    ]);
  });

  it("sets every provider's TTFT and idle timeouts and event limit, keeping its other timeouts", () => {
    const base = parseConfig(
      {
        providers: [
          {
            type: 'openai-compatible',
            base_url: 'http://127.0.0.1:8000/v1',
            models: ['m'],
            timeouts: { total_ms: 2000, idle_ms: 900 },
          },
        ],
        scenarios: [{ prompt: 'hi' }],
      },
      { env: {}, extensions },
    );
    // A file that sets no scenario timeout leaves the provider's total_ms in charge.
    expect(base.scenarios[0]?.timeout_ms).toBeUndefined();
    const config = applyOverrides(
      base,
      { ttftTimeout: 1500, maxEventBytes: 65_536 },
      { extensions },
    );
    expect(config.providers[0]?.timeouts).toEqual({ total_ms: 2000, idle_ms: 900, ttft_ms: 1500 });
    expect(config.providers[0]?.max_event_bytes).toBe(65_536);
  });

  it('reports a bad --idle-timeout or --max-event-bytes under its own flag name', () => {
    const error = thrown(() =>
      applyOverrides(
        fileConfig(),
        { ttftTimeout: 100, idleTimeout: -5, maxEventBytes: 0 },
        { extensions },
      ),
    );
    expect(error.message.split('\n')).toEqual([
      'invalid command-line flags (2 problems):',
      '--idle-timeout: must be a positive integer, got -5',
      '--max-event-bytes: must be a positive integer, got 0',
    ]);
  });

  it('says which flag is missing when --provider needs a model or a base URL', () => {
    expect(
      thrown(() => applyOverrides(undefined, { provider: 'openai' }, { extensions })).issues,
    ).toEqual([
      { path: '--model', message: 'is required with --provider openai (e.g. --model gpt-4o-mini)' },
    ]);
    expect(
      thrown(() =>
        applyOverrides(undefined, { provider: 'openai-compatible', model: 'm' }, { extensions }),
      ).issues,
    ).toEqual([
      {
        path: '--base-url',
        message:
          'is required for type openai-compatible (the server URL including /v1, e.g. http://localhost:8000/v1)',
      },
    ]);
  });
});

describe('schedule flags', () => {
  const load = (config: LensConfig) => config.scenarios.map((s) => s.load);

  it('--rate makes every scenario an open loop; --arrival, --seed and --max-in-flight set it', () => {
    const config = applyOverrides(
      undefined,
      { rate: 12.5, arrival: 'poisson', seed: 9, maxInFlight: 16 },
      { extensions },
    );
    expect(load(config)).toEqual([
      { type: 'open', rate: 12.5, arrival: 'poisson', seed: 9, max_in_flight: 16 },
    ]);
    // The defaults of the pattern fill what was not given.
    expect(load(applyOverrides(undefined, { rate: 3 }, { extensions }))).toEqual([
      { type: 'open', rate: 3, arrival: 'constant', seed: 1 },
    ]);
  });

  it("--rate over a config's open loop changes the rate only", () => {
    const base = parseConfig(
      {
        providers: [{ type: 'mock', models: ['m'] }],
        scenarios: [{ prompt: 'hi', load: { type: 'open', rate: 5, arrival: 'poisson', seed: 4 } }],
      },
      { env: {}, extensions },
    );
    expect(load(applyOverrides(base, { rate: 20 }, { extensions }))).toEqual([
      { type: 'open', rate: 20, arrival: 'poisson', seed: 4 },
    ]);
  });

  it('--duration ends the phase by time, with no request cap unless --requests is given', () => {
    const timed = applyOverrides(undefined, { duration: '2m' }, { extensions });
    expect(timed.scenarios[0]).toMatchObject({ duration: 120 });
    expect(timed.scenarios[0]!.requests).toBeUndefined();
    const both = applyOverrides(undefined, { duration: '500ms', requests: 40 }, { extensions });
    expect(both.scenarios[0]).toMatchObject({ duration: 0.5, requests: 40 });
  });

  it('a config scenario with a duration has no default request count', () => {
    const config = parseConfig(
      {
        providers: [{ type: 'mock', models: ['m'] }],
        scenarios: [{ prompt: 'a', duration: '30s' }, { prompt: 'b' }],
      },
      { env: {}, extensions },
    );
    expect(config.scenarios[0]!.duration).toBe(30);
    expect(config.scenarios[0]!.requests).toBeUndefined();
    expect(config.scenarios[1]!.requests).toBe(20);
  });

  it('--load burst --pause sets the bursts and their pause in seconds', () => {
    expect(
      load(applyOverrides(undefined, { load: 'burst', pause: '1.5s' }, { extensions })),
    ).toEqual([{ type: 'burst', pause: 1.5 }]);
  });

  it('reports bad schedule flags under their own names', () => {
    expect(thrown(() => applyOverrides(undefined, { rate: 0 }, { extensions })).issues).toEqual([
      { path: '--rate', message: 'must be a rate in requests per second > 0, got 0' },
    ]);
    expect(
      thrown(() => applyOverrides(undefined, { duration: 'ten' }, { extensions })).issues,
    ).toEqual([
      {
        path: '--duration',
        message:
          'must be a duration such as 500ms, 30s, 2m or 1h (a bare number is seconds), got "ten"',
      },
    ]);
    expect(
      thrown(() => applyOverrides(undefined, { arrival: 'poisson' }, { extensions })).issues,
    ).toEqual([
      {
        path: '--arrival',
        message:
          "sets the open loop's arrival; add --rate (requests per second) to run an open loop, or set load: {type: open, rate: ...} in the config",
      },
    ]);
    expect(
      thrown(() => applyOverrides(undefined, { load: 'poisson' }, { extensions })).issues,
    ).toEqual([
      {
        path: '--load',
        message: 'must be one of closed | open | burst, got "poisson"',
      },
    ]);
  });
});

describe('min_tokens', () => {
  const withMaxTokens = (scenario: Record<string, unknown>) =>
    validateConfig(
      { providers: [{ type: 'mock', models: ['m'] }], scenarios: [{ prompt: 'hi', ...scenario }] },
      extensions,
    );

  it('is a positive integer, at most max_tokens when both are set', () => {
    const ok = withMaxTokens({ max_tokens: 64, min_tokens: 64 });
    expect(ok.ok && ok.config.scenarios[0]!.min_tokens).toBe(64);
    expect(withMaxTokens({ min_tokens: 500 }).ok).toBe(true);
    const [zero, above] = [
      withMaxTokens({ min_tokens: 0 }),
      withMaxTokens({ max_tokens: 16, min_tokens: 32 }),
    ];
    expect(!zero.ok && zero.issues.map((i) => i.message)).toEqual([
      'must be a positive integer, got 0',
    ]);
    expect(!above.ok && above.issues).toEqual([
      {
        path: 'scenarios[0].min_tokens',
        message:
          'must be at most max_tokens (16), got 32; a server cannot generate more than max_tokens',
      },
    ]);
  });

  it("--min-tokens sets every scenario's min_tokens and is reported by its flag name", () => {
    const config = applyOverrides(fileConfig(), { minTokens: 8 }, { extensions });
    expect(config.scenarios.map((s) => s.min_tokens)).toEqual([8, 8]);
    expect(() => applyOverrides(fileConfig(), { minTokens: 32 }, { extensions })).toThrow(
      '--min-tokens: must be at most max_tokens (16), got 32',
    );
    expect(
      applyOverrides(fileConfig(), { minTokens: 32, maxTokens: 32 }, { extensions }).scenarios[0]!
        .min_tokens,
    ).toBe(32);
  });
});

describe('applyOverrides on configs it cannot use', () => {
  it('names the valid provider types for a bad --provider', () => {
    const error = thrown(() =>
      applyOverrides(
        undefined,
        { provider: 'anthropic' as 'openai', model: 'claude' },
        { extensions },
      ),
    );
    expect(error.issues).toEqual([
      {
        path: '--provider',
        message: 'must be one of openai | openai-compatible | mock, got "anthropic"',
      },
    ]);
  });

  it('refuses a validated-only config whose prompt_file was never read', () => {
    const result = validateConfig(
      {
        providers: [{ type: 'mock', models: ['m'] }],
        scenarios: [{ prompt_file: 'long.txt' }],
      },
      extensions,
    );
    if (!result.ok) throw new Error('expected a valid config');
    expect(
      thrown(() => applyOverrides(result.config, { requests: 2 }, { extensions })).issues,
    ).toEqual([
      {
        path: 'scenarios[0].prompt_file',
        message:
          'has not been read; load the config with loadConfigFile or parseConfig before applying overrides',
      },
    ]);
  });
});

describe('flagName', () => {
  it('turns option names into the kebab-case flags users type', () => {
    expect(flagName('maxErrorRate')).toBe('--max-error-rate');
    expect(flagName('concurrency')).toBe('--concurrency');
  });

  it('refuses --base-url when no provider type has a base URL', () => {
    expect(
      thrown(() => applyOverrides(undefined, { baseUrl: 'http://x/v1' }, { extensions })).message,
    ).toBe(
      'invalid command-line flags (1 problem):\n--base-url: does not apply to provider type mock, which has no base_url setting',
    );
  });
});
