import type { KneeThresholds, SweepParameter } from '@llm-lens/metrics';
import type {
  ChatMessage,
  ModelPrice,
  Provider,
  ProviderRequestInput,
  ProviderSettings,
  Transport,
} from '@llm-lens/providers-core';
import type { RequestTimeouts } from './request-runner.js';
import type { CircuitBreakerOptions } from './resilience/circuit-breaker.js';
import type { RateLimiterOptions } from './resilience/rate-limiter.js';
import type { RetryPolicyOptions } from './resilience/retry-policy.js';

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
  /** Client-side policies of the target's provider (its `retries:`, `rate_limits:`, `circuit_breaker:`). */
  resilience?: TargetResilience;
}

/**
 * A provider's resilience policies as plain data (they travel to worker threads). Each
 * thread builds one retry policy, rate limiter and circuit breaker per provider name,
 * shared by every pair of that provider on the thread.
 */
export interface TargetResilience {
  retries?: RetryPolicyOptions;
  rateLimits?: Omit<RateLimiterOptions, 'providerName' | 'largestRequestTokens'>;
  circuitBreaker?: CircuitBreakerOptions;
}

/** How a scenario schedules its requests: a registered load pattern and its settings. */
export interface LoadPlan {
  /** A load pattern's `type` (`closed`, ...), resolved through the registry. */
  type: string;
  /** The pattern's own settings, validated by its schema. */
  settings: Record<string, unknown>;
}

/** What one request of a scenario with a prompt set sends (a workloads `PromptItem`). */
export interface PromptItemPlan {
  prompt: string | readonly ChatMessage[];
  /** This request's output cap; wins over the scenario's `maxTokens`. */
  maxTokens?: number;
  /** This request's floor (vLLM `min_tokens` + `ignore_eos`); wins over the scenario's `minTokens`. */
  minTokens?: number;
}

/**
 * A scenario's prompts, prepared before the run (plain data: it travels to worker threads):
 * request `i` of a pair (warm-up first, then measured, counted across threads) sends
 * `items[i % items.length]`.
 */
export interface ScenarioPrompts {
  /** One line for the console, e.g. `synthetic: 512±128 input tokens (seed 1)`. */
  description: string;
  items: readonly PromptItemPlan[];
  /**
   * A replayed log's offsets, ms from the start (one per item): the scenario then runs the
   * `replay` pattern, request i at offsetsMs[i] with items[i], whatever its `load`.
   */
  offsetsMs?: readonly number[];
}

/** One user turn of a conversation (a workloads `ConversationTurn`). */
export interface ConversationTurnPlan {
  user: string;
  maxTokens?: number;
  minTokens?: number;
  /** The dataset's reply: sent as history when the live one is not (`history: 'recorded'`). */
  recordedReply?: string;
}

/** One session (a workloads `Conversation`): plain data, it travels to worker threads. */
export interface ConversationPlan {
  source: string;
  system?: string;
  turns: readonly ConversationTurnPlan[];
  /** Pause before each turn, ms from the end of the previous reply; [0] is 0. */
  thinkTimeMs: readonly number[];
}

/**
 * A scenario's multi-turn sessions: each request the load pattern sends starts session
 * `items[i % items.length]`, which sends its turns in order, each with the whole history
 * before it, holding its in-flight slot through the think times (a slot is a user).
 */
export interface ScenarioConversations {
  description: string;
  items: readonly ConversationPlan[];
  /**
   * The replies sent back as history: `live` (what the server answered; a failed turn ends
   * its session) or `recorded` (the dataset's, so every run sends the same prompts).
   * Default `live`.
   */
  history?: 'live' | 'recorded';
}

/** The level of a sweep a scenario is (see `expandSweep`). */
export interface SweepLevelPlan {
  /** The scenario the levels were made from. */
  of: string;
  parameter: SweepParameter;
  value: number;
  thresholds?: KneeThresholds;
}

