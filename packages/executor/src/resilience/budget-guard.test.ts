import type { ModelPrice } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { ExecutorError } from '../executor-error.js';
import {
  assertBudgetEnforceable,
  BudgetGuard,
  billedCostUsd,
  worstCaseCostUsd,
} from './budget-guard.js';
import { seededRandom } from './random-source.js';

const PRICE: ModelPrice = { model: 'gpt-4o', input: 2.5, output: 10 };

describe('worstCaseCostUsd', () => {
  it('prices every input token and max_tokens output tokens', () => {
    expect(worstCaseCostUsd(PRICE, 1000, 500)).toBeCloseTo((1000 * 2.5 + 500 * 10) / 1e6, 12);
  });

  it('takes the reasoning price for the output when it is the higher one', () => {
    const reasoning = { ...PRICE, reasoning: 40 };
    expect(worstCaseCostUsd(reasoning, 1000, 500)).toBeCloseTo((1000 * 2.5 + 500 * 40) / 1e6, 12);
    const cheaperReasoning = { ...PRICE, reasoning: 1 };
    expect(worstCaseCostUsd(cheaperReasoning, 1000, 500)).toBe(worstCaseCostUsd(PRICE, 1000, 500));
  });

  it('ignores a cached-input discount, which is not known before sending', () => {
    expect(worstCaseCostUsd({ ...PRICE, cached_input: 0.1 }, 1000, 0)).toBeCloseTo(0.0025, 12);
  });
});

describe('BudgetGuard', () => {
  it('refuses the request whose worst case would pass the limit with what is in flight', () => {
    const guard = new BudgetGuard({ maxCostUsd: 1 });
    expect([0.3, 0.3, 0.3].map((cost) => guard.tryReserve(cost))).toEqual([true, true, true]);
    expect(guard.tryReserve(0.3)).toBe(false);
    expect(guard.isStopped).toBe(true);
    // The three in flight then cost less than reserved: the guard stays stopped.
    for (let i = 0; i < 3; i++) guard.settle(0.3, 0.05);
    expect(guard.tryReserve(0.01)).toBe(false);
    const report = guard.report();
    expect(report.spent_usd).toBeCloseTo(0.15, 12);
    expect(report.in_flight_usd).toBe(0);
    expect(report.refused).toBe(2);
    expect(report.stopped_by_budget).toEqual({
      limit_usd: 1,
      spent_usd: 0,
      in_flight_usd: expect.closeTo(0.9, 12),
      next_request_usd: 0.3,
      message:
        'stopped dispatching: the next request (up to $0.30) on top of $0.00 spent and $0.90 in flight would pass the budget of $1.00',
    });
  });

  it('never lets the spend pass the limit, over a run with many requests in flight', () => {
    const random = seededRandom(11);
    const limit = 5;
    const guard = new BudgetGuard({ maxCostUsd: limit });
    const inFlight: { reserved: number; actual: number }[] = [];
    let sent = 0;
    while (!guard.isStopped) {
      // Keep 8 in flight; finish a random one before sending the next.
      if (inFlight.length === 8) {
        const [done] = inFlight.splice(Math.floor(random() * inFlight.length), 1);
        guard.settle(done!.reserved, done!.actual);
      }
      const worstCase = 0.01 + random() * 0.05;
      if (!guard.tryReserve(worstCase)) break;
      sent++;
      expect(guard.spentUsd + guard.inFlightUsd).toBeLessThanOrEqual(limit + 1e-9);
      inFlight.push({ reserved: worstCase, actual: worstCase * random() });
    }
    for (const done of inFlight) guard.settle(done.reserved, done.actual);
    expect(guard.spentUsd).toBeLessThanOrEqual(limit);
    // It used the budget: the spend is within eight worst cases and one more of the limit.
    expect(guard.spentUsd).toBeGreaterThan(limit - 9 * 0.06);
    expect(sent).toBeGreaterThan(100);
  });

  it('counts an unknown cost at the worst case it reserved', () => {
    const guard = new BudgetGuard({ maxCostUsd: 10 });
    guard.tryReserve(0.4);
    guard.settle(0.4, null);
    guard.tryReserve(0.4);
    guard.settle(0.4, 0.1);
    expect(guard.spentUsd).toBeCloseTo(0.5, 12);
    expect(guard.report().stopped_by_budget).toBeNull();
  });

  it('lets a request through that lands exactly on the limit despite float sums', () => {
    const guard = new BudgetGuard({ maxCostUsd: 0.3 });
    expect(guard.tryReserve(0.1)).toBe(true);
    expect(guard.tryReserve(0.2)).toBe(true); // 0.1 + 0.2 is 0.30000000000000004
    expect(guard.tryReserve(1e-6)).toBe(false);
  });

  it('refuses a limit that is not a positive number', () => {
    expect(() => new BudgetGuard({ maxCostUsd: 0 })).toThrow(
      'max_cost_usd must be a number of USD > 0, such as 5.00, got 0',
    );
    expect(() => new BudgetGuard({ maxCostUsd: Number.NaN })).toThrow(ExecutorError);
  });
});

