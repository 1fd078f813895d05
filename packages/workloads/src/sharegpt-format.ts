// The ShareGPT format: a JSON array of `{id, conversations: [{from, value}, ...]}`, `from`
// being `human` or `gpt` (and, in some dumps, `system`, `user`, `chatgpt`, `bing`, `bard`).
// Read one conversation at a time (see json-elements.ts), turned into user turns, each with
// the reply that was recorded for it.
import type { DataFile } from './data-file.js';
import { readJsonElements } from './json-elements.js';
import { WorkloadError } from './workload-error.js';

/** One user turn and the reply recorded after it. */
export interface ShareGptTurn {
  user: string;
  reply?: string;
}

/** A conversation as its user turns. */
export interface ShareGptConversation {
  id: string;
  system?: string;
  turns: ShareGptTurn[];
}

/** Why a conversation was left out; counted and shown in the description. */
export type ShareGptSkipReason =
  | 'no human turn'
  | 'unknown speaker'
  | 'system message after the first turn';

const USER_SPEAKERS = new Set(['human', 'user']);
const ASSISTANT_SPEAKERS = new Set(['gpt', 'chatgpt', 'assistant', 'bing', 'bard', 'model']);

const EXAMPLE =
  '{"id": "a1", "conversations": [{"from": "human", "value": "..."}, {"from": "gpt", "value": "..."}]}';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The turns of one element, or why it is skipped; throws LENS_WORKLOAD_PARSE for a malformed one. */
export function conversationOf(
  value: unknown,
  position: { file: string; line: number; index: number },
): ShareGptConversation | ShareGptSkipReason {
  const fail = (problem: string): never => {
    throw new WorkloadError(
      'LENS_WORKLOAD_PARSE',
      `${position.file}:${position.line}: conversation ${position.index + 1} ${problem}; ShareGPT elements look like ${EXAMPLE}`,
      { file: position.file, line: position.line },
    );
  };
  if (!isObject(value)) return fail('is not an object');
  const messages = value.conversations;
  if (!Array.isArray(messages)) return fail('has no "conversations" list');
  const rawId = value.id;
  const id =
    typeof rawId === 'string' || typeof rawId === 'number'
      ? String(rawId)
      : String(position.index + 1);
  let system: string | undefined;
  const turns: ShareGptTurn[] = [];
  for (let m = 0; m < messages.length; m++) {
    const message: unknown = messages[m];
    if (
      !isObject(message) ||
      typeof message.from !== 'string' ||
      typeof message.value !== 'string'
    ) {
      return fail(`has a message ${m + 1} that is not {"from": string, "value": string}`);
    }
    const text = message.value;
    if (text.trim() === '') continue;
    const from = message.from.toLowerCase();
    const current = turns[turns.length - 1];
    if (USER_SPEAKERS.has(from)) {
      // Two user messages in a row are one turn: nothing was answered in between.
      if (current !== undefined && current.reply === undefined) current.user += `\n\n${text}`;
      else turns.push({ user: text });
    } else if (ASSISTANT_SPEAKERS.has(from)) {
      // A reply before any user turn answers nothing we send: it is left out.
      if (current === undefined) continue;
      current.reply = current.reply === undefined ? text : `${current.reply}\n\n${text}`;
    } else if (from === 'system') {
      if (turns.length > 0) return 'system message after the first turn';
      system = system === undefined ? text : `${system}\n\n${text}`;
    } else {
      return 'unknown speaker';
    }
  }
  if (turns.length === 0) return 'no human turn';
  return system === undefined ? { id, turns } : { id, system, turns };
}

/** Counts of skipped conversations by reason. */
export class SkipCounter {
  private readonly counts = new Map<string, number>();

  add(reason: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  get total(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  /** `12 conversations skipped (10 no human turn, 2 unknown speaker)`, or undefined. */
  describe(noun = 'conversation'): string | undefined {
    if (this.counts.size === 0) return undefined;
    const total = this.total;
    const parts = [...this.counts].map(
      ([reason, count]) => `${count.toLocaleString('en-US')} ${reason}`,
    );
    return `${total.toLocaleString('en-US')} ${noun}${total === 1 ? '' : 's'} skipped (${parts.join(', ')})`;
  }
}

/**
 * The conversations of a ShareGPT file in file order; `visit` returns false to stop reading
 * (the rest of the file is then never read). Skipped ones go to `skipped`.
 */
export async function readShareGpt(
  file: DataFile,
  skipped: SkipCounter,
  visit: (conversation: ShareGptConversation) => boolean,
): Promise<void> {
  for await (const element of readJsonElements(file)) {
    const conversation = conversationOf(element.value, {
      file: file.name,
      line: element.line,
      index: element.index,
    });
    if (typeof conversation === 'string') {
      skipped.add(conversation);
      continue;
    }
    if (!visit(conversation)) return;
  }
}
