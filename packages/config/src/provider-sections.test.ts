import { listOf, positiveInt, strictObject, text, z } from '@llm-lens/config-fields';
import { describe, expect, it } from 'vitest';
import { extensions } from '../test/extensions.js';
import { applyOverrides } from './cli-overrides.js';
import { LensConfigError } from './config-error.js';
import type { ConfigExtensions } from './config-extensions.js';
import { formatIssues } from './config-issue.js';
import { parseConfig } from './load-config.js';
import { validateConfig } from './validate-config.js';

// Stand-ins for the executor's `resilienceProviderShape` (the config package cannot import
// the executor, which depends on it), with the same keys and messages. They are not marked
// optional: the config package makes every section optional, an empty one absent.
const providerSections = {
  retries: strictObject(
    {
      max_attempts: positiveInt('a whole number of attempts >= 1 (1 = no retries)').optional(),
      base_delay_ms: positiveInt().optional(),
      max_delay_ms: positiveInt().optional(),
      retry_on: listOf(text(), 'a non-empty list of error classes', true).optional(),
    },
    'an object of retry settings (max_attempts, base_delay_ms, max_delay_ms, retry_on)',
  ),
  rate_limits: strictObject(
    {
      requests_per_minute: positiveInt('a whole number of requests per minute >= 1').optional(),
      tokens_per_minute: positiveInt('a whole number of tokens per minute >= 1').optional(),
      burst_requests: positiveInt().optional(),
      burst_tokens: positiveInt().optional(),
    },
    'an object of rate limits (requests_per_minute, tokens_per_minute, burst_requests, burst_tokens)',
  ),
  circuit_breaker: strictObject(
    {
      failure_threshold: positiveInt().optional(),
      cool_down_ms: positiveInt().optional(),
      trip_on: listOf(text(), 'a non-empty list of error classes', true).optional(),
    },
    'an object of circuit breaker settings (failure_threshold, cool_down_ms, trip_on)',
  ),
};

const withSections: ConfigExtensions = { ...extensions, providerSections };

const config = (providers: unknown[], root: Record<string, unknown> = {}) => ({
  providers,
  scenarios: [{ prompt: 'hi', max_tokens: 16 }],
  ...root,
});

function problems(raw: unknown, using: ConfigExtensions = withSections): string[] {
  const result = validateConfig(raw, using);
  if (result.ok) throw new Error('expected the config to be invalid');
  return formatIssues(result.issues).split('\n');
}

/** The issues of the LensConfigError `run` throws (fails the test if it does not throw one). */
function thrownIssues(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof LensConfigError) {
      return (error.issues ?? []).map((i) => `${i.path}: ${i.message}`);
    }
    throw error;
  }
  throw new Error('expected a LensConfigError');
}

