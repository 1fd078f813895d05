// The config sections of the resilience policies, and the policies built from them. Keys are
// snake_case as in every config file; the policies take camelCase options.
import {
  listOf,
  nonNegativeInt,
  nullAsAbsent,
  oneOf,
  positiveInt,
  positiveNumber,
  strictObject,
  z,
} from '@llm-lens/config-fields';
import { ERROR_CLASSES } from '@llm-lens/core-timing';
import { CircuitBreaker } from './circuit-breaker.js';
import { RateLimiter } from './rate-limiter.js';
import { RetryPolicy } from './retry-policy.js';

const always = { when: () => true };

const errorClassList = (what: string) =>
  listOf(oneOf(ERROR_CLASSES), `a non-empty list of error classes ${what}`, true);

/** A provider entry's `retries:` section. */
export const retriesConfigSchema = strictObject(
  {
    max_attempts: positiveInt('a whole number of attempts >= 1 (1 = no retries)').optional(),
    base_delay_ms: nonNegativeInt('a delay in ms >= 0').optional(),
    max_delay_ms: positiveInt('a delay in ms > 0').optional(),
    retry_on: errorClassList('to retry, such as [rate_limited, server_error]').optional(),
  },
  'an object of retry settings (max_attempts, base_delay_ms, max_delay_ms, retry_on)',
).superRefine((section, ctx) => {
  if (section === null || typeof section !== 'object') return;
  const { base_delay_ms: base, max_delay_ms: max, retry_on: retryOn } = section;
  if (typeof base === 'number' && typeof max === 'number' && max < base) {
    ctx.addIssue({
      code: 'custom',
      path: ['max_delay_ms'],
      message: `must be at least base_delay_ms (${base}), got ${max}`,
    });
  }
  if (Array.isArray(retryOn)) {
    retryOn.forEach((name, index) => {
      if (name !== 'cancelled') return;
      ctx.addIssue({
        code: 'custom',
        path: ['retry_on', index],
        message:
          'must not be cancelled: an interrupt cancels every request in flight, and retrying them would undo it',
      });
    });
  }
}, always);

export type RetriesConfig = z.output<typeof retriesConfigSchema>;

/** A provider entry's `rate_limits:` section. */
export const rateLimitsConfigSchema = strictObject(
  {
    requests_per_minute: positiveInt('a whole number of requests per minute >= 1').optional(),
    tokens_per_minute: positiveInt('a whole number of tokens per minute >= 1').optional(),
    burst_requests: positiveInt('a whole number of requests >= 1').optional(),
    burst_tokens: positiveInt('a whole number of tokens >= 1').optional(),
  },
  'an object of rate limits (requests_per_minute, tokens_per_minute, burst_requests, burst_tokens)',
).superRefine((section, ctx) => {
  if (section === null || typeof section !== 'object') return;
  const rpm = section.requests_per_minute;
  const tpm = section.tokens_per_minute;
  if (rpm === undefined && tpm === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: 'needs requests_per_minute, tokens_per_minute or both',
    });
  }
  const bursts = [
    ['burst_requests', 'requests_per_minute', section.burst_requests, rpm],
    ['burst_tokens', 'tokens_per_minute', section.burst_tokens, tpm],
  ] as const;
  for (const [key, limitKey, burst, limit] of bursts) {
    if (typeof burst !== 'number') continue;
    if (limit === undefined) {
      ctx.addIssue({ code: 'custom', path: [key], message: `needs ${limitKey}` });
    } else if (typeof limit === 'number' && burst > limit) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `must be at most ${limitKey} (${limit}), got ${burst}`,
      });
    }
  }
}, always);

export type RateLimitsConfig = z.output<typeof rateLimitsConfigSchema>;

/** A provider entry's `circuit_breaker:` section. */
export const circuitBreakerConfigSchema = strictObject(
  {
    failure_threshold: positiveInt('a whole number of consecutive failures >= 1').optional(),
    cool_down_ms: positiveInt('a time in ms > 0').optional(),
    trip_on: errorClassList('that count as failures, such as [server_error, network]').optional(),
  },
  'an object of circuit breaker settings (failure_threshold, cool_down_ms, trip_on)',
);

export type CircuitBreakerConfig = z.output<typeof circuitBreakerConfigSchema>;

/** The run's `max_cost_usd` (the `--max-cost` flag). */
export const maxCostUsdSchema = positiveNumber('a cost in USD > 0, such as 5.00');

/**
 * The three sections as optional keys of a provider entry (an empty `retries:` in YAML is
 * absent), ready to be spread into the shape of the entry's common keys.
 */
export const resilienceProviderShape = {
  retries: z.preprocess(nullAsAbsent, retriesConfigSchema.optional()),
  rate_limits: z.preprocess(nullAsAbsent, rateLimitsConfigSchema.optional()),
  circuit_breaker: z.preprocess(nullAsAbsent, circuitBreakerConfigSchema.optional()),
};

/** The retry policy of a validated `retries:` section; absent → no retries. */
export function retryPolicyFromConfig(section: RetriesConfig | undefined): RetryPolicy {
  if (section === undefined) return new RetryPolicy();
  return new RetryPolicy({
    ...(section.max_attempts === undefined ? {} : { maxAttempts: section.max_attempts }),
    ...(section.base_delay_ms === undefined ? {} : { baseDelayMs: section.base_delay_ms }),
    ...(section.max_delay_ms === undefined ? {} : { maxDelayMs: section.max_delay_ms }),
    ...(section.retry_on === undefined ? {} : { retryOn: section.retry_on }),
  });
}

/**
 * The rate limiter of a validated `rate_limits:` section; absent → none. `largestRequestTokens`
 * (input + max_tokens of the provider's largest scenario) sizes the default token burst.
 */
export function rateLimiterFromConfig(
  section: RateLimitsConfig | undefined,
  context: { providerName?: string; largestRequestTokens?: number } = {},
): RateLimiter | undefined {
  if (section === undefined) return undefined;
  return new RateLimiter({
    ...(section.requests_per_minute === undefined
      ? {}
      : { requestsPerMinute: section.requests_per_minute }),
    ...(section.tokens_per_minute === undefined
      ? {}
      : { tokensPerMinute: section.tokens_per_minute }),
    ...(section.burst_requests === undefined ? {} : { burstRequests: section.burst_requests }),
    ...(section.burst_tokens === undefined ? {} : { burstTokens: section.burst_tokens }),
    ...context,
  });
}

/** The circuit breaker of a validated `circuit_breaker:` section; absent → none. */
export function circuitBreakerFromConfig(
  section: CircuitBreakerConfig | undefined,
): CircuitBreaker | undefined {
  if (section === undefined) return undefined;
  return new CircuitBreaker({
    ...(section.failure_threshold === undefined
      ? {}
      : { failureThreshold: section.failure_threshold }),
    ...(section.cool_down_ms === undefined ? {} : { coolDownMs: section.cool_down_ms }),
    ...(section.trip_on === undefined ? {} : { tripOn: section.trip_on }),
  });
}
