import { describe, expect, it } from 'vitest';
import { type Conversation, conversationMessages } from './conversation.js';
import { WorkloadError } from './workload-error.js';

const conversation: Conversation = {
  source: 'test#1',
  system: 'You are terse.',
  turns: [
    { user: 'first question', recordedReply: 'recorded one' },
    { user: 'second question', recordedReply: 'recorded two' },
    { user: 'third question' },
  ],
  thinkTimeMs: [0, 1000, 2000],
};

describe('conversationMessages', () => {
  it('grows the context turn by turn with the replies received', () => {
    const replies = ['live one', 'live two'];
    const sizes = [0, 1, 2].map((turn) => conversationMessages(conversation, turn, replies).length);
    expect(sizes).toEqual([2, 4, 6]);
    expect(conversationMessages(conversation, 2, replies)).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'live one' },
      { role: 'user', content: 'second question' },
      { role: 'assistant', content: 'live two' },
      { role: 'user', content: 'third question' },
    ]);
  });

  it('sends the recorded replies where no live one is given', () => {
    const messages = conversationMessages(conversation, 2, []);
    expect(messages.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual([
      'recorded one',
      'recorded two',
    ]);
    expect(conversationMessages(conversation, 2, [undefined, 'live two'])[2]).toEqual({
      role: 'assistant',
      content: 'recorded one',
    });
  });

  it('leaves out the system message when there is none', () => {
    const { system: _, ...bare } = conversation;
    expect(conversationMessages(bare, 0, [])).toEqual([
      { role: 'user', content: 'first question' },
    ]);
  });

  it('refuses a turn whose history is missing or that does not exist', () => {
    const unrecorded: Conversation = {
      source: 'synthetic#4',
      turns: [{ user: 'a' }, { user: 'b' }],
      thinkTimeMs: [0, 0],
    };
    expect(() => conversationMessages(unrecorded, 1, [])).toThrow(
      'synthetic#4: turn 1 needs the reply to turn 0, which was neither received nor recorded; send the turns in order and pass each reply',
    );
    for (const turn of [2, -1, 0.5]) {
      let thrown: unknown;
      try {
        conversationMessages(unrecorded, turn, []);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(WorkloadError);
      expect((thrown as WorkloadError).code).toBe('LENS_WORKLOAD_CONVERSATION');
    }
    expect(() => conversationMessages(unrecorded, 2, [])).toThrow(
      'synthetic#4 has turns 0 to 1; turn 2 does not exist',
    );
  });
});
