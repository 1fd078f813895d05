// Multi-turn sessions: a user sends turn 0, reads the reply, thinks, sends turn 1 with the
// whole history before it, and so on, so the context grows turn by turn as it does for real
// users, and prefix caching and long-context TTFT show up in the numbers.
import type { ChatMessage } from '@llm-lens/providers-core';
import { WorkloadError } from './workload-error.js';

/** One user turn. */
export interface ConversationTurn {
  /** What the user sends. */
  user: string;
  /** This turn's output cap, tokens. */
  maxTokens?: number;
  /** A fixed output length where the server supports it, tokens. */
  minTokens?: number;
  /** The reply recorded in the dataset, to send as history instead of the live reply. */
  recordedReply?: string;
}

/** One session. Plain data (structured-cloneable). */
export interface Conversation {
  /** Where it came from, short: `sharegpt#a1b2`, `synthetic#3`. */
  source: string;
  /** Sent first, on every turn. */
  system?: string;
  turns: readonly ConversationTurn[];
  /**
   * Pause before each turn, ms, counted from the end of the previous reply: one per turn,
   * `thinkTimeMs[0]` is always 0.
   */
  thinkTimeMs: readonly number[];
}

/** A finite, deterministic set of conversations a run draws from. */
export interface ConversationSet {
  /** One line for the console and the summary. */
  readonly description: string;
  /** Distinct conversations; `Infinity` for synthetic ones. */
  readonly size: number;
  /** Session number `index` (an integer ≥ 0) of a run; the same seed gives the same one. */
  at(index: number): Conversation;
}

/**
 * The messages of turn `turn` (0-based): the system message, then every earlier turn and
 * its reply, then this turn's user message. `replies[k]` is the reply received for turn k;
 * where it is missing the turn's `recordedReply` is used (pass `[]` to send the recorded
 * history). Throws LENS_WORKLOAD_CONVERSATION when neither exists.
 */
export function conversationMessages(
  conversation: Conversation,
  turn: number,
  replies: readonly (string | undefined)[],
): ChatMessage[] {
  const current = conversation.turns[turn];
  if (!Number.isInteger(turn) || turn < 0 || current === undefined) {
    throw new WorkloadError(
      'LENS_WORKLOAD_CONVERSATION',
      `${conversation.source} has turns 0 to ${conversation.turns.length - 1}; turn ${turn} does not exist`,
    );
  }
  const messages: ChatMessage[] = [];
  if (conversation.system !== undefined)
    messages.push({ role: 'system', content: conversation.system });
  for (let k = 0; k < turn; k++) {
    const earlier = conversation.turns[k]!;
    const reply = replies[k] ?? earlier.recordedReply;
    if (reply === undefined) {
      throw new WorkloadError(
        'LENS_WORKLOAD_CONVERSATION',
        `${conversation.source}: turn ${turn} needs the reply to turn ${k}, which was neither received nor recorded; send the turns in order and pass each reply`,
      );
    }
    messages.push({ role: 'user', content: earlier.user }, { role: 'assistant', content: reply });
  }
  messages.push({ role: 'user', content: current.user });
  return messages;
}