describe('billedCostUsd', () => {
  const failed = { status: 'error' as const };

  it('is the recorded cost whenever there is one', () => {
    expect(billedCostUsd({ status: 'ok', costUsd: 0.012 })).toBe(0.012);
    expect(billedCostUsd({ ...failed, errorClass: 'timeout_total', costUsd: 0.004 })).toBe(0.004);
  });

  it('is 0 for requests that never reached a model', () => {
    expect(billedCostUsd({ ...failed, errorClass: 'rate_limited', httpStatus: 429 })).toBe(0);
    expect(billedCostUsd({ ...failed, errorClass: 'server_error', httpStatus: 503 })).toBe(0);
    expect(billedCostUsd({ ...failed, errorClass: 'timeout_connect' })).toBe(0);
    expect(billedCostUsd({ ...failed, errorClass: 'network', errorIsPersistent: true })).toBe(0);
  });

  it('is unknown (null) when the request may have been billed', () => {
    expect(billedCostUsd({ status: 'ok' })).toBeNull();
    expect(billedCostUsd({ ...failed, errorClass: 'timeout_total' })).toBeNull();
    expect(
      billedCostUsd({ ...failed, errorClass: 'stream_interrupted', httpStatus: 200 }),
    ).toBeNull();
    expect(billedCostUsd({ ...failed, errorClass: 'network' })).toBeNull();
  });
});

describe('assertBudgetEnforceable', () => {
  const priced = { provider: { name: 'openai' }, model: 'gpt-4o', price: PRICE };
  const unpriced = { provider: { name: 'vllm' }, model: 'llama' };

  it('passes when every target that runs has a price and every scenario a max_tokens', () => {
    expect(() =>
      assertBudgetEnforceable(
        5,
        [priced, unpriced],
        [{ name: 'chat', maxTokens: 256, providers: ['openai'] }],
      ),
    ).not.toThrow();
  });

  it('names every unpriced target and every uncapped scenario in one message', () => {
    let error: unknown;
    try {
      assertBudgetEnforceable(
        5,
        [priced, unpriced],
        [{ name: 'chat', maxTokens: 256 }, { name: 'essay' }],
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ExecutorError);
    expect((error as ExecutorError).code).toBe('LENS_EXECUTOR_PLAN_INVALID');
    expect((error as ExecutorError).message).toBe(
      'a budget of $5.00 (--max-cost) cannot be enforced: no price is known for vllm/llama: give one with --pricing FILE (entries { provider, model, input, output } in USD per 1M tokens); scenario "essay" has no max_tokens, so a request\'s cost has no upper bound: set max_tokens; or run without --max-cost',
    );
  });
});
