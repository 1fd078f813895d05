// The run summary's `resilience` block: what the client-side policies of a run did. The
// executor fills it; it lives here because the summary is this package's contract.

/** What a provider's rate limiter did. */
export interface RateLimitReport {
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  burst_requests: number | null;
  burst_tokens: number | null;
  /** Reservations made (each attempt of a request is one). */
  reservations: number;
  /** Reservations that had to wait. */
  delayed: number;
  /** Sum and longest of those waits, ms. */
  wait_ms_total: number;
  wait_ms_max: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

/** One change of a circuit breaker's state. */
export interface BreakerTransitionSummary {
  /** When, ISO 8601. */
  at: string;
  from: BreakerState;
  to: BreakerState;
  /** Why, in words: `5 consecutive failures (last: server_error)`, `probe succeeded`. */
  reason: string;
}

/** What a provider's circuit breaker did. */
export interface BreakerSummary {
  /** Its state at the end of the run. */
  state: BreakerState;
  /** Times it opened: trips from closed and re-opens after a failed probe. */
  tripped: number;
  /** Time spent open or half-open (requests held back), ms. */
  open_ms_total: number;
  transitions: BreakerTransitionSummary[];
}

/** Why the budget guard stopped dispatching. */
export interface BudgetStop {
  limit_usd: number;
  /** Spent, and reserved by requests in flight, when it stopped, USD. */
  spent_usd: number;
  in_flight_usd: number;
  /** The worst case of the request it refused, USD. */
  next_request_usd: number;
  message: string;
}

/** What the budget guard (`--max-cost`) did. */
export interface BudgetReport {
  max_cost_usd: number;
  /** Spent by finished requests (unknown costs at their worst case), USD. */
  spent_usd: number;
  /** Still reserved by requests in flight, USD. */
  in_flight_usd: number;
  /** Requests refused because of the budget. */
  refused: number;
  stopped_by_budget: BudgetStop | null;
}

/** The policies of one provider; a policy it does not have is null. */
export interface ProviderResilience {
  provider: string;
  /** Total attempts allowed per request (1: no retries). */
  max_attempts: number;
  rate_limits: RateLimitReport | null;
  circuit_breaker: BreakerSummary | null;
}

/** The run summary's `resilience` block. */
export interface ResilienceSummary {
  /** Providers with at least one policy. */
  providers: ProviderResilience[];
  budget: BudgetReport | null;
}
