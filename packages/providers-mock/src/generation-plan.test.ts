import { describe, expect, it } from 'vitest';
import type { CompletionRequest } from './completion-request.js';
import { planGeneration, plannedEvent } from './generation-plan.js';
import { resolveSimulatorOptions, type SimulatorOptions } from './simulator-options.js';

function chatRequest(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    endpoint: 'chat',
    model: 'mock-model',
    stream: true,
    includeUsage: false,
    continuousUsage: false,
    maxTokens: undefined,
    minTokens: undefined,
    ignoreEos: false,
    promptTokens: 10,
    supportsReasoning: true,
    ...overrides,
  };
}

function plan(options: SimulatorOptions, request: Partial<CompletionRequest> = {}, seed = 1) {
  return planGeneration(
    chatRequest(request),
    resolveSimulatorOptions({ seed: 1, ...options }),
    seed,
  );
}

describe('planGeneration', () => {
  it('plans the configured output with one token per event by default', () => {
    const p = plan({ outputTokens: 20 });
    expect(p).toMatchObject({
      fault: undefined,
      completionTokens: 20,
      contentTokens: 20,
      reasoningTokens: 0,
      eventCount: 20,
      finishReason: 'stop',
      faultAtEvent: 10,
    });
    expect(p.ttftNs).toBe(150_000_000n);
  });

  it('caps the output at max_tokens and reports finish_reason length', () => {
    const p = plan({ outputTokens: 64 }, { maxTokens: 5 });
    expect(p.completionTokens).toBe(5);
    expect(p.finishReason).toBe('length');
  });

  it('stops on its own below max_tokens', () => {
    const p = plan({ outputTokens: 8 }, { maxTokens: 100 });
    expect(p.completionTokens).toBe(8);
    expect(p.finishReason).toBe('stop');
  });

  it('honours vLLM ignore_eos and min_tokens', () => {
    expect(plan({ outputTokens: 8 }, { maxTokens: 100, ignoreEos: true }).completionTokens).toBe(
      100,
    );
    expect(plan({ outputTokens: 8 }, { minTokens: 30 }).completionTokens).toBe(30);
  });

  it('puts reasoning first and counts it against max_tokens', () => {
    const p = plan({ outputTokens: 10, reasoningTokens: 4 });
    expect(p).toMatchObject({ reasoningTokens: 4, contentTokens: 10, completionTokens: 14 });
    expect(plannedEvent(p, 0)).toEqual({ isReasoning: true, firstToken: 0, tokens: 1 });
    expect(plannedEvent(p, 3)).toEqual({ isReasoning: true, firstToken: 3, tokens: 1 });
    expect(plannedEvent(p, 4)).toEqual({ isReasoning: false, firstToken: 0, tokens: 1 });
    const capped = plan({ outputTokens: 10, reasoningTokens: 4 }, { maxTokens: 6 });
    expect(capped).toMatchObject({ reasoningTokens: 4, contentTokens: 2, finishReason: 'length' });
  });

  it('emits no reasoning on legacy completions', () => {
    const p = plan(
      { outputTokens: 10, reasoningTokens: 4 },
      { endpoint: 'completions', supportsReasoning: false },
    );
    expect(p).toMatchObject({ reasoningTokens: 0, contentTokens: 10 });
  });

  it('packs tokensPerEvent tokens per event, with a shorter last event in each phase', () => {
    const p = plan({ outputTokens: 7, reasoningTokens: 4, tokensPerEvent: 3 });
    expect(p.reasoningEvents).toBe(2);
    expect(p.eventCount).toBe(5);
    const events = Array.from({ length: p.eventCount }, (_, i) => plannedEvent(p, i));
    expect(events.map((e) => [e.isReasoning, e.tokens])).toEqual([
      [true, 3],
      [true, 1],
      [false, 3],
      [false, 3],
      [false, 1],
    ]);
    expect(events.map((e) => e.firstToken)).toEqual([0, 3, 0, 3, 6]);
  });

  it('draws output lengths uniformly within the configured range', () => {
    const lengths = new Set<number>();
    for (let seed = 0; seed < 300; seed++) {
      lengths.add(plan({ outputTokens: { min: 3, max: 6 } }, {}, seed).completionTokens);
    }
    expect([...lengths].sort()).toEqual([3, 4, 5, 6]);
  });

  it('gives each fault its configured share, exclusively', () => {
    const counts = new Map<string, number>();
    const faults = {
      rateLimitRate: 0.1,
      serverErrorRate: 0.2,
      dropRate: 0.1,
      stallRate: 0.1,
      midStreamErrorRate: 0.1,
    };
    const n = 10_000;
    for (let seed = 0; seed < n; seed++) {
      const fault = plan({ faults }, {}, seed).fault ?? 'none';
      counts.set(fault, (counts.get(fault) ?? 0) + 1);
    }
    expect((counts.get('rate_limit') ?? 0) / n).toBeCloseTo(0.1, 1);
    expect((counts.get('server_error') ?? 0) / n).toBeCloseTo(0.2, 1);
    expect((counts.get('drop') ?? 0) / n).toBeCloseTo(0.1, 1);
    expect((counts.get('stall') ?? 0) / n).toBeCloseTo(0.1, 1);
    expect((counts.get('mid_stream_error') ?? 0) / n).toBeCloseTo(0.1, 1);
    expect((counts.get('none') ?? 0) / n).toBeCloseTo(0.4, 1);
  });

  it('draws the same fault, length and TTFT for the same request seed', () => {
    const options = {
      outputTokens: { min: 1, max: 100 },
      ttftMs: { distribution: 'lognormal', medianMs: 100, sigma: 0.5 },
      faults: { dropRate: 0.5 },
    } as const;
    for (let seed = 0; seed < 20; seed++) {
      const a = plan(options, {}, seed);
      const b = plan(options, {}, seed);
      expect([a.fault, a.completionTokens, a.ttftNs]).toEqual([
        b.fault,
        b.completionTokens,
        b.ttftNs,
      ]);
      expect(a.random.next()).toBe(b.random.next());
    }
  });
});
