import { positiveInt, text } from '@llm-lens/config-fields';
import { describe, expect, it } from 'vitest';
import { sourceConfigSchema } from './source-settings.js';

describe('sourceConfigSchema', () => {
  const schema = sourceConfigSchema(
    {
      path: text('a file path'),
      max_items: positiveInt().optional(),
      seed: positiveInt().default(1),
      model: text('a model name').optional(),
    },
    'an object {path}',
    (settings, ctx) => {
      if (settings.max_items === 13) ctx.addIssue({ code: 'custom', message: 'unlucky' });
    },
  );

  it('leaves out optional settings not given, and lists given ones after the others', () => {
    const config = schema.parse({ model: 'm', max_items: undefined, path: 'a.txt' });
    expect(config).toEqual({ path: 'a.txt', seed: 1, model: 'm' });
    expect(Object.keys(config)).toEqual(['path', 'seed', 'model']);
    expect(Object.keys(schema.parse({ model: 'm', max_items: 2, path: 'a' }))).toEqual([
      'path',
      'seed',
      'max_items',
      'model',
    ]);
  });

  it('gives a config that validates again to itself', () => {
    const config = schema.parse({ path: 'a.txt', max_items: 5 });
    expect(schema.parse(config)).toEqual(config);
  });

  it('runs the check and reports unknown keys like any strict object', () => {
    expect(schema.safeParse({ path: 'a', max_items: 13 }).error?.issues[0]?.message).toBe(
      'unlucky',
    );
    expect(schema.safeParse({ path: 'a', seeds: 2 }).error?.issues[0]?.message).toBe(
      'unknown key, did you mean "seed"?',
    );
  });
});
