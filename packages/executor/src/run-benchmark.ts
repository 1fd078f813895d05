import { configHash, type LensConfig } from '@llm-lens/config';
import type { RunSummary } from '@llm-lens/metrics';
import type { BenchmarkPlan, BenchmarkTarget, ScenarioPlan } from './plan.js';
import { type RunOptions, runPlan } from './run-plan.js';

/** Turns a validated config into a plan, given the targets built for it (one per provider model). */
export function planFromConfig(
  config: LensConfig,
  targets: readonly BenchmarkTarget[],
): BenchmarkPlan {
  const scenarios = config.scenarios.map((s): ScenarioPlan => {
    const { type, ...settings } = s.load;
    const scenario: ScenarioPlan = {
      name: s.name,
      prompt: s.messages ?? s.prompt ?? '',
      requests: s.requests,
      concurrency: s.concurrency,
      warmup: s.warmup,
      load: { type, settings },
      stream: s.stream,
    };
    if (s.timeout_ms !== undefined) scenario.timeoutMs = s.timeout_ms;
    if (s.max_tokens !== undefined) scenario.maxTokens = s.max_tokens;
    if (s.temperature !== undefined) scenario.temperature = s.temperature;
    if (s.providers !== undefined) scenario.providers = s.providers;
    return scenario;
  });
  return { targets, scenarios };
}

export interface RunBenchmarkOptions extends RunOptions {
  /** The provider adapters and connection pools, one target per configured provider model. */
  targets: readonly BenchmarkTarget[];
}

/**
 * Runs a whole config: every scenario against every target, and returns the summary.
 * The config's fidelity threshold and worker count apply unless the options set them.
 */
export function runBenchmark(
  config: LensConfig,
  options: RunBenchmarkOptions,
): Promise<RunSummary> {
  const { targets, ...runOptions } = options;
  return runPlan(planFromConfig(config, targets), {
    clientBoundP99Ms: config.fidelity.event_loop_delay_p99_ms,
    workers: config.workers,
    ...runOptions,
    meta: { configHash: configHash(config), ...runOptions.meta },
  });
}
