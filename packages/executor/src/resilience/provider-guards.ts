import { type ErrorClass, type WallClockAnchor, wallMsAt } from '@llm-lens/core-timing';
import type { ProviderResilience, ResilienceSummary } from '@llm-lens/metrics';
import type { ChatMessage } from '@llm-lens/providers-core';
import { ExecutorError } from '../executor-error.js';
import { evenShare } from '../load/load-pattern.js';
import type { TargetResilience } from '../plan.js';
import { BudgetGuard } from './budget-guard.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { type RandomSource, seededRandom } from './random-source.js';
import { RateLimiter } from './rate-limiter.js';
import { RetryPolicy } from './retry-policy.js';

/** The retry policy of a provider without `retries:`: one attempt. */
const NO_RETRIES = new RetryPolicy();

/**
 * Input tokens of a prompt before it is sent, for the rate limiter's and the budget's
 * reservations: one per 3 characters (English runs near 4, so this errs high) plus 4 per
 * chat message for its role and framing. The real count replaces it when the request ends.
 */
export function estimateInputTokens(prompt: string | readonly ChatMessage[]): number {
  if (typeof prompt === 'string') return Math.ceil(prompt.length / 3);
  let tokens = 0;
  for (const message of prompt) {
    const content = (message as { content?: unknown }).content;
    const chars =
      typeof content === 'string' ? content.length : JSON.stringify(content ?? '').length;
    tokens += 4 + Math.ceil(chars / 3);
  }
  return tokens;
}

/** The policies of one provider on this thread, shared by its pairs. */
export class ProviderGuards {
  readonly providerName: string;
  readonly retry: RetryPolicy;
  readonly limiter: RateLimiter | undefined;
  readonly breaker: CircuitBreaker | undefined;
  /** Backoff draws, seeded per provider and thread: the same delays run after run. */
  readonly random: RandomSource;

  constructor(
    providerName: string,
    resilience: TargetResilience | undefined,
    share: { index: number; count: number; seed: number },
  ) {
    this.providerName = providerName;
    this.retry =
      resilience?.retries === undefined ? NO_RETRIES : new RetryPolicy(resilience.retries);
    this.breaker =
      resilience?.circuitBreaker === undefined
        ? undefined
        : new CircuitBreaker(resilience.circuitBreaker);
    this.limiter =
      resilience?.rateLimits === undefined
        ? undefined
        : new RateLimiter({
            ...threadShare(providerName, resilience.rateLimits, share.index, share.count),
            providerName,
          });
    this.random = seededRandom(share.seed);
  }

  /** Whether a request of this provider waits for anything before it is sent. */
  get isGated(): boolean {
    return this.limiter !== undefined || this.breaker !== undefined;
  }

  /** The block of the outputs; null when the provider has no policy. */
  report(anchor: WallClockAnchor, nowNs: bigint): ProviderResilience | null {
    if (!this.retry.isEnabled && this.limiter === undefined && this.breaker === undefined) {
      return null;
    }
    const breaker = this.breaker?.report(nowNs);
    return {
      provider: this.providerName,
      max_attempts: this.retry.maxAttempts,
      rate_limits: this.limiter?.report() ?? null,
      circuit_breaker:
        breaker === undefined
          ? null
          : {
              state: breaker.state,
              tripped: breaker.tripped,
              open_ms_total: breaker.open_ms_total,
              transitions: breaker.transitions.map((t) => ({
                at: new Date(wallMsAt(anchor, t.atNs)).toISOString(),
                from: t.from,
                to: t.to,
                reason: t.reason,
              })),
            },
    };
  }

  /** Tells the breaker how a request it let through at `sentAtNs` ended. */
  onResult(nowNs: bigint, errorClass: ErrorClass | undefined, sentAtNs: bigint): void {
    this.breaker?.onResult(nowNs, errorClass === undefined, errorClass, sentAtNs);
  }
}

/**
 * Thread `index` of `count`'s part of a provider's limits: each limit and burst split as
 * evenly as whole numbers allow, so the threads together keep the provider's limits.
 */
function threadShare(
  providerName: string,
  limits: NonNullable<TargetResilience['rateLimits']>,
  index: number,
  count: number,
): NonNullable<TargetResilience['rateLimits']> {
  if (count === 1) return { ...limits };
  const part = (value: number | undefined, key: string): number | undefined => {
    if (value === undefined) return undefined;
    const share = evenShare(value, index, count);
    if (share < 1) {
      throw new ExecutorError(
        'LENS_EXECUTOR_PLAN_INVALID',
        `provider "${providerName}": rate_limits.${key} (${value}) is split across ${count} worker threads, leaving some with none: raise it to at least ${count} or run with fewer --workers`,
      );
    }
    return share;
  };
  const shared: NonNullable<TargetResilience['rateLimits']> = {};
  const rpm = part(limits.requestsPerMinute, 'requests_per_minute');
  const tpm = part(limits.tokensPerMinute, 'tokens_per_minute');
  if (rpm !== undefined) shared.requestsPerMinute = rpm;
  if (tpm !== undefined) shared.tokensPerMinute = tpm;
  // A burst above a thread's limit is that limit.
  if (limits.burstRequests !== undefined && rpm !== undefined) {
    shared.burstRequests = Math.min(
      rpm,
      Math.max(1, evenShare(limits.burstRequests, index, count)),
    );
  }
  if (limits.burstTokens !== undefined && tpm !== undefined) {
    shared.burstTokens = Math.min(tpm, Math.max(1, evenShare(limits.burstTokens, index, count)));
  }
  return shared;
}

