// Run from the repository root after building the package: node packages/workloads/example.mjs
import {
  conversationMessages,
  loadConversationSet,
  loadPromptSet,
  preparePromptItems,
} from '@llm-lens/workloads';

// Prompts of 64±16 tokens in gpt-4o's vocabulary, each request its own.
const synthetic = await loadPromptSet(
  { type: 'synthetic', input_tokens: '64±16', output_tokens: 32, seed: 42 },
  { model: 'gpt-4o' },
);
console.log(synthetic.description);
for (const item of preparePromptItems(synthetic, 2)) {
  console.log(`  ${item.prompt.slice(0, 48)}… (max_tokens ${item.maxTokens})`);
}

// Two weighted templates, 3 : 1.
const mix = await loadPromptSet({
  type: 'mix',
  seed: 42,
  entries: [
    {
      name: 'translate',
      weight: 3,
      template: 'Translate into {{language}}: {{sentence}}',
      variables: { language: ['French', 'German'], sentence: ['Good morning.', 'Thank you.'] },
      max_tokens: 64,
    },
    {
      name: 'sum',
      template: 'What is {{a}} + {{b}}?',
      variables: { a: { generator: 'int', min: 1, max: 99 }, b: { generator: 'int', min: 1, max: 99 } },
    },
  ],
});
console.log(mix.description);
for (const item of preparePromptItems(mix, 4)) console.log(`  [${item.source}] ${item.prompt}`);

// A three-turn session: turn 2 carries the two turns and replies before it.
const sessions = await loadConversationSet(
  { type: 'synthetic', turns: 3, input_tokens: 20, think_time: '1s..3s' },
  { model: 'gpt-4o' },
);
const session = sessions.at(0);
const messages = conversationMessages(session, 2, ['(reply to turn 0)', '(reply to turn 1)']);
console.log(sessions.description);
console.log(`  turn 2 sends ${messages.length} messages, ${session.thinkTimeMs[2]} ms after reply 1`);
