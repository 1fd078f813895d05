// One prompt as written in a JSONL line, a replay log line or an inline list: `prompt` or
// `messages`, with optional output caps. The same rules everywhere, so a line moved from a
// dataset to a replay log means the same thing.
import {
  closestMatch,
  expectationMessage,
  expecting,
  listOf,
  oneOf,
  positiveInt,
  strictObject,
  text,
  z,
} from '@llm-lens/config-fields';
import type { ChatMessage } from '@llm-lens/providers-core';
import type { PromptItem } from './prompt-set.js';
import { forwardIssues } from './zod-issues.js';

/** The chat roles a prompt may use; `developer` (OpenAI's newer name) is sent as `system`. */
const ROLES = ['system', 'user', 'assistant', 'developer'] as const;

const textPart = strictObject(
  {
    type: z.literal('text', expecting('"text" (only text parts can be sent)')),
    text: z.string(expecting('a string')),
  },
  'a content part {type: text, text}',
);

/** `{role, content}`, content a string or a list of text parts (joined). */
export const chatMessageSchema = strictObject(
  {
    role: oneOf(ROLES),
    content: z.union(
      [z.string(), z.array(textPart)],
      expecting('a string or a list of {type: text, text} parts'),
    ),
    // OpenAI's optional participant name: accepted, not sent.
    name: z.string(expecting('a string')).optional(),
  },
  'an object {role, content}',
).transform(
  (message): ChatMessage => ({
    role: message.role === 'developer' ? 'system' : message.role,
    content:
      typeof message.content === 'string'
        ? message.content
        : message.content.map((part) => part.text).join(''),
  }),
);

export const messagesSchema = listOf(
  chatMessageSchema,
  'a non-empty list of {role, content} messages',
  true,
);

/**
 * A prompt record as validated: `max_completion_tokens` folded into `max_tokens`, message
 * contents joined to strings. Still a valid record, so a parsed config reads back the same.
 */
export interface PromptRecordConfig {
  prompt?: string;
  messages?: ChatMessage[];
  max_tokens?: number;
  min_tokens?: number;
  /** The record's own id, used in `source`. */
  id?: string;
}

const recordShape = {
  prompt: text('a non-empty prompt string').optional(),
  messages: messagesSchema.optional(),
  max_tokens: positiveInt().optional(),
  // OpenAI's newer name for max_tokens, common in request logs.
  max_completion_tokens: positiveInt().optional(),
  min_tokens: positiveInt().optional(),
  id: z
    .union([z.string(), z.number()], expecting('a string or a number'))
    .transform(String)
    .optional(),
};

/** The keys a prompt record understands. */
export const RECORD_KEYS: readonly string[] = Object.keys(recordShape);

type RecordFields = {
  prompt?: string | undefined;
  messages?: ChatMessage[] | undefined;
  max_tokens?: number | undefined;
  max_completion_tokens?: number | undefined;
  min_tokens?: number | undefined;
  id?: string | undefined;
};

function checkRecord(record: RecordFields, ctx: z.RefinementCtx): void {
  if (record.prompt === undefined && record.messages === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: 'needs a prompt (a string) or messages (a list of {role, content})',
    });
  } else if (record.prompt !== undefined && record.messages !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['messages'],
      message: 'cannot be combined with prompt; give one of them',
    });
  }
  const { max_tokens: max, max_completion_tokens: completion } = record;
  if (max !== undefined && completion !== undefined && max !== completion) {
    ctx.addIssue({
      code: 'custom',
      path: ['max_completion_tokens'],
      message: `disagrees with max_tokens (${completion} vs ${max}); give one of them`,
    });
  }
  const cap = max ?? completion;
  if (record.min_tokens !== undefined && cap !== undefined && record.min_tokens > cap) {
    ctx.addIssue({
      code: 'custom',
      path: ['min_tokens'],
      message: `must not exceed max_tokens (${cap}), got ${record.min_tokens}`,
    });
  }
}

function normalized(record: RecordFields): PromptRecordConfig {
  const out: PromptRecordConfig = {};
  if (record.prompt !== undefined) out.prompt = record.prompt;
  if (record.messages !== undefined) out.messages = record.messages;
  const cap = record.max_tokens ?? record.max_completion_tokens;
  if (cap !== undefined) out.max_tokens = cap;
  if (record.min_tokens !== undefined) out.min_tokens = record.min_tokens;
  if (record.id !== undefined) out.id = record.id;
  return out;
}

/** An inline prompt object in a config: only the record's own keys are allowed. */
export const strictRecordSchema = strictObject(recordShape, 'an object with a prompt or messages')
  .superRefine(checkRecord)
  .transform(normalized);

/** One entry of an inline list: a prompt string or a strict record. */
export const inlinePromptSchema = z
  .unknown()
  .transform((value, ctx): string | PromptRecordConfig => {
    const what =
      'a non-empty prompt string or an object {prompt | messages, max_tokens?, min_tokens?}';
    if (typeof value === 'string' && value.length > 0) return value;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const record = strictRecordSchema.safeParse(value);
      if (record.success) return record.data;
      forwardIssues(record.error, ctx);
      return z.NEVER;
    }
    ctx.addIssue({ code: 'custom', message: expectationMessage(what, value, []) });
    return z.NEVER;
  });

/**
 * A record in a data file (JSONL, replay log), with `extraShape` for the file's own keys.
 * Other keys are ignored, as logs carry many, except a near miss of a known key
 * (`max_token`), which is an error: a misspelt cap must not be dropped silently.
 */
export function fileRecordSchema<S extends z.ZodRawShape>(extraShape: S) {
  const known = [...RECORD_KEYS, ...Object.keys(extraShape)];
  return z
    .looseObject({ ...recordShape, ...extraShape }, expecting('a JSON object'))
    .superRefine((record, ctx) => {
      for (const key of Object.keys(record)) {
        if (known.includes(key)) continue;
        const guess = closestMatch(key, known);
        if (guess !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `unknown key, did you mean "${guess}"?`,
          });
        }
      }
      checkRecord(record as RecordFields, ctx);
    });
}

/** The normalized record of a parsed file record. */
export function recordOf(fields: Record<string, unknown>): PromptRecordConfig {
  return normalized(fields as RecordFields);
}

/** The request a record describes (frozen: items are shared between requests). */
export function itemOfRecord(record: PromptRecordConfig, source: string): PromptItem {
  const item: PromptItem = {
    prompt:
      record.messages === undefined
        ? (record.prompt ?? '')
        : Object.freeze(record.messages.map((m) => Object.freeze({ ...m }))),
    source,
  };
  if (record.max_tokens !== undefined) item.maxTokens = record.max_tokens;
  if (record.min_tokens !== undefined) item.minTokens = record.min_tokens;
  return Object.freeze(item);
}
