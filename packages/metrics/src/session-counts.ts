import type { RequestRecord } from '@llm-lens/core-timing';
import { LatencyHistogram, round3 } from './histogram.js';

/** Turns reported one by one; later ones are pooled as `"<N>+"`. */
export const SESSION_TURNS_APART = 8;

/** One turn position of a group's conversations. */
export interface SessionTurnSummary {
  /** `"1"` … `"8"`, then `"9+"` for every later turn together. */
  turn: string;
  /** Turns sent at this position (last attempts). */
  requests: number;
  /** TTFT of the successful ones, ms; null without any. */
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
  /** Mean input tokens the server reported: how far the context had grown; null without usage. */
  input_tokens_mean: number | null;
}

/** A group's multi-turn sessions: how TTFT moves as the context grows. */
export interface SessionSummary {
  /** Conversations started (first turns). */
  sessions: number;
  /** Turns sent in all. */
  turns: number;
  by_turn: SessionTurnSummary[];
}

/** One turn position, in transferable form. */
export interface EncodedTurn {
  requests: number;
  input_sum: number;
  input_count: number;
  /** The TTFT histogram, when it holds samples. */
  ttft?: string;
}

/** A group's session counts in transferable form. */
export interface EncodedSessions {
  sessions: number;
  turns: number;
  by_turn: EncodedTurn[];
}

class TurnCounts {
  requests = 0;
  inputSum = 0;
  inputCount = 0;
  readonly ttft = new LatencyHistogram();
}

/** Counts a group's turns by position; merges other threads' counts exactly. */
export class SessionCounts {
  #sessions = 0;
  #turns = 0;
  readonly #byTurn: TurnCounts[] = [];

  /** Counts one measured last attempt that is a turn (`record.turn` set). */
  add(record: RequestRecord): void {
    const turn = record.turn;
    if (turn === undefined || !Number.isInteger(turn) || turn < 1) return;
    this.#turns++;
    if (turn === 1) this.#sessions++;
    const counts = this.#slot(Math.min(turn, SESSION_TURNS_APART + 1) - 1);
    counts.requests++;
    const input = record.inputTokens;
    if (input !== undefined && Number.isFinite(input) && input >= 0) {
      counts.inputSum += input;
      counts.inputCount++;
    }
    if (record.status === 'ok' && record.ttftNs !== undefined) counts.ttft.recordNs(record.ttftNs);
  }

  encode(): EncodedSessions | undefined {
    if (this.#turns === 0) return undefined;
    return {
      sessions: this.#sessions,
      turns: this.#turns,
      by_turn: this.#byTurn.map((counts) => ({
        requests: counts.requests,
        input_sum: counts.inputSum,
        input_count: counts.inputCount,
        ...(counts.ttft.count > 0 ? { ttft: counts.ttft.encode() } : {}),
      })),
    };
  }

  merge(encoded: EncodedSessions): void {
    this.#sessions += encoded.sessions;
    this.#turns += encoded.turns;
    encoded.by_turn.forEach((incoming, index) => {
      const counts = this.#slot(index);
      counts.requests += incoming.requests;
      counts.inputSum += incoming.input_sum;
      counts.inputCount += incoming.input_count;
      if (incoming.ttft !== undefined) counts.ttft.merge(LatencyHistogram.decode(incoming.ttft));
    });
  }

  /** Null when the group had no turns (not a multi-turn scenario). */
  summary(): SessionSummary | null {
    if (this.#turns === 0) return null;
    return {
      sessions: this.#sessions,
      turns: this.#turns,
      by_turn: this.#byTurn.map((counts, index) => ({
        turn: index < SESSION_TURNS_APART ? String(index + 1) : `${SESSION_TURNS_APART + 1}+`,
        requests: counts.requests,
        ttft_p50_ms: counts.ttft.percentile(50),
        ttft_p95_ms: counts.ttft.percentile(95),
        input_tokens_mean:
          counts.inputCount === 0 ? null : round3(counts.inputSum / counts.inputCount),
      })),
    };
  }

  #slot(index: number): TurnCounts {
    while (this.#byTurn.length <= index) this.#byTurn.push(new TurnCounts());
    return this.#byTurn[index]!;
  }
}
