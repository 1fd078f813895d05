import { configHash, type LensConfig } from '@llm-lens/config';
import type { KneeThresholds, RunSummary } from '@llm-lens/metrics';
import { ExecutorError } from './executor-error.js';
import {
  type BenchmarkPlan,
  type BenchmarkTarget,
  expandSweep,
  type ScenarioConversations,
  type ScenarioPlan,
  type ScenarioPrompts,
} from './plan.js';
import { type RunOptions, runPlan } from './run-plan.js';
import type { SaturationGuardOptions } from './saturation-guard.js';

/** Turns a validated config into a plan, given the targets built for it (one per provider model). */
export function planFromConfig(
  config: LensConfig,
  targets: readonly BenchmarkTarget[],
  prompts?: ReadonlyMap<string, ScenarioPrompts>,
  conversations?: ReadonlyMap<string, ScenarioConversations>,
): BenchmarkPlan {
  const scenarios = config.scenarios.flatMap((s): ScenarioPlan[] => {
    const { type, ...settings } = s.load;
    const scenario: ScenarioPlan = {
      name: s.name,
      prompt: s.messages ?? s.prompt ?? '',
      requests: s.requests ?? Number.POSITIVE_INFINITY,
      concurrency: s.concurrency,
      warmup: s.warmup,
      load: { type, settings },
      stream: s.stream,
    };
    if (s.duration !== undefined) scenario.durationMs = s.duration * 1000;
    if (s.warmup_duration !== undefined) scenario.warmupDurationMs = s.warmup_duration * 1000;
    if (s.cooldown !== undefined) scenario.cooldownMs = s.cooldown * 1000;
    if (s.timeout_ms !== undefined) scenario.timeoutMs = s.timeout_ms;
    if (s.max_tokens !== undefined) scenario.maxTokens = s.max_tokens;
    if (s.min_tokens !== undefined) scenario.minTokens = s.min_tokens;
    if (s.temperature !== undefined) scenario.temperature = s.temperature;
    if (s.providers !== undefined) scenario.providers = s.providers;
    const scenarioPrompts = prompts?.get(s.name);
    if (scenarioPrompts !== undefined) {
      scenario.prompts = scenarioPrompts;
      const offsets = scenarioPrompts.offsetsMs;
      if (offsets !== undefined) {
        scenario.load = { type: 'replay', settings: { offsets_ms: offsets } };
        scenario.requests = offsets.length;
      }
    } else if (s.prompts !== undefined || s.replay !== undefined) {
      throw new ExecutorError(
        'LENS_EXECUTOR_PLAN_INVALID',
        `scenario ${JSON.stringify(s.name)} has a prompts: source but no prompts were loaded for it; load them (loadPromptSet of @llm-lens/workloads) and pass them as the prompts option`,
      );
    }
    const sessions = conversations?.get(s.name);
    if (sessions !== undefined) {
      scenario.conversations = {
        ...sessions,
        ...(s.conversation_history === undefined ? {} : { history: s.conversation_history }),
      };
    } else if (s.conversations !== undefined) {
      throw new ExecutorError(
        'LENS_EXECUTOR_PLAN_INVALID',
        `scenario ${JSON.stringify(s.name)} has a conversations: source but no conversations were loaded for it; load them (loadConversationSet of @llm-lens/workloads) and pass them as the conversations option`,
      );
    }
    const sweep = s.sweep;
    if (sweep === undefined) return [scenario];
    const parameter = sweep.concurrency !== undefined ? 'concurrency' : 'rate';
    const thresholds: KneeThresholds = {};
    if (sweep.min_gain !== undefined) thresholds.minGain = sweep.min_gain;
    if (sweep.ttft_p95_ms !== undefined) thresholds.ttftP95Ms = sweep.ttft_p95_ms;
    if (sweep.max_error_rate !== undefined) thresholds.maxErrorRate = sweep.max_error_rate;
    return expandSweep(scenario, parameter, sweep[parameter] ?? [], thresholds);
  });
  return { targets, scenarios };
}

export interface RunBenchmarkOptions extends RunOptions {
  /** The provider adapters and connection pools, one target per configured provider model. */
  targets: readonly BenchmarkTarget[];
  /** The prompts of each scenario with a `prompts:` source, by scenario name, loaded before. */
  prompts?: ReadonlyMap<string, ScenarioPrompts>;
  /** The sessions of each scenario with a `conversations:` source, by scenario name, loaded before. */
  conversations?: ReadonlyMap<string, ScenarioConversations>;
}

/**
 * Runs a whole config: every scenario against every target, and returns the summary.
 * The config's fidelity threshold and worker count apply unless the options set them.
 */
export function runBenchmark(
  config: LensConfig,
  options: RunBenchmarkOptions,
): Promise<RunSummary> {
  const { targets, prompts, conversations, ...runOptions } = options;
  return runPlan(planFromConfig(config, targets, prompts, conversations), {
    clientBoundP99Ms: config.fidelity.event_loop_delay_p99_ms,
    ...(config.slo === undefined ? {} : { slo: config.slo }),
    ...(config.max_cost_usd === undefined ? {} : { maxCostUsd: config.max_cost_usd }),
    ...(config.repeat === undefined ? {} : { repeat: config.repeat }),
    ...saturationGuardOf(config.saturation_guard),
    workers: config.workers,
    ...runOptions,
    meta: { configHash: configHash(config), ...runOptions.meta },
  });
}

/** The run option of a config's `saturation_guard` (seconds become ms). */
function saturationGuardOf(
  guard: LensConfig['saturation_guard'],
): Pick<RunOptions, 'saturationGuard'> {
  if (guard === undefined || guard === false) return {};
  if (guard === true) return { saturationGuard: true };
  const options: SaturationGuardOptions = {};
  if (guard.window !== undefined) options.windowMs = guard.window * 1000;
  if (guard.max_error_rate !== undefined) options.maxErrorRate = guard.max_error_rate;
  if (guard.error_windows !== undefined) options.errorWindows = guard.error_windows;
  if (guard.rising_windows !== undefined) options.risingWindows = guard.rising_windows;
  if (guard.min_requests !== undefined) options.minRequests = guard.min_requests;
  return { saturationGuard: options };
}
