import { createWallClockAnchor, now, type RequestRecord } from '@llm-lens/core-timing';
import { HttpTransport, type Transport } from '@llm-lens/providers-core';
import { type BenchmarkTarget, requestInput, requestTimeouts, type ScenarioPlan } from './plan.js';
import { preloadForRun, type TokenizerChoice } from './preload.js';
import { executeRequest } from './request-runner.js';

/** Options of {@link profileRequest}. */
export interface ProfileOptions {
  /**
   * Unmeasured requests sent first on a connection of their own, so the profiled request
   * runs in a warm process but still opens (and times) its own connection. Default 1.
   */
  warmups?: number;
  /** The transport warm-up requests use. Default: a new HttpTransport, closed afterwards. */
  warmupTransport?: Transport;
  /** Token counts when the server reports none. Default `offline`. */
  tokenizer?: TokenizerChoice;
  /** Credentials to mask in error messages. */
  secrets?: readonly string[];
}

/**
 * Sends one request of `scenario` to `target`, with everything it would load or compile
 * done beforehand, and returns its record: every phase and every token's arrival.
 */
export async function profileRequest(
  target: BenchmarkTarget,
  scenario: ScenarioPlan,
  options: ProfileOptions = {},
): Promise<RequestRecord> {
  const counters = await preloadForRun(
    [target.model],
    options.tokenizer ?? 'offline',
    scenario.stream ? [target.model] : [],
  );
  const input = requestInput(target, scenario);
  const timeouts = requestTimeouts(target, scenario);
  const anchor = createWallClockAnchor();
  const warmups = options.warmups ?? 1;
  const base = {
    provider: target.provider,
    input,
    scenario: scenario.name,
    anchor,
    timeouts,
    secrets: options.secrets ?? [],
    ...(target.maxEventBytes === undefined ? {} : { maxEventBytes: target.maxEventBytes }),
  };
  if (warmups > 0) {
    const warmTransport = options.warmupTransport ?? new HttpTransport();
    try {
      for (let i = 0; i < warmups; i++) {
        await executeRequest({
          ...base,
          transport: warmTransport,
          requestId: `profile-warmup-${i + 1}`,
          isWarmup: true,
          scheduledNs: now(),
          tokenCounter: undefined,
        });
      }
    } finally {
      if (options.warmupTransport === undefined) await warmTransport.close();
    }
  }
  return executeRequest({
    ...base,
    transport: target.transport,
    requestId: 'profile-1',
    isWarmup: false,
    scheduledNs: now(),
    tokenCounter: counters.get(target.model),
    ...(target.price === undefined ? {} : { price: target.price }),
  });
}
