import type {
  ChatMessage,
  HttpTransport,
  Provider,
  ProviderRequestInput,
} from '@llm-lens/providers-core';
import type { RequestTimeouts } from './request-runner.js';

/** A provider/model to measure, with the transport (connection pool) its requests use. */
export interface BenchmarkTarget {
  provider: Provider;
  transport: HttpTransport;
  model: string;
  /** Extra request-body fields for this provider (config `options`). */
  extraBody?: Readonly<Record<string, unknown>>;
  /** Provider-level timeouts; a scenario's total timeout overrides totalMs. */
  timeouts?: RequestTimeouts;
}

/** One closed-loop workload: `requests` measured requests at `concurrency`, after `warmup`. */
export interface ScenarioPlan {
  name: string;
  prompt: string | readonly ChatMessage[];
  requests: number;
  concurrency: number;
  warmup: number;
  stream: boolean;
  maxTokens?: number;
  temperature?: number;
  /** Per-request total timeout, milliseconds. */
  timeoutMs?: number;
  /** Run only against targets whose provider name is listed; undefined → every target. */
  providers?: readonly string[];
}

/** Every scenario runs against every target, one pair after another. */
export interface BenchmarkPlan {
  targets: readonly BenchmarkTarget[];
  scenarios: readonly ScenarioPlan[];
}

/** What a scenario asks of a target's adapter, for every request of the pair. */
export function requestInput(
  target: BenchmarkTarget,
  scenario: ScenarioPlan,
): ProviderRequestInput {
  const input: ProviderRequestInput = {
    model: target.model,
    prompt: scenario.prompt,
    stream: scenario.stream,
  };
  if (scenario.maxTokens !== undefined) input.maxTokens = scenario.maxTokens;
  if (scenario.temperature !== undefined) input.temperature = scenario.temperature;
  if (target.extraBody) input.extraBody = target.extraBody;
  return input;
}

/** The target's timeouts, with the scenario's total timeout taking precedence. */
export function requestTimeouts(target: BenchmarkTarget, scenario: ScenarioPlan): RequestTimeouts {
  const timeouts: RequestTimeouts = { ...target.timeouts };
  if (scenario.timeoutMs !== undefined) timeouts.totalMs = scenario.timeoutMs;
  return timeouts;
}
