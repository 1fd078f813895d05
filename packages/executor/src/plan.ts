import type {
  ChatMessage,
  ModelPrice,
  Provider,
  ProviderRequestInput,
  ProviderSettings,
  Transport,
} from '@llm-lens/providers-core';
import type { RequestTimeouts } from './request-runner.js';

/** A provider/model to measure, with the transport (connection pool) its requests use. */
export interface BenchmarkTarget {
  provider: Provider;
  transport: Transport;
  model: string;
  /** Extra request-body fields for this provider (config `options`). */
  extraBody?: Readonly<Record<string, unknown>>;
  /** Provider-level timeouts; a scenario's total timeout overrides totalMs. */
  timeouts?: RequestTimeouts;
  /** Largest response line, event or body accepted, bytes. Default `DEFAULT_MAX_EVENT_BYTES`. */
  maxEventBytes?: number;
  /** The model's price (from `createTargets`' price book); without one, cost is unknown. */
  price?: ModelPrice;
  /**
   * How a worker thread builds the same target: a registered provider type and settings
   * (see `createTargets`). Required to run with more than one worker thread.
   */
  portable?: { type: string; settings: ProviderSettings };
}

/** How a scenario schedules its requests: a registered load pattern and its settings. */
export interface LoadPlan {
  /** A load pattern's `type` (`closed`, ...), resolved through the registry. */
  type: string;
  /** The pattern's own settings, validated by its schema. */
  settings: Record<string, unknown>;
}

/** One workload: `requests` measured requests after `warmup`, scheduled by its load pattern. */
export interface ScenarioPlan {
  name: string;
  prompt: string | readonly ChatMessage[];
  /** Measured requests. */
  requests: number;
  /** Most requests in flight at once (the closed loop's slots). */
  concurrency: number;
  /** Unmeasured requests sent first, closed-loop at `concurrency`. */
  warmup: number;
  /** How requests are scheduled; default the closed loop. */
  load?: LoadPlan;
  stream: boolean;
  maxTokens?: number;
  temperature?: number;
  /** Per-request total timeout, ms; wins over the target's. Unset: the target's, else 120000. */
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
  target: Pick<BenchmarkTarget, 'model' | 'extraBody'>,
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

/** The total timeout of a request when neither its scenario nor its provider sets one, ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

/**
 * A request's timeouts. The total: the scenario's (`--timeout` sets every scenario's), else
 * the provider's `timeouts.total_ms`, else {@link DEFAULT_REQUEST_TIMEOUT_MS}. TTFT and idle
 * limits are the provider's (`--ttft-timeout` and `--idle-timeout` set every provider's);
 * unset, there are none beyond the transport's own header and body timeouts.
 */
export function requestTimeouts(
  target: Pick<BenchmarkTarget, 'timeouts'>,
  scenario: Pick<ScenarioPlan, 'timeoutMs'>,
): RequestTimeouts {
  const timeouts: RequestTimeouts = { ...target.timeouts };
  timeouts.totalMs = scenario.timeoutMs ?? target.timeouts?.totalMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return timeouts;
}
