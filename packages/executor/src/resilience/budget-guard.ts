import type { RequestRecord } from '@llm-lens/core-timing';
import type { BudgetReport, BudgetStop } from '@llm-lens/metrics';
import { type ModelPrice, requestCostUsd } from '@llm-lens/providers-core';
import { ExecutorError } from '../executor-error.js';

export type { BudgetReport, BudgetStop };

// Sums of float prices drift by ulps; a request that lands exactly on the limit still goes.
const ROUNDING_ALLOWANCE_USD = 1e-9;

/**
 * The most a request can cost before it is sent: every input token at the input price and
 * `maxTokens` output tokens at the output price (or the reasoning price, when that is
 * higher: reasoning counts inside max_tokens). Cached-input discounts are left out, as they
 * are not known in advance.
 */
export function worstCaseCostUsd(
  price: ModelPrice,
  inputTokens: number,
  maxTokens: number,
): number {
  const outputPrice = Math.max(price.output, price.reasoning ?? price.output);
  return (
    requestCostUsd(
      { ...price, output: outputPrice },
      { inputTokens, outputTokens: maxTokens, reasoningTokens: 0 },
    ) ?? 0
  );
}

/**
 * What a finished request cost for the budget: its `costUsd` when known; 0 when it never
 * reached a model (an HTTP error response, a connect timeout, a connection refused or a name
 * that does not resolve), as error responses are not billed; otherwise null (a request
 * that timed out or was cut off may have been billed for what was generated, and its usage
 * is unknown), for which {@link BudgetGuard.settle} keeps the worst case it reserved.
 */
export function billedCostUsd(
  record: Pick<
    RequestRecord,
    'costUsd' | 'status' | 'httpStatus' | 'errorClass' | 'errorIsPersistent'
  >,
): number | null {
  if (record.costUsd !== undefined) return record.costUsd;
  if (record.status === 'ok') return null;
  if (record.httpStatus !== undefined && record.httpStatus >= 400) return 0;
  if (record.errorClass === 'timeout_connect') return 0;
  if (record.errorClass === 'network' && record.errorIsPersistent === true) return 0;
  return null;
}

/**
 * Stops dispatching before the estimated spend would pass `maxCostUsd`. Each request
 * reserves its worst case before it is sent ({@link worstCaseCostUsd}); the reservation is
 * replaced by the real cost when it ends. The first refusal stops the guard for the rest of
 * the run, so a budget stop is one clean end, not a stutter of requests let through as
 * in-flight reservations settle.
 */
export class BudgetGuard {
  readonly maxCostUsd: number;
  #spentUsd = 0;
  #inFlightUsd = 0;
  #inFlight = 0;
  #refused = 0;
  #stop: BudgetStop | null = null;

  constructor(options: { maxCostUsd: number }) {
    if (!Number.isFinite(options.maxCostUsd) || options.maxCostUsd <= 0) {
      throw new ExecutorError(
        'LENS_EXECUTOR_PLAN_INVALID',
        `max_cost_usd must be a number of USD > 0, such as 5.00, got ${options.maxCostUsd}`,
      );
    }
    this.maxCostUsd = options.maxCostUsd;
  }

  get isStopped(): boolean {
    return this.#stop !== null;
  }

  get spentUsd(): number {
    return this.#spentUsd;
  }

  get inFlightUsd(): number {
    return this.#inFlightUsd;
  }

  /**
   * Reserves `estimatedCostUsd` (a request's worst case) and returns true when spent +
   * reserved + it stays within the budget; otherwise stops the guard and returns false (and
   * false for every later call).
   */
  tryReserve(estimatedCostUsd: number): boolean {
    if (this.#stop !== null) {
      this.#refused++;
      return false;
    }
    const committed = this.#spentUsd + this.#inFlightUsd;
    if (committed + estimatedCostUsd > this.maxCostUsd + ROUNDING_ALLOWANCE_USD) {
      this.#refused++;
      this.#stop = {
        limit_usd: this.maxCostUsd,
        spent_usd: this.#spentUsd,
        in_flight_usd: this.#inFlightUsd,
        next_request_usd: estimatedCostUsd,
        message: `stopped dispatching: the next request (up to ${usd(estimatedCostUsd)}) on top of ${usd(this.#spentUsd)} spent and ${usd(this.#inFlightUsd)} in flight would pass the budget of ${usd(this.maxCostUsd)}`,
      };
      return false;
    }
    this.#inFlight++;
    this.#inFlightUsd += estimatedCostUsd;
    return true;
  }

  /**
   * A request that reserved `reservedUsd` ended: its `actualUsd` is spent, or, when that is
   * null (unknown: no price, no usage), the reservation itself. See {@link billedCostUsd}.
   */
  settle(reservedUsd: number, actualUsd: number | null): void {
    this.#inFlight--;
    // The last one out clears the float residue of many additions and subtractions.
    this.#inFlightUsd = this.#inFlight === 0 ? 0 : Math.max(0, this.#inFlightUsd - reservedUsd);
    this.#spentUsd += actualUsd ?? reservedUsd;
  }

  report(): BudgetReport {
    return {
      max_cost_usd: this.maxCostUsd,
      spent_usd: this.#spentUsd,
      in_flight_usd: this.#inFlightUsd,
      refused: this.#refused,
      stopped_by_budget: this.#stop,
    };
  }
}

/** The parts of a target the budget check reads (a `BenchmarkTarget` has them). */
export interface BudgetTarget {
  provider: { readonly name: string };
  model: string;
  price?: ModelPrice | undefined;
}

/** The parts of a scenario the budget check reads (a `ScenarioPlan` has them). */
export interface BudgetScenario {
  name: string;
  maxTokens?: number | undefined;
  providers?: readonly string[] | undefined;
}

/**
 * Throws `LENS_EXECUTOR_PLAN_INVALID` unless a budget can be enforced for this plan: every
 * target that runs needs a price, and every scenario a `max_tokens` (without them a
 * request's worst case is unknown, and the guard would pass the budget without knowing).
 */
export function assertBudgetEnforceable(
  maxCostUsd: number,
  targets: readonly BudgetTarget[],
  scenarios: readonly BudgetScenario[],
): void {
  const isRun = (target: BudgetTarget) =>
    scenarios.some(
      (scenario) =>
        scenario.providers === undefined || scenario.providers.includes(target.provider.name),
    );
  const unpriced = targets
    .filter((target) => target.price === undefined && isRun(target))
    .map((target) => `${target.provider.name}/${target.model}`);
  const uncapped = scenarios
    .filter((scenario) => scenario.maxTokens === undefined)
    .map((scenario) => scenario.name);
  const problems: string[] = [];
  if (unpriced.length > 0) {
    problems.push(
      `no price is known for ${unpriced.join(', ')}: give one with --pricing FILE (entries { provider, model, input, output } in USD per 1M tokens)`,
    );
  }
  if (uncapped.length > 0) {
    problems.push(
      `scenario ${uncapped.map((name) => `"${name}"`).join(', ')} has no max_tokens, so a request's cost has no upper bound: set max_tokens`,
    );
  }
  if (problems.length === 0) return;
  throw new ExecutorError(
    'LENS_EXECUTOR_PLAN_INVALID',
    `a budget of ${usd(maxCostUsd)} (--max-cost) cannot be enforced: ${problems.join('; ')}; or run without --max-cost`,
  );
}

/** `$5.00`, `$4.995`, `$0.012345`: cents always, more digits only where they say something. */
function usd(value: number): string {
  return `$${value.toFixed(6).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}
