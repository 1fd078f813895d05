// The console line of a group's multi-turn sessions: how TTFT moves as each conversation's
// context grows, turn by turn.
import type { SessionSummary } from '@llm-lens/metrics';
import { formatDuration } from './format.js';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Whole tokens with thousands separators (`2,310`). */
const tokens = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * `Sessions: 20 conversations, 87 turns; TTFT p50 by turn: 1: 151 ms, 2: 163 ms, 9+: 240 ms
 * (input tokens 412 → 2,310)`: the mean input of the first and the last turn position says
 * how far the context grew. Undefined for a group without sessions.
 */
export function sessionsLine(sessions: SessionSummary | null): string | undefined {
  if (sessions === null || sessions.turns <= 0) return undefined;
  const head = `Sessions: ${count(sessions.sessions, 'conversation', 'conversations')}, ${count(sessions.turns, 'turn', 'turns')}`;
  const byTurn = sessions.by_turn;
  if (byTurn.length === 0) return head;
  const ttft = byTurn
    .map(({ turn, ttft_p50_ms: p50 }) => `${turn}: ${p50 === null ? '—' : formatDuration(p50)}`)
    .join(', ');
  const first = byTurn[0]?.input_tokens_mean ?? null;
  const last = byTurn.at(-1)?.input_tokens_mean ?? null;
  let input = '';
  if (first !== null && last !== null) {
    input =
      byTurn.length === 1
        ? ` (input tokens ${tokens(first)})`
        : ` (input tokens ${tokens(first)} → ${tokens(last)})`;
  }
  return `${head}; TTFT p50 by turn: ${ttft}${input}`;
}
