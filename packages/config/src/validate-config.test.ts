// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ${VAR} references under test, not template mistakes
import { describe, expect, it } from 'vitest';
import { extensions } from '../test/extensions.js';
import { formatIssues } from './config-issue.js';
import { validateConfig } from './validate-config.js';

const provider = { type: 'mock', models: ['mock-model'] };
const scenario = { prompt: 'Say hi.' };

/** The formatted problem lines of an invalid config (fails the test if it is valid). */
function problems(raw: unknown): string[] {
  const result = validateConfig(raw, extensions);
  if (result.ok) throw new Error('expected the config to be invalid');
  return formatIssues(result.issues).split('\n');
}

describe('validateConfig', () => {
  it('fills every default of a minimal config', () => {
    const result = validateConfig({ providers: [provider], scenarios: [scenario] }, extensions);
    expect(result).toEqual({
      ok: true,
      config: {
        version: 1,
        workers: 1,
        providers: [{ name: 'mock', type: 'mock', api: 'chat', models: ['mock-model'] }],
        scenarios: [
          {
            name: 'scenario-1',
            prompt: 'Say hi.',
            requests: 20,
            concurrency: 1,
            warmup: 0,
            load: { type: 'closed' },
            stream: true,
          },
        ],
        outputs: { record_tokens: false, max_error_rate: 1 },
        fidelity: { event_loop_delay_p99_ms: 5 },
      },
    });
  });

  it("defaults the openai base URL (its key variable is the adapter's default), and leaves openai-compatible keyless", () => {
    const result = validateConfig(
      {
        providers: [
          { type: 'openai', models: ['gpt-4o-mini'] },
          { type: 'openai-compatible', base_url: 'http://127.0.0.1:8000/v1', models: ['m'] },
        ],
        scenarios: [scenario],
      },
      extensions,
    );
    expect(result.ok && result.config.providers).toEqual([
      {
        name: 'openai',
        type: 'openai',
        base_url: 'https://api.openai.com/v1',
        api: 'chat',
        models: ['gpt-4o-mini'],
      },
      {
        name: 'openai-compatible',
        type: 'openai-compatible',
        base_url: 'http://127.0.0.1:8000/v1',
        api: 'chat',
        models: ['m'],
      },
    ]);
  });

  it('accepts numbers and booleans spelled as strings, as ${VAR} substitution yields them', () => {
    const result = validateConfig(
      {
        providers: [provider],
        scenarios: [{ prompt: 'x', requests: '50', temperature: '0.7', stream: 'false' }],
      },
      extensions,
    );
    expect(result.ok && result.config.scenarios[0]).toMatchObject({
      requests: 50,
      temperature: 0.7,
      stream: false,
    });
  });

  it('normalises mock distributions to tagged objects', () => {
    const result = validateConfig(
      {
        providers: [{ ...provider, mock: { ttft_ms: 'lognormal:200,0.3', itl_ms: 20 } }],
        scenarios: [scenario],
      },
      extensions,
    );
    expect(result.ok && result.config.providers[0]?.mock).toEqual({
      ttft_ms: { distribution: 'lognormal', median_ms: 200, sigma: 0.3 },
      itl_ms: { distribution: 'fixed', value_ms: 20 },
    });
  });

  it('reports wrong types with the expected type and the value received', () => {
    expect(
      problems({
        version: 2,
        providers: [{ type: 'mock', models: 'mock-model', api: 'chats', options: 3 }],
        scenarios: [{ prompt: 'x', requests: 1.5, concurrency: 'ten', stream: 'yes' }],
        outputs: { max_error_rate: 1.5 },
      }),
    ).toEqual([
      'version: must be 1, got 2',
      'providers[0].models: must be a non-empty list of model names, got "mock-model"',
      'providers[0].api: must be one of chat | completions | responses, got "chats" (did you mean "chat"?)',
      'providers[0].options: must be an object of extra request-body fields, got 3',
      'scenarios[0].requests: must be a positive integer, got 1.5',
      'scenarios[0].concurrency: must be a positive integer, got "ten"',
      'scenarios[0].stream: must be true or false, got "yes"',
      'outputs.max_error_rate: must be a number between 0 and 1, got 1.5',
    ]);
  });

  it('reports negative and zero counts per field', () => {
    expect(
      problems({
        providers: [provider],
        scenarios: [scenario, { prompt: 'x', concurrency: -2, warmup: -1, max_tokens: 0 }],
      }),
    ).toEqual([
      'scenarios[1].concurrency: must be a positive integer, got -2',
      'scenarios[1].warmup: must be an integer >= 0, got -1',
      'scenarios[1].max_tokens: must be a positive integer, got 0',
    ]);
  });

  it('names unknown keys at their own path, with a suggestion for near misses', () => {
    expect(
      problems({
        providers: [
          { type: 'openai', models: ['m'], baseUrl: 'http://x' },
          { ...provider, zzz: 1 },
        ],
        scenarios: [{ prompt: 'x', concurency: 4, zzzzzz: 1 }],
        output: {},
      }),
    ).toEqual([
      'providers[0].baseUrl: unknown key, did you mean "base_url"?',
      'providers[1].zzz: unknown key; valid keys here: name, type, models, options, headers, timeouts, max_event_bytes, mock, api',
      'scenarios[0].concurency: unknown key, did you mean "concurrency"?',
      'scenarios[0].zzzzzz: unknown key; valid keys here: name, prompt, prompt_file, messages, requests, duration, concurrency, warmup, warmup_duration, cooldown, load, prompts, replay, conversations, conversation_history, sweep, max_tokens, min_tokens, temperature, stream, timeout_ms, providers',
      'output: unknown key, did you mean "outputs"?',
    ]);
  });

  it('requires exactly one of prompt, prompt_file and messages', () => {
    expect(
      problems({
        providers: [provider],
        scenarios: [
          { prompt: 'x', prompt_file: 'long.txt' },
          { requests: 3 },
          { messages: [] },
          { messages: [{ role: 'usr', content: 1 }] },
        ],
      }),
    ).toEqual([
      'scenarios[0].prompt_file: cannot be combined with prompt; set exactly one of prompt, prompt_file, messages, prompts, replay or conversations',
      'scenarios[1]: needs a prompt: set exactly one of prompt, prompt_file, messages, prompts, replay or conversations',
      'scenarios[2].messages: must be a non-empty list of {role, content} messages, got []',
      'scenarios[3].messages[0].role: must be one of system | user | assistant, got "usr" (did you mean "user"?)',
      'scenarios[3].messages[0].content: must be a string, got 1',
    ]);
  });

  it('reports missing required fields and empty lists', () => {
    expect(problems({})).toEqual([
      'providers: is required (a non-empty list of providers)',
      'scenarios: is required (a non-empty list of scenarios)',
    ]);
    expect(problems({ providers: [{ type: 'openai' }], scenarios: [] })).toEqual([
      'providers[0].models: is required (a non-empty list of model names)',
      'scenarios: must be a non-empty list of scenarios, got []',
    ]);
    expect(problems(null)).toEqual(['must be an object with providers and scenarios, got null']);
  });

  it('reports bad mock distributions and fault rates', () => {
    expect(
      problems({
        providers: [
          {
            ...provider,
            mock: {
              ttft_ms: 'gauss:200,20',
              itl_ms: 'normal:20',
              output_tokens: { min: 10, max: 5 },
              mode: 'fast',
              faults: { drop_rate: 2 },
            },
          },
        ],
        scenarios: [scenario],
      }),
    ).toEqual([
      'providers[0].mock.ttft_ms: must be a number of ms, "normal:<mean_ms>,<stdev_ms>", "lognormal:<median_ms>,<sigma>" or an object {distribution: fixed|normal|lognormal, ...}, got "gauss:200,20"',
      'providers[0].mock.itl_ms: must be "normal:<mean_ms>,<stdev_ms>" with two numbers, got "normal:20"',
      'providers[0].mock.output_tokens.max: must be >= min (10), got 5',
      'providers[0].mock.mode: must be one of independent | lockstep, got "fast"',
      'providers[0].mock.faults.drop_rate: must be a number between 0 and 1, got 2',
    ]);
  });

  it('enforces the rules that tie provider fields together', () => {
    expect(
      problems({
        providers: [
          { type: 'openai-compatible', models: ['m'] },
          {
            name: 'b',
            type: 'openai',
            models: ['m'],
            mock: { seed: 1 },
            api_key_env: 'A',
            api_key_file: 'key.txt',
            base_url: 'localhost:8000',
          },
        ],
        scenarios: [scenario],
      }),
    ).toEqual([
      'providers[0].base_url: is required for type openai-compatible (the server URL including /v1, e.g. http://localhost:8000/v1)',
      'providers[1].mock: is a setting of type mock, not of type "openai"',
      'providers[1].api_key_file: cannot be combined with api_key_env; set only one of them',
      'providers[1].base_url: must be an http:// or https:// URL such as http://localhost:8000/v1, got "localhost:8000"',
    ]);
  });

  it('refuses credentials in headers without echoing them', () => {
    const lines = problems({
      providers: [
        { ...provider, headers: { Authorization: 'Bearer sk-live-123', 'x-team': 'perf' } },
      ],
      scenarios: [scenario],
    });
    expect(lines).toEqual([
      'providers[0].headers.Authorization: must not carry credentials: configs are printed and hashed; put the key in an environment variable and point the provider at it (e.g. api_key_env)',
    ]);
  });

  it('never prints the value of a key-like field, even when it is wrong', () => {
    const lines = problems({
      providers: [
        {
          type: 'openai-compatible',
          base_url: 'http://x/v1',
          models: ['m'],
          api_key_env: 'sk-live-123',
        },
      ],
      scenarios: [scenario],
    });
    expect(lines).toEqual([
      'providers[0].api_key_env: must be the name of an environment variable such as VLLM_API_KEY (not the key itself), got a string (value hidden)',
    ]);
    expect(lines.join('\n')).not.toContain('sk-live');
  });

  it('requires unique names and known provider references', () => {
    expect(
      problems({
        providers: [provider, { type: 'mock', models: ['other'] }],
        scenarios: [
          { name: 'a', prompt: 'x' },
          { name: 'a', prompt: 'y', providers: ['mokc'] },
        ],
      }),
    ).toEqual([
      'providers[1].name: "mock" is already used by providers[0]; give each provider a unique name (name defaults to the type)',
      'scenarios[1].name: "a" is already used by scenarios[0]; give each scenario a unique name',
      'scenarios[1].providers[0]: no provider is named "mokc" (did you mean "mock"?); defined providers: mock',
    ]);
  });

  it('rejects a "__proto__" key like any other unknown key', () => {
    const raw = JSON.parse(
      '{"__proto__": {"x": 1}, "providers": [{"type": "mock", "models": ["m"]}], "scenarios": [{"prompt": "x"}]}',
    );
    expect(problems(raw)).toEqual(['__proto__: unknown key']);
    const nested = JSON.parse(
      '{"providers": [{"type": "mock", "models": ["m"], "__proto__": {}}], "scenarios": [{"prompt": "x"}]}',
    );
    expect(problems(nested)).toEqual(['providers[0].__proto__: unknown key']);
  });

  it('takes workers as a positive integer or "auto", and says so otherwise', () => {
    const ok = validateConfig(
      { workers: 'auto', providers: [provider], scenarios: [scenario] },
      extensions,
    );
    expect(ok.ok && ok.config.workers).toBe('auto');
    expect(problems({ workers: 0, providers: [provider], scenarios: [scenario] })).toEqual([
      'workers: must be a positive integer or "auto", got 0',
    ]);
  });
});
