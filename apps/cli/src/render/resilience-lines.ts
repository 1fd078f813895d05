// The console lines of what the client-side policies did: retries per group, then per
// provider its rate limiter and circuit breaker, then the run's budget (`--max-cost`).
import type {
  BreakerState,
  BreakerSummary,
  BudgetReport,
  RateLimitReport,
  ResilienceSummary,
  RetrySummary,
} from '@llm-lens/metrics';
import { type Colors, formatDuration, formatUsd } from './format.js';

/** Transitions of one breaker listed on the console; the summary JSON has them all. */
const MAX_TRANSITION_LINES = 5;

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * `Retries: 12 retries over 100 requests (rate_limited 9, server_error 3); 11 succeeded after
 * a retry, 1 gave up after 4 attempts`; undefined when the group retried nothing.
 * `maxAttempts` is the provider's `retries.max_attempts`, when known.
 */
export function retriesLine(
  retries: RetrySummary | null,
  maxAttempts: number | undefined,
): string | undefined {
  if (retries === null || retries.retries <= 0) return undefined;
  const byClass = Object.entries(retries.retries_by_class)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([errorClass, n]) => `${errorClass} ${n}`)
    .join(', ');
  const { attempts_exhausted: exhausted, retry_after_too_long: tooLong } = retries.gave_up;
  const outcomes = [`${retries.succeeded_after_retry} succeeded after a retry`];
  if (exhausted > 0) {
    outcomes.push(`${exhausted} gave up after ${maxAttempts ?? 'max_attempts'} attempts`);
  }
  if (tooLong > 0) {
    outcomes.push(`${tooLong} gave up on a Retry-After longer than max_delay_ms`);
  }
  // The rest of those that failed after a retry ended on a class the policy does not retry.
  const otherFailures = retries.failed_after_retry - exhausted - tooLong;
  if (otherFailures > 0) {
    outcomes.push(`${otherFailures} failed after a retry on an error not retried`);
  }
  return (
    `Retries: ${count(retries.retries, 'retry', 'retries')} over ${count(retries.requests, 'request', 'requests')}` +
    `${byClass === '' ? '' : ` (${byClass})`}; ${outcomes.join(', ')}`
  );
}

/** `Rate limits (openai): 40 of 120 requests waited, 3.2 s in all, longest 410 ms · limits 500 requests/min`. */
export function rateLimitLine(provider: string, report: RateLimitReport): string {
  const limits = [
    report.requests_per_minute === null ? '' : `${report.requests_per_minute} requests/min`,
    report.tokens_per_minute === null ? '' : `${report.tokens_per_minute} tokens/min`,
  ].filter((limit) => limit !== '');
  const what =
    report.delayed > 0
      ? `${report.delayed} of ${count(report.reservations, 'request', 'requests')} waited, ${formatDuration(report.wait_ms_total)} in all, longest ${formatDuration(report.wait_ms_max)}`
      : `never waited (${count(report.reservations, 'request', 'requests')})`;
  return `Rate limits (${provider}): ${what}${limits.length === 0 ? '' : ` · limits ${limits.join(', ')}`}`;
}

/**
 * `Circuit breaker (openai): opened 2 times, open 61.0 s in all; ends closed`, then its
 * transitions, each with its time from the run's start and its reason; none when the breaker
 * never opened.
 */
export function circuitBreakerLines(
  provider: string,
  breaker: BreakerSummary,
  runStartedAt: string,
  colors: Colors,
): string[] {
  if (breaker.tripped <= 0) return [];
  const head = `Circuit breaker (${provider}): opened ${count(breaker.tripped, 'time', 'times')}, open ${formatDuration(breaker.open_ms_total)} in all; ends ${stateName(breaker.state)}`;
  const lines = [breaker.state === 'closed' ? head : colors.yellow(head)];
  const start = Date.parse(runStartedAt);
  for (const transition of breaker.transitions.slice(0, MAX_TRANSITION_LINES)) {
    const at = Date.parse(transition.at) - start;
    const when = Number.isFinite(at) ? `+${formatDuration(Math.max(0, at))}` : transition.at;
    lines.push(
      colors.dim(
        `  ${when} ${stateName(transition.from)} → ${stateName(transition.to)}: ${transition.reason}`,
      ),
    );
  }
  const more = breaker.transitions.length - MAX_TRANSITION_LINES;
  if (more > 0) {
    lines.push(
      colors.dim(
        `  … ${count(more, 'more transition', 'more transitions')} in the summary (resilience.providers)`,
      ),
    );
  }
  return lines;
}

/** `Budget: $0.42 of $5.00 spent`, with the requests the budget kept from being sent. */
export function budgetLine(budget: BudgetReport): string {
  const parts = [`Budget: ${dollars(budget.spent_usd)} of ${dollars(budget.max_cost_usd)} spent`];
  if (budget.in_flight_usd > 0) parts.push(`${dollars(budget.in_flight_usd)} still reserved`);
  if (budget.refused > 0) parts.push(`${count(budget.refused, 'request', 'requests')} not sent`);
  return parts.join(', ');
}

/**
 * The run's policy lines, after the groups: each provider's rate limiter and tripped circuit
 * breaker, then the budget. The budget's stop is a warning of its own ({@link budgetWarning}).
 */
export function resilienceLines(
  resilience: ResilienceSummary | null,
  runStartedAt: string,
  colors: Colors,
): string[] {
  if (resilience === null) return [];
  const lines: string[] = [];
  for (const provider of resilience.providers) {
    if (provider.rate_limits !== null) {
      lines.push(rateLimitLine(provider.provider, provider.rate_limits));
    }
    if (provider.circuit_breaker !== null) {
      lines.push(
        ...circuitBreakerLines(provider.provider, provider.circuit_breaker, runStartedAt, colors),
      );
    }
  }
  if (resilience.budget !== null) lines.push(budgetLine(resilience.budget));
  return lines;
}

/** Why the budget stopped the run, as a warning line; undefined when it did not. */
export function budgetWarning(resilience: ResilienceSummary | null): string | undefined {
  const stop = resilience?.budget?.stopped_by_budget;
  return stop === null || stop === undefined ? undefined : `warning: ${stop.message}`;
}

/** The provider's `retries.max_attempts`, from the run's resilience block. */
export function maxAttemptsOf(
  resilience: ResilienceSummary | null,
  provider: string,
): number | undefined {
  return resilience?.providers.find((p) => p.provider === provider)?.max_attempts;
}

function stateName(state: BreakerState): string {
  return state === 'half_open' ? 'half-open' : state;
}

/** Dollars and cents for a budget (`$5.00`); below a cent, formatUsd's significant digits. */
function dollars(usd: number): string {
  return usd === 0 || usd >= 0.01 ? `$${usd.toFixed(2)}` : formatUsd(usd);
}
