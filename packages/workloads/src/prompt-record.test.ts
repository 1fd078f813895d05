import { formatPath } from '@llm-lens/config-fields';
import { describe, expect, it } from 'vitest';
import { fileRecordSchema, inlinePromptSchema, itemOfRecord, recordOf } from './prompt-record.js';

const lineSchema = fileRecordSchema({});

function problems(value: unknown): string[] {
  const result = lineSchema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map(
    (issue) => `${formatPath(issue.path as PropertyKey[])}: ${issue.message}`,
  );
}

describe('prompt records', () => {
  it('reads prompt or messages with their caps', () => {
    const parsed = lineSchema.parse({ prompt: 'hi', max_tokens: 10, min_tokens: 10, id: 7 });
    expect(recordOf(parsed)).toEqual({ prompt: 'hi', max_tokens: 10, min_tokens: 10, id: '7' });
    const chat = lineSchema.parse({
      messages: [
        { role: 'developer', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
          name: 'x',
        },
      ],
      max_completion_tokens: 5,
    });
    expect(recordOf(chat)).toEqual({
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'ab' },
      ],
      max_tokens: 5,
    });
  });

  it('ignores a log’s other keys but not a near miss of a known one', () => {
    expect(problems({ prompt: 'hi', user: 'u1', latency_ms: 30 })).toEqual([]);
    expect(problems({ prompt: 'hi', max_token: 10 })).toEqual([
      'max_token: unknown key, did you mean "max_tokens"?',
    ]);
    expect(problems({ promt: 'hi' })).toEqual([
      'promt: unknown key, did you mean "prompt"?',
      ': needs a prompt (a string) or messages (a list of {role, content})',
    ]);
  });

  it('says what is wrong with a record', () => {
    expect(problems({ prompt: 'a', messages: [{ role: 'user', content: 'b' }] })).toEqual([
      'messages: cannot be combined with prompt; give one of them',
    ]);
    expect(problems({ prompt: 'a', max_tokens: 5, min_tokens: 9 })).toEqual([
      'min_tokens: must not exceed max_tokens (5), got 9',
    ]);
    expect(problems({ prompt: 'a', max_tokens: 5, max_completion_tokens: 6 })).toEqual([
      'max_completion_tokens: disagrees with max_tokens (6 vs 5); give one of them',
    ]);
    expect(problems({ messages: [{ role: 'tool', content: 'x' }] })).toEqual([
      'messages[0].role: must be one of system | user | assistant | developer, got "tool"',
    ]);
    expect(
      problems({
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }],
      })[0],
    ).toContain('messages[0].content');
    expect(problems({ prompt: 'a', max_tokens: 'many' })).toEqual([
      'max_tokens: must be a positive integer, got "many"',
    ]);
  });

  it('accepts strings and strict objects inline, and freezes the items it makes', () => {
    expect(inlinePromptSchema.parse('hello')).toBe('hello');
    expect(inlinePromptSchema.parse({ prompt: 'hello', max_tokens: 3 })).toEqual({
      prompt: 'hello',
      max_tokens: 3,
    });
    expect(inlinePromptSchema.safeParse({ prompt: 'hello', user: 'x' }).success).toBe(false);
    expect(inlinePromptSchema.safeParse('').success).toBe(false);
    const item = itemOfRecord(
      { messages: [{ role: 'user', content: 'x' }], max_tokens: 4 },
      'jsonl#1',
    );
    expect(item).toEqual({
      prompt: [{ role: 'user', content: 'x' }],
      maxTokens: 4,
      source: 'jsonl#1',
    });
    expect(Object.isFrozen(item)).toBe(true);
    expect(Object.isFrozen(item.prompt)).toBe(true);
  });
});
