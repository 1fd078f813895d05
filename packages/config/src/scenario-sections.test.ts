import { oneOf, positiveInt, positiveNumber, strictObject, text } from '@llm-lens/config-fields';
import { describe, expect, it } from 'vitest';
import { extensions } from '../test/extensions.js';
import { applyOverrides } from './cli-overrides.js';
import { LensConfigError } from './config-error.js';
import { parseConfig } from './load-config.js';

const raw = (scenario: Record<string, unknown>) => ({
  providers: [{ type: 'mock', models: ['m'] }],
  scenarios: [scenario],
});

function issues(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof LensConfigError) {
      return (error.issues ?? []).map((i) => `${i.path}: ${i.message}`);
    }
    throw error;
  }
  return [];
}

describe('scenario sections loaded by another package (prompts, replay, conversations)', () => {
  it('are refused, saying what is missing, when no package registered their schema', () => {
    expect(
      issues(() =>
        parseConfig(raw({ prompts: { type: 'jsonl', path: 'p.jsonl' } }), { env: {}, extensions }),
      ),
    ).toEqual([
      'scenarios[0].prompts: needs a package that loads prompt sources (@llm-lens/workloads), and none is registered with this program',
    ]);
  });

  it('are checked by the registered schema and stand instead of a prompt, never beside one', () => {
    const withSections = {
      ...extensions,
      scenarioSections: {
        prompts: strictObject({ type: text(), path: text() }, 'a prompt source'),
        replay: strictObject({ path: text(), time_scale: positiveNumber().optional() }, 'a replay'),
      },
    };
    const config = parseConfig(raw({ prompts: { type: 'jsonl', path: 'p.jsonl' } }), {
      env: {},
      extensions: withSections,
    });
    expect(config.scenarios[0]!.prompts).toEqual({ type: 'jsonl', path: 'p.jsonl' });
    expect(
      issues(() =>
        parseConfig(raw({ prompt: 'hi', replay: { path: 'log.jsonl' } }), {
          env: {},
          extensions: withSections,
        }),
      ),
    ).toEqual([
      'scenarios[0].replay: cannot be combined with prompt; set exactly one of prompt, prompt_file, messages, prompts, replay or conversations',
    ]);
    // --replay replaces the scenario's prompt; --time-scale needs it.
    const replayed = applyOverrides(
      undefined,
      { replay: 'log.jsonl', timeScale: 4 },
      { extensions: withSections, cwd: '/data' },
    ).scenarios[0]!;
    expect(replayed.prompt).toBeUndefined();
    expect(replayed.replay).toEqual({ path: '/data/log.jsonl', time_scale: 4 });
  });
});

describe('conversations', () => {
  const withConversations = {
    ...extensions,
    scenarioSections: {
      prompts: strictObject({ type: text(), path: text().optional() }, 'a prompt source'),
      replay: strictObject({ path: text() }, 'a replay'),
      conversations: strictObject(
        {
          type: oneOf(['sharegpt', 'synthetic']),
          turns: positiveInt().optional(),
          output_tokens: text().optional(),
        },
        'a conversation source',
      ),
    },
  };
  const parse = (scenario: Record<string, unknown>) =>
    parseConfig(raw(scenario), { env: {}, extensions: withConversations });

  it('are refused, saying what is missing, when no package registered their schema', () => {
    expect(
      issues(() =>
        parseConfig(raw({ conversations: { type: 'synthetic', turns: 3 } }), {
          env: {},
          extensions,
        }),
      ),
    ).toEqual([
      'scenarios[0].conversations: needs a package that loads conversations (@llm-lens/workloads), and none is registered with this program',
    ]);
  });

  it('stand instead of a prompt, with the history they send back', () => {
    const scenario = parse({
      conversations: { type: 'synthetic', turns: 3 },
      conversation_history: 'recorded',
    }).scenarios[0]!;
    expect(scenario.conversations).toEqual({ type: 'synthetic', turns: 3 });
    expect(scenario.conversation_history).toBe('recorded');
    expect(scenario.prompt).toBeUndefined();
    // Unset, the executor sends the live replies.
    expect(parse({ conversations: { type: 'synthetic' } }).scenarios[0]!.conversation_history).toBe(
      undefined,
    );
  });

  it('cannot be combined with prompts, replay or a prompt, naming both keys', () => {
    const one =
      'set exactly one of prompt, prompt_file, messages, prompts, replay or conversations';
    const conversations = { type: 'synthetic', turns: 2 };
    expect(issues(() => parse({ prompts: { type: 'inline' }, conversations }))).toEqual([
      `scenarios[0].conversations: cannot be combined with prompts; ${one}`,
    ]);
    expect(issues(() => parse({ replay: { path: 'log.jsonl' }, conversations }))).toEqual([
      `scenarios[0].conversations: cannot be combined with replay; ${one}`,
    ]);
    expect(issues(() => parse({ prompt: 'hi', conversations }))).toEqual([
      `scenarios[0].conversations: cannot be combined with prompt; ${one}`,
    ]);
  });

  it('conversation_history is checked and needs conversations', () => {
    expect(
      issues(() =>
        parse({ conversations: { type: 'synthetic' }, conversation_history: 'replayed' }),
      ),
    ).toEqual([
      'scenarios[0].conversation_history: must be one of live | recorded, got "replayed"',
    ]);
    expect(issues(() => parse({ prompt: 'hi', conversation_history: 'live' }))).toEqual([
      'scenarios[0].conversation_history: says which replies multi-turn sessions send back as history; it needs conversations: in the same scenario',
    ]);
  });

  it("are replaced by a prompt flag, and --output-tokens sets each turn's length", () => {
    const config = parse({
      conversations: { type: 'synthetic', turns: 3 },
      conversation_history: 'live',
    });
    const options = { extensions: withConversations, cwd: '/data' };
    const prompted = applyOverrides(config, { prompt: 'hi' }, options).scenarios[0]!;
    expect(prompted.prompt).toBe('hi');
    expect(prompted.conversations).toBeUndefined();
    expect(prompted.conversation_history).toBeUndefined();
    const fromDataset = applyOverrides(config, { prompts: 'p.jsonl' }, options).scenarios[0]!;
    expect(fromDataset.prompts).toEqual({ type: 'jsonl', path: '/data/p.jsonl' });
    expect(fromDataset.conversations).toBeUndefined();
    const longer = applyOverrides(config, { outputTokens: '20' }, options).scenarios[0]!;
    expect(longer.conversations).toEqual({ type: 'synthetic', turns: 3, output_tokens: '20' });
  });
});