/** One workload: `requests` measured requests after `warmup`, scheduled by its load pattern. */
export interface ScenarioPlan {
  name: string;
  prompt: string | readonly ChatMessage[];
  /** Measured requests; `Infinity` when `durationMs` alone ends the measured phase. */
  requests: number;
  /** The measured phase stops dispatching this long after it started, ms. Undefined: no limit. */
  durationMs?: number;
  /** Most requests in flight at once (the closed loop's slots). */
  concurrency: number;
  /** Unmeasured requests sent first, closed-loop at `concurrency`. */
  warmup: number;
  /** Or (and) a warm-up bounded by time, ms: closed loop at `concurrency` for this long. */
  warmupDurationMs?: number;
  /**
   * Load kept on after the measured phase stops dispatching, ms, unmeasured: the measured
   * phase's last requests then run under the same load as the others. It ends when the
   * last measured request has finished, or after this long, whichever is first; its
   * requests still in flight are cancelled.
   */
  cooldownMs?: number;
  /** How requests are scheduled; default the closed loop. */
  load?: LoadPlan;
  stream: boolean;
  maxTokens?: number;
  /**
   * Ask for at least this many output tokens (vLLM's `min_tokens` with `ignore_eos`), so
   * every request generates the same length and runs compare; with `maxTokens` equal, exactly
   * that many. Sent only to adapters with `supportsMinTokens`.
   */
  minTokens?: number;
  temperature?: number;
  /** Per-request total timeout, ms; wins over the target's. Unset: the target's, else 120000. */
  timeoutMs?: number;
  /** Run only against targets whose provider name is listed; undefined → every target. */
  providers?: readonly string[];
  /** Set when this scenario is one level of a sweep: the summary reads the levels together. */
  sweep?: SweepLevelPlan;
  /** A different prompt per request, instead of `prompt` for all. */
  prompts?: ScenarioPrompts;
  /** Multi-turn sessions instead of single requests (see {@link ScenarioConversations}). */
  conversations?: ScenarioConversations;
}

/**
 * One scenario per level of a sweep, in the order given (ascending load): the scenario's
 * concurrency, or its open-loop rate (a closed-loop scenario becomes an open loop), set to
 * each value. Each level is named `<scenario> concurrency=<v>` / `rate=<v>` and keeps the
 * scenario's warm-up, so connections are warm at every level.
 */
export function expandSweep(
  scenario: ScenarioPlan,
  parameter: SweepParameter,
  values: readonly number[],
  thresholds?: KneeThresholds,
): ScenarioPlan[] {
  return values.map((value) => {
    const level: ScenarioPlan = {
      ...scenario,
      name: `${scenario.name} ${parameter}=${value}`,
      sweep: {
        of: scenario.name,
        parameter,
        value,
        ...(thresholds === undefined ? {} : { thresholds }),
      },
    };
    if (parameter === 'concurrency') level.concurrency = value;
    else {
      const settings = scenario.load?.type === 'open' ? scenario.load.settings : {};
      level.load = { type: 'open', settings: { ...settings, rate: value } };
    }
    return level;
  });
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
  item?: PromptItemPlan,
): ProviderRequestInput {
  const input: ProviderRequestInput = {
    model: target.model,
    prompt: item?.prompt ?? scenario.prompt,
    stream: scenario.stream,
  };
  const maxTokens = item?.maxTokens ?? scenario.maxTokens;
  if (maxTokens !== undefined) input.maxTokens = maxTokens;
  const minTokens = item?.minTokens ?? scenario.minTokens;
  // A floor above the cap could never be met: the cap wins.
  if (minTokens !== undefined) {
    input.minTokens = maxTokens === undefined ? minTokens : Math.min(minTokens, maxTokens);
  }
  if (scenario.temperature !== undefined) input.temperature = scenario.temperature;
  if (target.extraBody) input.extraBody = target.extraBody;
  return input;
}

/**
 * The requests `sessions` requests of the pattern make: as many, or for a multi-turn
 * scenario the turns of that many sessions (session i is `items[i % items.length]`, counting
 * from session `from`). Infinite stays infinite.
 */
export function plannedRequests(
  scenario: Pick<ScenarioPlan, 'conversations'>,
  sessions: number,
  from = 0,
): number {
  const items = scenario.conversations?.items;
  if (items === undefined || items.length === 0 || !Number.isFinite(sessions)) return sessions;
  let turns = 0;
  for (let i = 0; i < sessions; i++) turns += items[(from + i) % items.length]!.turns.length;
  return turns;
}

/**
 * The messages of turn `turn` (0-based) of a session: its system message, each earlier turn
 * with the reply it got (`replies`, or the recorded one where that is missing), then this
 * turn's user message.
 */
export function turnMessages(
  conversation: ConversationPlan,
  turn: number,
  replies: readonly (string | undefined)[],
): ChatMessage[] {
  const messages: ChatMessage[] =
    conversation.system === undefined ? [] : [{ role: 'system', content: conversation.system }];
  conversation.turns.slice(0, turn).forEach((earlier, k) => {
    messages.push({ role: 'user', content: earlier.user });
    messages.push({ role: 'assistant', content: replies[k] ?? earlier.recordedReply ?? '' });
  });
  messages.push({ role: 'user', content: conversation.turns[turn]!.user });
  return messages;
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