/** Every provider's policies on this thread, and the thread's part of the budget. */
export class RunGuards {
  readonly #byProvider = new Map<string, ProviderGuards>();
  readonly budget: BudgetGuard | undefined;
  readonly #share: { index: number; count: number };

  /**
   * `maxCostUsd`: the run's budget, of which this thread (`index` of `count`) keeps an even
   * part. `seed` makes the backoff draws repeatable.
   */
  constructor(
    options: {
      maxCostUsd?: number | undefined;
      index?: number;
      count?: number;
    } = {},
  ) {
    this.#share = { index: options.index ?? 0, count: options.count ?? 1 };
    this.budget =
      options.maxCostUsd === undefined
        ? undefined
        : new BudgetGuard({ maxCostUsd: options.maxCostUsd / this.#share.count });
  }

  /** The policies of `providerName`, built on first use from its target's `resilience`. */
  for(providerName: string, resilience: TargetResilience | undefined): ProviderGuards {
    let guards = this.#byProvider.get(providerName);
    if (guards === undefined) {
      guards = new ProviderGuards(providerName, resilience, {
        ...this.#share,
        seed: (this.#byProvider.size + 1) * 7919 + this.#share.index,
      });
      this.#byProvider.set(providerName, guards);
    }
    return guards;
  }

  /** The outputs' `resilience` block of this thread; null when no policy was in use. */
  report(anchor: WallClockAnchor, nowNs: bigint): ResilienceSummary | null {
    const providers: ProviderResilience[] = [];
    for (const guards of this.#byProvider.values()) {
      const report = guards.report(anchor, nowNs);
      if (report !== null) providers.push(report);
    }
    if (providers.length === 0 && this.budget === undefined) return null;
    return { providers, budget: this.budget?.report() ?? null };
  }
}

const STATE_RANK = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * The threads' `resilience` blocks as one: counts and limits add up (each thread had its
 * share), the longest wait is the longest of any, a breaker is as open as the most open of
 * its threads', its open time the longest of theirs, and its transitions are merged in time
 * order. Null when every block is.
 */
export function mergeResilienceSummaries(
  blocks: ReadonlyArray<ResilienceSummary | null>,
  options: {
    /**
     * The blocks are successive runs (repeats), not threads of one run: a limit or a budget
     * is the same in each, not a share of it, so it is taken once rather than added up.
     */
    acrossRuns?: boolean;
  } = {},
): ResilienceSummary | null {
  const acrossRuns = options.acrossRuns === true;
  const present = blocks.filter((block): block is ResilienceSummary => block !== null);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0]!;
  const providers = new Map<string, ProviderResilience>();
  for (const block of present) {
    for (const incoming of block.providers) {
      const known = providers.get(incoming.provider);
      providers.set(
        incoming.provider,
        known === undefined
          ? structuredClone(incoming)
          : mergeProvider(known, incoming, acrossRuns),
      );
    }
  }
  let budget: ResilienceSummary['budget'] = null;
  for (const block of present) {
    const part = block.budget;
    if (part === null) continue;
    budget =
      budget === null
        ? structuredClone(part)
        : {
            max_cost_usd: acrossRuns
              ? budget.max_cost_usd
              : budget.max_cost_usd + part.max_cost_usd,
            spent_usd: budget.spent_usd + part.spent_usd,
            in_flight_usd: budget.in_flight_usd + part.in_flight_usd,
            refused: budget.refused + part.refused,
            stopped_by_budget: budget.stopped_by_budget ?? part.stopped_by_budget,
          };
  }
  return { providers: [...providers.values()], budget };
}

function mergeProvider(
  a: ProviderResilience,
  b: ProviderResilience,
  acrossRuns: boolean,
): ProviderResilience {
  // Limits and bursts: each thread had a share (they add up); each run had all of it.
  const sum = (x: number | null, y: number | null) =>
    x === null || y === null ? (x ?? y) : acrossRuns ? x : x + y;
  const limits =
    a.rate_limits === null || b.rate_limits === null
      ? (a.rate_limits ?? b.rate_limits)
      : {
          requests_per_minute: sum(
            a.rate_limits.requests_per_minute,
            b.rate_limits.requests_per_minute,
          ),
          tokens_per_minute: sum(a.rate_limits.tokens_per_minute, b.rate_limits.tokens_per_minute),
          burst_requests: sum(a.rate_limits.burst_requests, b.rate_limits.burst_requests),
          burst_tokens: sum(a.rate_limits.burst_tokens, b.rate_limits.burst_tokens),
          reservations: a.rate_limits.reservations + b.rate_limits.reservations,
          delayed: a.rate_limits.delayed + b.rate_limits.delayed,
          wait_ms_total: a.rate_limits.wait_ms_total + b.rate_limits.wait_ms_total,
          wait_ms_max: Math.max(a.rate_limits.wait_ms_max, b.rate_limits.wait_ms_max),
        };
  const x = a.circuit_breaker;
  const y = b.circuit_breaker;
  const breaker =
    x === null || y === null
      ? (x ?? y)
      : {
          state: STATE_RANK[x.state] >= STATE_RANK[y.state] ? x.state : y.state,
          tripped: x.tripped + y.tripped,
          open_ms_total: Math.max(x.open_ms_total, y.open_ms_total),
          transitions: [...x.transitions, ...y.transitions].sort((p, q) =>
            p.at < q.at ? -1 : p.at > q.at ? 1 : 0,
          ),
        };
  return {
    provider: a.provider,
    max_attempts: Math.max(a.max_attempts, b.max_attempts),
    rate_limits: limits,
    circuit_breaker: breaker,
  };
}
