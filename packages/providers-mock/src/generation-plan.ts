import { sampleLatencyNs } from './latency-spec.js';
import type { SimulatedRequest } from './protocols/wire-protocol.js';
import { SeededRandom } from './seeded-random.js';
import type { ResolvedSimulatorOptions } from './simulator-options.js';

/** The fault a request was drawn to suffer. */
export type FaultKind = 'rate_limit' | 'server_error' | 'drop' | 'stall' | 'mid_stream_error';

/** Everything decided about one request when it arrives. */
export interface GenerationPlan {
  fault: FaultKind | undefined;
  reasoningTokens: number;
  contentTokens: number;
  /** reasoningTokens + contentTokens: usage.completion_tokens. */
  completionTokens: number;
  finishReason: 'stop' | 'length';
  tokensPerEvent: number;
  /** Events carrying reasoning; they come first. */
  reasoningEvents: number;
  /** Token events in all. */
  eventCount: number;
  /** The event index before which a drop, stall or mid-stream error strikes: half the events. */
  faultAtEvent: number;
  ttftNs: bigint;
  /** The request's own generator: ITL samples are drawn from it as events are scheduled. */
  random: SeededRandom;
}

function drawFault(u: number, faults: ResolvedSimulatorOptions['faults']): FaultKind | undefined {
  // Exclusive bands of [0, 1): each fault's share is exactly its rate.
  let edge = faults.rateLimitRate;
  if (u < edge) return 'rate_limit';
  edge += faults.serverErrorRate;
  if (u < edge) return 'server_error';
  edge += faults.dropRate;
  if (u < edge) return 'drop';
  edge += faults.stallRate;
  if (u < edge) return 'stall';
  edge += faults.midStreamErrorRate;
  if (u < edge) return 'mid_stream_error';
  return undefined;
}

/**
 * Decides a request's fault, token counts and TTFT from its own seed. The draws happen in a
 * fixed order from a generator seeded per request, so the n-th request of a seeded run gets
 * the same fate whatever its body or the timing of other requests.
 */
export function planGeneration(
  request: SimulatedRequest,
  options: ResolvedSimulatorOptions,
  requestSeed: number,
): GenerationPlan {
  const random = new SeededRandom(requestSeed);
  const fault = drawFault(random.next(), options.faults);
  const plannedContent = random.nextIntInclusive(
    options.outputTokens.min,
    options.outputTokens.max,
  );
  const ttftNs = sampleLatencyNs(options.ttftMs, random);

  const plannedReasoning = request.supportsReasoning ? options.reasoningTokens : 0;
  let desired = plannedReasoning + plannedContent;
  if (request.minTokens !== undefined && desired < request.minTokens) desired = request.minTokens;
  if (request.ignoreEos && request.maxTokens !== undefined) desired = request.maxTokens;
  const max = request.maxTokens;
  // Like max_completion_tokens, the cap covers reasoning and content together.
  const completionTokens = max !== undefined && desired > max ? max : desired;
  const finishReason = max !== undefined && desired >= max ? 'length' : 'stop';
  const reasoningTokens = Math.min(plannedReasoning, completionTokens);
  const contentTokens = completionTokens - reasoningTokens;

  const perEvent = options.tokensPerEvent;
  const reasoningEvents = Math.ceil(reasoningTokens / perEvent);
  const eventCount = reasoningEvents + Math.ceil(contentTokens / perEvent);
  return {
    fault,
    reasoningTokens,
    contentTokens,
    completionTokens,
    finishReason,
    tokensPerEvent: perEvent,
    reasoningEvents,
    eventCount,
    faultAtEvent: Math.floor(eventCount / 2),
    ttftNs,
    random,
  };
}

/** What one token event carries. */
export interface PlannedEvent {
  isReasoning: boolean;
  /** Index of its first token within its phase (reasoning or content). */
  firstToken: number;
  tokens: number;
}

/** Describes token event `index` (0-based) of a plan without allocating per-token arrays. */
export function plannedEvent(plan: GenerationPlan, index: number): PlannedEvent {
  const perEvent = plan.tokensPerEvent;
  if (index < plan.reasoningEvents) {
    const firstToken = index * perEvent;
    return {
      isReasoning: true,
      firstToken,
      tokens: Math.min(perEvent, plan.reasoningTokens - firstToken),
    };
  }
  const firstToken = (index - plan.reasoningEvents) * perEvent;
  return {
    isReasoning: false,
    firstToken,
    tokens: Math.min(perEvent, plan.contentTokens - firstToken),
  };
}
