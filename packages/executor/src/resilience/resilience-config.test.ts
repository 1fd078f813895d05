import { strictObject, type z } from '@llm-lens/config-fields';
import { describe, expect, it } from 'vitest';
import {
  circuitBreakerConfigSchema,
  circuitBreakerFromConfig,
  maxCostUsdSchema,
  rateLimiterFromConfig,
  rateLimitsConfigSchema,
  resilienceProviderShape,
  retriesConfigSchema,
  retryPolicyFromConfig,
} from './resilience-config.js';
import { DEFAULT_RETRY_ON } from './retry-policy.js';

/** Every issue of a failed parse as `path: message`. */
function issuesOf(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('retries:', () => {
  it('builds the policy it describes, with the defaults for keys left out', () => {
    const section = retriesConfigSchema.parse({
      max_attempts: 4,
      max_delay_ms: '8000', // ${ENV} substitution yields strings
      retry_on: ['rate_limited', 'timeout_ttft'],
    });
    const policy = retryPolicyFromConfig(section);
    expect(policy.maxAttempts).toBe(4);
    expect(policy.baseDelayMs).toBe(500);
    expect(policy.maxDelayMs).toBe(8000);
    expect([...policy.retryOn]).toEqual(['rate_limited', 'timeout_ttft']);
    const absent = retryPolicyFromConfig(undefined);
    expect(absent.isEnabled).toBe(false);
    expect([...absent.retryOn]).toEqual(DEFAULT_RETRY_ON);
  });

  it('says what is wrong with each bad value, at its own key', () => {
    expect(
      issuesOf(retriesConfigSchema, {
        max_attempts: 0,
        base_delay_ms: 2000,
        max_delay_ms: 1000,
        retry_on: ['rate_limited', 'cancelled', 'server_errors'],
        max_atempts: 3,
      }),
    ).toEqual([
      'max_attempts: must be a whole number of attempts >= 1 (1 = no retries), got 0',
      expect.stringMatching(
        /^retry_on\.2: must be one of rate_limited \| .* got "server_errors" \(did you mean "server_error"\?\)$/,
      ),
      'max_atempts: unknown key, did you mean "max_attempts"?',
      'max_delay_ms: must be at least base_delay_ms (2000), got 1000',
      'retry_on.1: must not be cancelled: an interrupt cancels every request in flight, and retrying them would undo it',
    ]);
    expect(issuesOf(retriesConfigSchema, { retry_on: [] })).toEqual([
      'retry_on: must be a non-empty list of error classes to retry, such as [rate_limited, server_error], got []',
    ]);
  });
});

describe('rate_limits:', () => {
  it('builds a limiter with the burst sized to the largest request', () => {
    const section = rateLimitsConfigSchema.parse({
      requests_per_minute: 500,
      tokens_per_minute: 90_000,
    });
    const limiter = rateLimiterFromConfig(section, {
      providerName: 'openai',
      largestRequestTokens: 3000,
    });
    expect(limiter?.report()).toMatchObject({
      requests_per_minute: 500,
      tokens_per_minute: 90_000,
      burst_requests: 1,
      burst_tokens: 3000,
    });
    expect(rateLimiterFromConfig(undefined)).toBeUndefined();
  });

  it('needs a limit, a limit for each burst, and a burst within its limit', () => {
    expect(issuesOf(rateLimitsConfigSchema, {})).toEqual([
      ': needs requests_per_minute, tokens_per_minute or both',
    ]);
    expect(
      issuesOf(rateLimitsConfigSchema, {
        requests_per_minute: 60,
        burst_requests: 61,
        burst_tokens: 10,
      }),
    ).toEqual([
      'burst_requests: must be at most requests_per_minute (60), got 61',
      'burst_tokens: needs tokens_per_minute',
    ]);
    expect(issuesOf(rateLimitsConfigSchema, { tokens_per_minute: 1.5 })).toEqual([
      'tokens_per_minute: must be a whole number of tokens per minute >= 1, got 1.5',
    ]);
  });
});

describe('circuit_breaker:', () => {
  it('builds a breaker with its settings and defaults', () => {
    const breaker = circuitBreakerFromConfig(
      circuitBreakerConfigSchema.parse({ failure_threshold: 3, trip_on: ['server_error'] }),
    );
    expect(breaker?.failureThreshold).toBe(3);
    expect(breaker?.coolDownNs).toBe(30_000_000_000n);
    expect([...(breaker?.tripOn ?? [])]).toEqual(['server_error']);
    expect(circuitBreakerFromConfig(undefined)).toBeUndefined();
  });

  it('refuses a cool-down that is not a positive number of ms', () => {
    expect(issuesOf(circuitBreakerConfigSchema, { cool_down_ms: -5 })).toEqual([
      'cool_down_ms: must be a time in ms > 0, got -5',
    ]);
  });
});

describe('max_cost_usd and the provider-entry keys', () => {
  it('takes a positive number of USD, from a flag string too', () => {
    expect(maxCostUsdSchema.parse('5.00')).toBe(5);
    expect(issuesOf(maxCostUsdSchema, 0)).toEqual([
      ': must be a cost in USD > 0, such as 5.00, got 0',
    ]);
  });

  it('treats an empty YAML section as absent when spread into a provider entry', () => {
    const entry = strictObject({ ...resilienceProviderShape }, 'a provider entry');
    expect(entry.parse({ retries: null, rate_limits: { requests_per_minute: 10 } })).toEqual({
      rate_limits: { requests_per_minute: 10 },
    });
    expect(issuesOf(entry, { circuit_breaker: { failure_treshold: 2 } })).toEqual([
      'circuit_breaker.failure_treshold: unknown key, did you mean "failure_threshold"?',
    ]);
  });
});
