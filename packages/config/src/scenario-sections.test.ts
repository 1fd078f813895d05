import { positiveNumber, strictObject, text } from '@llm-lens/config-fields';
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

describe('scenario sections loaded by another package (prompts, replay)', () => {
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
      'scenarios[0].replay: cannot be combined with prompt; set exactly one of prompt, prompt_file, messages, prompts or replay',
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
