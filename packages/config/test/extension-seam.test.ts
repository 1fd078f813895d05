import { oneOf, positiveNumber, strictObject } from '@llm-lens/config-fields';
import { describe, expect, it } from 'vitest';
import { type ConfigExtensions, formatIssues, validateConfig } from '../src/index.js';

// A provider type and a load pattern this package has never heard of, registered the way an
// adapter package or the executor registers theirs: no edit here is needed to accept them.
const extensions: ConfigExtensions = {
  providers: [
    {
      type: 'acme',
      description: 'a provider from another package',
      configSchema: strictObject(
        { region: oneOf(['eu', 'us']).default('eu'), acme_token_env: positiveNumber().optional() },
        'an object of acme settings',
      ),
    },
  ],
  loadPatterns: [
    { type: 'closed', description: 'closed loop', configSchema: strictObject({}, 'no settings') },
    {
      type: 'steady',
      description: 'a fixed rate',
      configSchema: strictObject({ rate: positiveNumber() }, 'an object {type: steady, rate}'),
    },
  ],
};

function problems(raw: unknown): string[] {
  const result = validateConfig(raw, extensions);
  if (result.ok) throw new Error('expected the config to be invalid');
  return formatIssues(result.issues).split('\n');
}

describe('extensions', () => {
  it('validates a registered provider type with its own settings and defaults', () => {
    const result = validateConfig(
      {
        providers: [
          { type: 'acme', models: ['m'], region: 'us' },
          { name: 'b', type: 'acme', models: ['m'] },
        ],
        scenarios: [
          { prompt: 'x', load: { type: 'steady', rate: 5 } },
          { prompt: 'y', load: 'closed' },
        ],
      },
      extensions,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.providers.map((p) => p.region)).toEqual(['us', 'eu']);
    expect(result.config.scenarios.map((s) => s.load)).toEqual([
      { type: 'steady', rate: 5 },
      { type: 'closed' },
    ]);
  });

  it('names registered types in errors and suggests keys of the type', () => {
    expect(
      problems({
        providers: [
          { type: 'acm', models: ['m'] },
          { type: 'acme', models: ['m'], regoin: 'eu' },
        ],
        scenarios: [
          { prompt: 'x', load: { type: 'steady' } },
          { prompt: 'y', load: 'burst' },
        ],
      }),
    ).toEqual([
      'providers[0].type: must be one of acme, got "acm" (did you mean "acme"?)',
      'providers[1].regoin: unknown key, did you mean "region"?',
      'scenarios[0].load.rate: is required (a number > 0)',
      'scenarios[1].load.type: must be one of closed | steady, got "burst"',
    ]);
  });

  it('reports a type no package registered, with the list of those that are', () => {
    const none: ConfigExtensions = { providers: [], loadPatterns: extensions.loadPatterns };
    const result = validateConfig(
      { providers: [{ type: 'openai', models: ['m'] }], scenarios: [{ prompt: 'x' }] },
      none,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatIssues(result.issues)).toBe(
      'providers[0].type: must be a registered provider type (none is registered), got "openai"',
    );
  });
});