describe('provider sections another package registers (providerSections)', () => {
  it('are accepted on a provider of any type, next to its own keys', () => {
    const result = validateConfig(
      config([
        {
          type: 'openai',
          models: ['gpt-4o-mini'],
          retries: { max_attempts: 4, retry_on: ['rate_limited', 'server_error'] },
          rate_limits: { requests_per_minute: 500, tokens_per_minute: '90000' },
          circuit_breaker: { failure_threshold: 3 },
        },
        { type: 'mock', models: ['m'], mock: { seed: 1 }, retries: null },
      ]),
      withSections,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [openai, mock] = result.config.providers;
    expect(openai).toMatchObject({
      base_url: 'https://api.openai.com/v1',
      retries: { max_attempts: 4, retry_on: ['rate_limited', 'server_error'] },
      rate_limits: { requests_per_minute: 500, tokens_per_minute: 90000 },
      circuit_breaker: { failure_threshold: 3 },
    });
    // An empty `retries:` in YAML is absent.
    expect(mock?.retries).toBeUndefined();
  });

  it('report a bad value by its path in the entry and what is valid, in the order written', () => {
    expect(
      problems(
        config([
          {
            type: 'mock',
            rate_limits: { requests_per_mnute: 60 },
            models: ['m'],
            retries: { max_attempts: 0 },
            circuit_breaker: 'on',
          },
        ]),
      ),
    ).toEqual([
      'providers[0].rate_limits.requests_per_mnute: unknown key, did you mean "requests_per_minute"?',
      'providers[0].retries.max_attempts: must be a whole number of attempts >= 1 (1 = no retries), got 0',
      'providers[0].circuit_breaker: must be an object of circuit breaker settings (failure_threshold, cool_down_ms, trip_on), got "on"',
    ]);
  });

  it('are listed among the valid keys of an entry with a key it cannot guess', () => {
    expect(problems(config([{ type: 'mock', models: ['m'], retry: { max_attempts: 2 } }]))).toEqual(
      [
        'providers[0].retry: unknown key; valid keys here: name, type, models, options, headers, timeouts, max_event_bytes, retries, rate_limits, circuit_breaker, mock, api',
      ],
    );
  });

  it('are unknown keys for a program that registered none', () => {
    const [line] = problems(
      config([{ type: 'mock', models: ['m'], retries: { max_attempts: 2 } }]),
      extensions,
    );
    expect(line).toMatch(/^providers\[0\]\.retries: unknown key/);
  });

  it('may not take the name of a key every provider already has', () => {
    const clashing: ConfigExtensions = {
      ...extensions,
      providerSections: { timeouts: z.unknown() },
    };
    expect(() => validateConfig(config([{ type: 'mock', models: ['m'] }]), clashing)).toThrow(
      /providerSections: "timeouts" is a key every provider entry already has/,
    );
  });
});

describe('max_cost_usd', () => {
  it('is a cost in USD > 0 at the top level, also as text from an environment variable', () => {
    const parsed = parseConfig(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${VAR} reference under test
      config([{ type: 'mock', models: ['m'] }], { max_cost_usd: '${BUDGET}' }),
      { env: { BUDGET: '2.50' }, extensions },
    );
    expect(parsed.max_cost_usd).toBe(2.5);
    expect(
      problems(config([{ type: 'mock', models: ['m'] }], { max_cost_usd: 0 }), extensions),
    ).toEqual(['max_cost_usd: must be a cost in USD > 0, such as 5.00, got 0']);
  });
});

describe('resilience flags', () => {
  const file = () =>
    parseConfig(
      config(
        [
          {
            name: 'limited',
            type: 'mock',
            models: ['m'],
            retries: { base_delay_ms: 200 },
            rate_limits: { tokens_per_minute: 60000, burst_tokens: 4000 },
          },
          { name: 'plain', type: 'mock', models: ['m'] },
        ],
        { max_cost_usd: 10 },
      ),
      { env: {}, extensions: withSections },
    );

  it("--max-attempts, --rpm and --tpm set every provider's sections, keeping their other keys", () => {
    const merged = applyOverrides(
      file(),
      { maxAttempts: 3, rpm: 120 },
      { extensions: withSections },
    );
    expect(merged.providers.map((p) => [p.name, p.retries, p.rate_limits])).toEqual([
      [
        'limited',
        { base_delay_ms: 200, max_attempts: 3 },
        { tokens_per_minute: 60000, burst_tokens: 4000, requests_per_minute: 120 },
      ],
      ['plain', { max_attempts: 3 }, { requests_per_minute: 120 }],
    ]);
    const tokens = applyOverrides(undefined, { tpm: 30000 }, { extensions: withSections });
    expect(tokens.providers[0]?.rate_limits).toEqual({ tokens_per_minute: 30000 });
  });

  it("--max-cost sets the run's budget over the config's", () => {
    expect(file().max_cost_usd).toBe(10);
    expect(
      applyOverrides(file(), { maxCost: 0.5 }, { extensions: withSections }).max_cost_usd,
    ).toBe(0.5);
    expect(
      applyOverrides(undefined, { maxCost: 2 }, { extensions: withSections }).max_cost_usd,
    ).toBe(2);
  });

  it('reports bad values under the flags, once each', () => {
    expect(
      thrownIssues(() =>
        applyOverrides(
          file(),
          { maxAttempts: 1.5, rpm: 0, tpm: -1, maxCost: 0 },
          { extensions: withSections },
        ),
      ),
    ).toEqual([
      '--max-attempts: must be a whole number of attempts >= 1 (1 = no retries), got 1.5',
      '--rpm: must be a whole number of requests per minute >= 1, got 0',
      '--tpm: must be a whole number of tokens per minute >= 1, got -1',
      '--max-cost: must be a cost in USD > 0, such as 5.00, got 0',
    ]);
  });

  it('refuses --max-attempts, --rpm and --tpm when no package registered their sections', () => {
    expect(
      thrownIssues(() => applyOverrides(undefined, { maxAttempts: 3, tpm: 10 }, { extensions })),
    ).toEqual([
      "--max-attempts: sets every provider's retries section, which no package registered with this program (the executor adds it through providerSections)",
      "--tpm: sets every provider's rate_limits section, which no package registered with this program (the executor adds it through providerSections)",
    ]);
  });
});

describe('CI gates and history keys', () => {
  const mock = [{ type: 'mock', models: ['m'] }];
  it('takes thresholds, abort_on_fail, baseline, regressions and history as written', () => {
    const parsed = parseConfig(
      config(mock, {
        thresholds: ['ttft.p95<800', 'success_rate>=0.99'],
        abort_on_fail: 'true',
        baseline: 'history:latest',
        regressions: ['ttft.p95:+10%'],
        history: { tags: ['nightly'], records: true },
      }),
      { extensions },
    );
    expect(parsed.thresholds).toEqual(['ttft.p95<800', 'success_rate>=0.99']);
    expect(parsed.abort_on_fail).toBe(true);
    expect(parsed.baseline).toBe('history:latest');
    expect(parsed.regressions).toEqual(['ttft.p95:+10%']);
    expect(parsed.history).toEqual({ tags: ['nightly'], records: true });
    expect(parseConfig(config(mock, { history: true }), { extensions }).history).toBe(true);
  });

  it('names the field of a threshold that is not text and a history key that does not exist', () => {
    expect(problems(config(mock, { thresholds: ['ttft.p95<800', 5] }), extensions)).toEqual([
      "thresholds[1]: must be a threshold expression such as 'ttft.p95<800', got 5",
    ]);
    const [history] = problems(config(mock, { history: { tag: ['x'] } }), extensions);
    expect(history).toMatch(/^history/);
  });
});
