import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type Conversation,
  conversationMessages,
  conversationSourceSchema,
  loadConversationSet,
} from '../src/index.js';
import { loadVocabulary } from '../src/vocabulary.js';
import { workloadError } from './workload-errors.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const load = (config: unknown, model?: string) =>
  loadConversationSet(config, { baseDir: fixtures, ...(model === undefined ? {} : { model }) });

function all(set: { size: number; at(index: number): Conversation }): Conversation[] {
  return Array.from({ length: set.size }, (_, index) => set.at(index));
}

describe('ShareGPT conversations', () => {
  it('keeps every human turn with its recorded reply', async () => {
    const set = await load({ type: 'sharegpt', path: 'sharegpt.json' });
    const conversations = all(set);
    expect(conversations.map((c) => [c.source, c.turns.length])).toEqual([
      ['sharegpt#c1', 2],
      ['sharegpt#c2', 1],
      ['sharegpt#c4', 1],
      ['sharegpt#c6', 1],
      ['sharegpt#c7', 1],
    ]);
    expect(conversations[0]!.turns[1]).toEqual({
      user: 'Which one is faster?',
      recordedReply:
        'reverse() avoids a copy, so it uses less memory; to compare speed, measure both with timeit.',
    });
    expect(conversations[2]!.system).toBe('You are a careful editor.');
    expect(conversations[0]!.thinkTimeMs).toEqual([0, 0]);
    expect(set.description).toBe(
      'sharegpt conversations: 5 conversations from sharegpt.json (6 turns; 2 conversations skipped (1 no human turn, 1 unknown speaker); think time 0ms; in order, seed 1)',
    );
  });

  it('grows the context turn by turn, from the recorded history or the live replies', async () => {
    const set = await load({ type: 'sharegpt', path: 'sharegpt.json', min_turns: 2 });
    expect(set.size).toBe(1);
    const conversation = set.at(0);
    const recorded = conversationMessages(conversation, 1, []);
    expect(recorded.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(recorded[1]!.content).toBe(conversation.turns[0]!.recordedReply);
    expect(conversationMessages(conversation, 1, ['live'])[1]!.content).toBe('live');
  });

  it('takes each turn’s cap from its recorded reply and draws think times from the seed', async () => {
    const config = {
      type: 'sharegpt',
      path: 'sharegpt.json',
      output_tokens: 'dataset',
      model: 'gpt-4',
      think_time: '1s..3s',
      seed: 5,
    };
    const set = await load(config);
    const vocabulary = loadVocabulary('cl100k_base');
    const first = set.at(0);
    expect(first.turns.map((turn) => turn.maxTokens)).toEqual(
      first.turns.map((turn) => vocabulary.count(turn.recordedReply!)),
    );
    // c7 has no reply at all: with lengths from the dataset it has nothing to send.
    expect(all(set).map((c) => c.source)).not.toContain('sharegpt#c7');
    expect(first.thinkTimeMs[0]).toBe(0);
    expect(first.thinkTimeMs[1]).toBeGreaterThanOrEqual(1000);
    expect(first.thinkTimeMs[1]).toBeLessThanOrEqual(3000);
    expect((await load(config)).at(0)).toEqual(first);
    expect((await load({ ...config, seed: 6 })).at(0).thinkTimeMs).not.toEqual(first.thinkTimeMs);
  });

  it('cuts long conversations at max_turns', async () => {
    const set = await load({ type: 'sharegpt', path: 'sharegpt.json', max_turns: 1 });
    expect(all(set).every((c) => c.turns.length === 1)).toBe(true);
    // c1 and c6 now open the same way and are one conversation.
    expect(set.description).toContain('1 duplicate dropped');
  });
});

describe('synthetic conversations', () => {
  it('draws turn counts, exact turn lengths, caps and think times from the seed', async () => {
    const config = {
      type: 'synthetic',
      turns: '2..5',
      input_tokens: '40±10',
      output_tokens: 32,
      fixed_output: true,
      think_time: '500ms..2s',
      model: 'gpt-4o',
    };
    const set = await load(config);
    const vocabulary = loadVocabulary('o200k_base');
    const conversations = Array.from({ length: 30 }, (_, index) => set.at(index));
    const counts = conversations.map((c) => c.turns.length);
    expect(Math.min(...counts)).toBe(2);
    expect(Math.max(...counts)).toBe(5);
    for (const conversation of conversations) {
      expect(conversation.thinkTimeMs.length).toBe(conversation.turns.length);
      expect(conversation.thinkTimeMs[0]).toBe(0);
      for (const ms of conversation.thinkTimeMs.slice(1)) {
        expect(ms).toBeGreaterThanOrEqual(500);
        expect(ms).toBeLessThanOrEqual(2000);
      }
      for (const turn of conversation.turns) {
        expect(turn).toMatchObject({ maxTokens: 32, minTokens: 32 });
        expect(turn.recordedReply).toBeUndefined();
      }
    }
    const lengths = conversations.flatMap((c) =>
      c.turns.map((turn) => vocabulary.count(turn.user)),
    );
    expect(Math.abs(lengths.reduce((a, b) => a + b, 0) / lengths.length - 40)).toBeLessThan(5);
    expect(conversations[3]!.turns[0]!.user.startsWith('Conversation 3: ')).toBe(true);
    expect((await load(config)).at(7)).toEqual(set.at(7));
    expect(set.description).toBe(
      'synthetic conversations (2..5 turns; input 40±10 tokens per turn; output 32 tokens, fixed; think time 500ms..2s; o200k_base, exact for gpt-4o; seed 1)',
    );
  });

  it('builds each turn on the replies before it', async () => {
    const set = await load({ type: 'synthetic', turns: 3, input_tokens: 10 });
    const conversation = set.at(0);
    const replies = ['reply zero', 'reply one'];
    const sizes = [0, 1, 2].map((turn) => conversationMessages(conversation, turn, replies).length);
    expect(sizes).toEqual([1, 3, 5]);
    expect(() => conversationMessages(conversation, 2, ['only one'])).toThrow(
      'synthetic#0: turn 2 needs the reply to turn 1, which was neither received nor recorded',
    );
  });

  it('explains bad settings', async () => {
    const error = await workloadError(() =>
      load({ type: 'synthetic', turns: '1..5000', input_tokens: 10, think_time: 'later' }),
    );
    expect(error.issues).toEqual([
      { path: 'conversations.turns', message: 'must not allow more than 1000 turns, got 1..5000' },
      {
        path: 'conversations.think_time',
        message:
          'must be a think time: 2s or 500ms (fixed), 1s..5s (uniform), 2s±500ms or 2s+-500ms (normal); a bare number is seconds, got "later"',
      },
    ]);
    expect(
      (
        await workloadError(() =>
          load({ type: 'sharegpt', path: 'sharegpt.json', min_turns: 3, max_turns: 2 }),
        )
      ).message,
    ).toBe('conversations.max_turns: must be at least min_turns (3), got 2');
    const none = await workloadError(() =>
      load({ type: 'sharegpt', path: 'sharegpt.json', min_turns: 3 }),
    );
    expect(none.code).toBe('LENS_WORKLOAD_EMPTY');
    expect(none.message).toBe(
      'sharegpt.json: no usable conversation (7 conversations skipped (5 fewer than 3 turns, 1 no human turn, 1 unknown speaker)); a conversation needs at least 3 human turns',
    );
  });

  it('validates a parsed config again to itself', () => {
    const parsed = conversationSourceSchema.parse({
      type: 'synthetic',
      turns: 4,
      input_tokens: '100..200',
      think_time: 2,
    });
    expect(parsed).toEqual({
      type: 'synthetic',
      turns: { distribution: 'fixed', value: 4 },
      input_tokens: { distribution: 'uniform', min: 100, max: 200 },
      think_time: { distribution: 'fixed', value_ms: 2000 },
      fixed_output: false,
      seed: 1,
    });
    expect(conversationSourceSchema.parse(parsed)).toEqual(parsed);
  });
});
