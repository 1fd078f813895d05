export type {
  BudgetReport,
  BudgetScenario,
  BudgetStop,
  BudgetTarget,
} from './budget-guard.js';
export {
  assertBudgetEnforceable,
  BudgetGuard,
  billedCostUsd,
  worstCaseCostUsd,
} from './budget-guard.js';
export type {
  BreakerReport,
  BreakerState,
  BreakerTransition,
  BreakerWait,
  CircuitBreakerOptions,
} from './circuit-breaker.js';
export {
  CircuitBreaker,
  DEFAULT_COOL_DOWN_MS,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_TRIP_ON,
  PROBE_RECHECK_MS,
} from './circuit-breaker.js';
export {
  estimateInputTokens,
  mergeResilienceSummaries,
  ProviderGuards,
  RunGuards,
} from './provider-guards.js';
export type { RandomSource } from './random-source.js';
export { seededRandom } from './random-source.js';
export type { RateLimiterOptions, RateLimitReport } from './rate-limiter.js';
export { estimateRequestTokens, RateLimiter } from './rate-limiter.js';
export type {
  CircuitBreakerConfig,
  RateLimitsConfig,
  RetriesConfig,
} from './resilience-config.js';
export {
  circuitBreakerConfigSchema,
  circuitBreakerFromConfig,
  maxCostUsdSchema,
  rateLimiterFromConfig,
  rateLimitsConfigSchema,
  resilienceProviderShape,
  retriesConfigSchema,
  retryPolicyFromConfig,
} from './resilience-config.js';
export type {
  RetryDecision,
  RetryPolicyOptions,
  RetryStopReason,
} from './retry-policy.js';
export {
  CANCELLED_IS_NEVER_RETRIED,
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_RETRY_ON,
  RetryPolicy,
} from './retry-policy.js';
export type { TokenBucketOptions } from './token-bucket.js';
export { TokenBucket } from './token-bucket.js';
