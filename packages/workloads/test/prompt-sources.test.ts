import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatMessage } from '@llm-lens/providers-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  loadPromptSet,
  type PromptItem,
  type PromptSet,
  preparePromptItems,
  promptSourceSchema,
  readPromptSourceFile,
} from '../src/index.js';
import { loadVocabulary } from '../src/vocabulary.js';
import { workloadError } from './workload-errors.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const load = (config: unknown, model?: string) =>
  loadPromptSet(config, { baseDir: fixtures, ...(model === undefined ? {} : { model }) });

function prompts(set: PromptSet, count: number, start = 0): PromptItem['prompt'][] {
  return preparePromptItems(set, count, start).map((item) => item.prompt);
}

function scratchFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'workloads-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('inline prompts', () => {
  it('goes through the listed prompts in order, strings and message lists alike', async () => {
    const set = await load({
      type: 'inline',
      prompts: ['one', { messages: [{ role: 'user', content: 'two' }], max_tokens: 9 }, 'one'],
    });
    expect(set.size).toBe(3);
    expect(set.description).toBe('inline: 3 prompts (in order)');
    expect(preparePromptItems(set, 4)).toEqual([
      { prompt: 'one', source: 'inline#1' },
      { prompt: [{ role: 'user', content: 'two' }], maxTokens: 9, source: 'inline#2' },
      { prompt: 'one', source: 'inline#3' },
      { prompt: 'one', source: 'inline#1' },
    ]);
  });

  it('draws output caps for prompts without their own, and fixes the length when asked', async () => {
    const set = await load({
      type: 'inline',
      prompts: ['a', { prompt: 'b', max_tokens: 7 }],
      output_tokens: '10..20',
      fixed_output: true,
    });
    const items = preparePromptItems(set, 200);
    const drawn = items.filter((item) => item.prompt === 'a').map((item) => item.maxTokens!);
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...drawn)).toBeLessThanOrEqual(20);
    expect(new Set(drawn).size).toBeGreaterThan(5);
    expect(items.every((item) => item.minTokens === item.maxTokens)).toBe(true);
    expect(items.filter((item) => item.prompt === 'b').every((item) => item.maxTokens === 7)).toBe(
      true,
    );
    expect(set.description).toBe('inline: 2 prompts (output 10..20 tokens, fixed; in order)');
  });

  it('shuffles with the seed: same seed same order, another seed another', async () => {
    const config = {
      type: 'inline',
      prompts: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
      order: 'shuffle',
      seed: 3,
    };
    const first = prompts(await load(config), 16);
    expect(prompts(await load(config), 16)).toEqual(first);
    expect(prompts(await load({ ...config, seed: 4 }), 16)).not.toEqual(first);
    expect([...first.slice(0, 8)].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });
});

describe('text files', () => {
  it('takes every non-blank line once, in file order', async () => {
    const set = await load({ type: 'text', path: 'prompts.txt' });
    expect(set.size).toBe(3);
    expect(preparePromptItems(set, 3)).toEqual([
      { prompt: 'What is the capital of France?', source: 'prompts.txt:1' },
      { prompt: 'Explain recursion in one sentence.', source: 'prompts.txt:3' },
      { prompt: 'Write a haiku about latency.', source: 'prompts.txt:6' },
    ]);
    expect(set.description).toBe(
      'text: 3 prompts from prompts.txt (one per line; 1 duplicate dropped; in order)',
    );
  });

  it('takes the whole file as one prompt with split: file', async () => {
    const set = await load({ type: 'text', path: 'prompts.txt', split: 'file' });
    expect(set.size).toBe(1);
    expect(set.at(5).prompt).toMatch(/^What is the capital of France\?\n\nExplain .*latency\.$/s);
  });

  it('keeps only max_items', async () => {
    const set = await load({ type: 'text', path: 'prompts.txt', max_items: 2 });
    expect(prompts(set, 3)).toEqual([
      'What is the capital of France?',
      'Explain recursion in one sentence.',
      'What is the capital of France?',
    ]);
  });

  it('says where a missing or empty file was looked for', async () => {
    const missing = await workloadError(() => load({ type: 'text', path: 'nope.txt' }));
    expect(missing.code).toBe('LENS_WORKLOAD_FILE');
    expect(missing.message).toBe(
      `prompts.path: file not found: nope.txt (looked at ${join(fixtures, 'nope.txt')}); relative paths are resolved against ${fixtures.replace(/\/$/, '')}`,
    );
    const directory = await workloadError(() => load({ type: 'text', path: '.' }));
    expect(directory.message).toBe(
      `prompts.path: . (looked at ${fixtures.replace(/\/$/, '')}) is not a file; give the path of a data file`,
    );
    const blank = scratchFile('blank.txt', '\n  \n');
    const empty = await workloadError(() => load({ type: 'text', path: blank }));
    expect(empty.code).toBe('LENS_WORKLOAD_EMPTY');
    expect(empty.message).toBe(
      `${blank}: no prompt in the file (every line is blank); write one prompt per line, or use split: file for one prompt`,
    );
  });
});

describe('JSONL files', () => {
  it('reads prompts and messages with their caps, dropping exact duplicates', async () => {
    const set = await load({ type: 'jsonl', path: 'prompts.jsonl' });
    expect(set.size).toBe(3);
    expect(preparePromptItems(set, 3)).toEqual([
      { prompt: 'Summarize the plot of Hamlet.', maxTokens: 200, source: 'jsonl#1' },
      {
        prompt: [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'Good morning!' },
        ],
        maxTokens: 50,
        minTokens: 50,
        source: 'jsonl#2',
      },
      { prompt: 'List three prime numbers.', source: 'jsonl#q3' },
    ]);
    expect(set.description).toBe(
      'jsonl: 3 prompts from prompts.jsonl (1 duplicate dropped; in order)',
    );
  });

  it('names file and line of a bad record and what would be valid', async () => {
    const path = scratchFile(
      'bad.jsonl',
      '{"prompt": "ok"}\n\n{"prompt": "x", "max_tokens": -3}\n',
    );
    const error = await workloadError(() => load({ type: 'jsonl', path }));
    expect(error.code).toBe('LENS_WORKLOAD_PARSE');
    expect(error.line).toBe(3);
    expect(error.message).toBe(
      `${path}:3: invalid prompt record: max_tokens: must be a positive integer, got -3`,
    );

    const broken = scratchFile('broken.jsonl', '{"prompt": "ok"}\n{"prompt": "unterminated}\n');
    const syntax = await workloadError(() => load({ type: 'jsonl', path: broken }));
    expect(syntax.message).toMatch(
      new RegExp(
        `^${broken}:2: not valid JSON \\(.*\\); each line must be one JSON object such as \\{"prompt": "\\.\\.\\.", "max_tokens": 128\\}`,
      ),
    );
    const typo = scratchFile('typo.jsonl', '{"prompt": "ok", "max_token": 5}\n');
    expect((await workloadError(() => load({ type: 'jsonl', path: typo }))).message).toBe(
      `${typo}:1: invalid prompt record: max_token: unknown key, did you mean "max_tokens"?`,
    );
  });
});

describe('ShareGPT files', () => {
  it('takes the first human turn of each conversation, skipping and counting the unusable', async () => {
    const set = await load({ type: 'sharegpt', path: 'sharegpt.json' });
    expect(prompts(set, set.size)).toEqual([
      'How do I reverse a list in Python?',
      'Tell me a fun fact about octopuses.',
      'Fix: their going home.\n\nOnly the corrected sentence, please.',
      'What is 2 + 2?',
    ]);
    expect(set.at(1).source).toBe('sharegpt#c2');
    expect(set.description).toBe(
      'sharegpt: 4 prompts from sharegpt.json (first human turns; 2 conversations skipped (1 no human turn, 1 unknown speaker); 1 duplicate dropped; in order)',
    );
  });

  it('caps each prompt at its recorded reply’s length with output_tokens: dataset', async () => {
    const set = await load({
      type: 'sharegpt',
      path: 'sharegpt.json',
      output_tokens: 'dataset',
      model: 'gpt-4o',
    });
    const vocabulary = loadVocabulary('o200k_base');
    const items = preparePromptItems(set, set.size);
    expect(items.map((item) => [item.source, item.maxTokens])).toEqual([
      [
        'sharegpt#c1',
        vocabulary.count(
          'Use slicing: my_list[::-1], or call my_list.reverse() to reverse it in place.',
        ),
      ],
      ['sharegpt#c2', vocabulary.count('Octopuses have three hearts and blue blood.')],
      ['sharegpt#c4', vocabulary.count("They're going home.")],
      // Same prompt as c1 but another recorded length: not a duplicate.
      ['sharegpt#c6', vocabulary.count('Use reversed(my_list).')],
    ]);
    expect(set.description).toContain('1 no recorded reply');
    expect(set.description).toContain(
      'max_tokens from the recorded replies (o200k_base, exact for gpt-4o)',
    );
  });

  it('stops reading at max_items', async () => {
    const set = await load({
      type: 'sharegpt',
      path: 'sharegpt.json',
      max_items: 2,
      order: 'shuffle',
      seed: 9,
    });
    expect(set.size).toBe(2);
    expect(new Set(prompts(set, 2))).toEqual(
      new Set(['How do I reverse a list in Python?', 'Tell me a fun fact about octopuses.']),
    );
    expect(set.description).toContain('the first 2 usable conversations');
  });

  it('names file and line of a malformed conversation', async () => {
    const path = scratchFile(
      'bad.json',
      '[\n{"id": 1, "conversations": []},\n{"id": 2, "turns": []}\n]',
    );
    const error = await workloadError(() => load({ type: 'sharegpt', path }));
    expect(error.code).toBe('LENS_WORKLOAD_PARSE');
    expect(error.message).toBe(
      `${path}:3: conversation 2 has no "conversations" list; ShareGPT elements look like {"id": "a1", "conversations": [{"from": "human", "value": "..."}, {"from": "gpt", "value": "..."}]}`,
    );
  });
});

describe('synthetic prompts', () => {
  it.each([
    ['gpt-4o', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
  ] as const)('have exactly the drawn token length for %s (%s)', async (model, encoding) => {
    const set = await load({ type: 'synthetic', input_tokens: '200±50', output_tokens: 64 }, model);
    const vocabulary = loadVocabulary(encoding);
    const items = preparePromptItems(set, 40);
    const lengths = items.map((item) => vocabulary.count(item.prompt as string));
    expect(new Set(lengths).size).toBeGreaterThan(10);
    expect(items.every((item) => item.maxTokens === 64 && item.minTokens === undefined)).toBe(true);
    // The length drawn for a request is the length it has: rebuild each draw independently.
    for (const [index, item] of items.entries()) expect(set.at(index)).toEqual(item);
    expect(set.size).toBe(Number.POSITIVE_INFINITY);
    expect(set.description).toBe(
      `synthetic: input 200±50 tokens (${encoding}, exact for ${model}; max_tokens 64; seed 1)`,
    );
  });

  it('gives each request its own prompt, opening with its number', async () => {
    const set = await load({ type: 'synthetic', input_tokens: 32 });
    const texts = prompts(set, 200) as string[];
    expect(new Set(texts).size).toBe(200);
    expect(texts[17]!.startsWith('Request 17: ')).toBe(true);
  });

  it('sends the same sequence for the same seed and another for another seed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat({ max: 1000 }), async (seed, start) => {
        const config = { type: 'synthetic', input_tokens: '20..60', output_tokens: '8..16', seed };
        const [a, b, c] = await Promise.all([
          load(config),
          load(config),
          load({ ...config, seed: seed + 1 }),
        ]);
        const first = preparePromptItems(a, 5, start);
        expect(preparePromptItems(b, 5, start)).toEqual(first);
        expect(preparePromptItems(c, 5, start)).not.toEqual(first);
      }),
      { numRuns: 25 },
    );
  });

  it('labels lengths for other model families as an estimate', async () => {
    const set = await load({
      type: 'synthetic',
      input_tokens: 16,
      model: 'meta-llama/Llama-3.1-8B-Instruct',
    });
    expect(set.description).toContain(
      'cl100k_base, an estimate for meta-llama/Llama-3.1-8B-Instruct',
    );
  });
});

describe('template mixes', () => {
  it('honours the weights, fills variables from lists, files and generators', async () => {
    const { config, baseDir } = await readPromptSourceFile(join(fixtures, 'mix.yaml'));
    const set = await loadPromptSet(config, { baseDir });
    const items = preparePromptItems(set, 4_000);
    const translations = items.filter((item) => item.source === 'mix:translate');
    // 3 : 1 weights → 75 %; the standard error over 4,000 draws is 0.7 %.
    expect(translations.length / items.length).toBeGreaterThan(0.72);
    expect(translations.length / items.length).toBeLessThan(0.78);
    expect(new Set(translations.map((item) => item.prompt))).toEqual(
      new Set(
        ['French', 'German', 'Japanese'].flatMap((language) =>
          ['Good morning.', 'Where is the station?'].map(
            (sentence) => `Translate into ${language}: ${sentence}`,
          ),
        ),
      ),
    );
    expect(translations.every((item) => item.maxTokens === 64)).toBe(true);
    const sums = items.filter((item) => item.source === 'mix:arithmetic');
    for (const item of sums) expect(item.prompt).toMatch(/^What is ([1-9]\d?) \+ ([1-9]\d?)\?$/);
    expect(sums.every((item) => item.maxTokens === undefined)).toBe(true);
    expect(set.size).toBe(3 * 2 + 99 * 99);
    expect(set.description).toBe('mix: 2 templates (translate 75%, arithmetic 25%; seed 7)');
  });

  it('fills chat templates and draws text of exact token length', async () => {
    const set = await load(
      {
        type: 'mix',
        entries: [
          {
            messages: [
              { role: 'system', content: 'You summarize {{style}}.' },
              { role: 'user', content: 'Summarize: {{document}}' },
            ],
            variables: {
              style: { generator: 'choice', values: ['briefly', 'in detail'], weights: [9, 1] },
              document: { generator: 'tokens', length: 100 },
            },
            max_tokens: '50..60',
          },
        ],
      },
      'gpt-4o',
    );
    const vocabulary = loadVocabulary('o200k_base');
    const items = preparePromptItems(set, 300);
    const styles = items.map((item) => (item.prompt as readonly ChatMessage[])[0]!.content);
    const brief = styles.filter((style) => style === 'You summarize briefly.').length;
    expect(brief / items.length).toBeGreaterThan(0.83);
    expect(brief / items.length).toBeLessThan(0.97);
    for (const item of items.slice(0, 20)) {
      const user = (item.prompt as readonly ChatMessage[])[1]!.content;
      expect(vocabulary.count(user.slice('Summarize: '.length))).toBe(100);
      expect(item.maxTokens).toBeGreaterThanOrEqual(50);
      expect(item.maxTokens).toBeLessThanOrEqual(60);
    }
    expect(set.size).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses unknown placeholders and unused variables before the run', async () => {
    const error = await workloadError(() =>
      load({
        type: 'mix',
        entries: [
          {
            template: 'Hello {{nmae}}, from {{city}}',
            variables: { name: ['Ana'], city: ['Oslo'] },
          },
          { template: 'plain' },
        ],
      }),
    );
    expect(error.code).toBe('LENS_WORKLOAD_INVALID');
    expect(error.issues).toEqual([
      {
        path: 'prompts.entries[0].template',
        message: 'uses {{nmae}}, which is not defined in variables (defined: name, city)',
      },
      {
        path: 'prompts.entries[0].variables.name',
        message: 'is not used: no {{name}} in the template',
      },
    ]);
    expect(error.message).toBe(
      'invalid prompts (2 problems): prompts.entries[0].template: uses {{nmae}}, which is not defined in variables (defined: name, city); prompts.entries[0].variables.name: is not used: no {{name}} in the template',
    );
  });

  it('explains bad variables and entries', async () => {
    const problems = (
      await workloadError(() =>
        load({
          type: 'mix',
          entries: [
            {
              weight: 0,
              template: '{{a}} {{b}} {{c}}',
              variables: {
                a: [],
                b: { generator: 'dice' },
                c: { generator: 'int', min: 5, max: 1 },
              },
            },
            { template: 'x', messages: [{ role: 'user', content: 'y' }] },
          ],
        }),
      )
    ).issues;
    expect(problems).toEqual([
      { path: 'prompts.entries[0].weight', message: 'must be a weight > 0, got 0' },
      {
        path: 'prompts.entries[0].variables.a',
        message: 'must be a non-empty list of values, got []',
      },
      {
        path: 'prompts.entries[0].variables.b.generator',
        message: 'must be one of int | choice | words | tokens, got "dice"',
      },
      { path: 'prompts.entries[0].variables.c.min', message: 'must not exceed max (1), got 5' },
      {
        path: 'prompts.entries[1].messages',
        message: 'cannot be combined with template; give one of them',
      },
    ]);
  });
});

describe('prompt source files', () => {
  it('report a mistake with its line, through the config loader', async () => {
    const path = scratchFile(
      'bad-mix.yaml',
      'type: mix\nentries:\n  - template: "Hi {{who}}"\n    wieght: 2\n',
    );
    let thrown: unknown;
    try {
      await readPromptSourceFile(path);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { code?: string }).code).toBe('LENS_CONFIG_INVALID');
    expect((thrown as Error).message).toBe(
      `invalid prompt source file (2 problems):\n${path}:4:5: entries[0].wieght: unknown key, did you mean "weight"?\n${path}:3:5: entries[0].template: uses {{who}}, which is not defined in variables (no variables are defined)`,
    );
  });
});

describe('prompt source configs', () => {
  it('name the valid types and suggest a near miss', async () => {
    expect((await workloadError(() => load({ type: 'sharegtp', path: 'x' }))).message).toBe(
      'prompts.type: must be one of inline | text | jsonl | sharegpt | synthetic | mix, got "sharegtp" (did you mean "sharegpt"?)',
    );
    expect((await workloadError(() => load('prompts.txt'))).message).toBe(
      'prompts: must be a prompt source: an object with a type (one of inline | text | jsonl | sharegpt | synthetic | mix), got "prompts.txt"',
    );
    expect(
      (
        await workloadError(() =>
          load({ type: 'synthetic', input_tokens: 'big', output_token: 5, temperature: 1 }),
        )
      ).issues,
    ).toEqual([
      {
        path: 'prompts.input_tokens',
        message:
          'must be an input token count: 512 (fixed), 512±128 or 512+-128 (normal, sd 128), 256..768 (uniform), or {distribution: fixed|uniform|normal, ...}, got "big"',
      },
      { path: 'prompts.output_token', message: 'unknown key, did you mean "output_tokens"?' },
      {
        path: 'prompts.temperature',
        message:
          'unknown key; valid keys here: type, input_tokens, output_tokens, model, fixed_output, seed',
      },
    ]);
  });

  it('validate again to themselves once parsed', () => {
    for (const config of [
      { type: 'synthetic', input_tokens: '512±128', output_tokens: '100..200', model: 'gpt-4o' },
      { type: 'sharegpt', path: 'a.json', output_tokens: 'dataset', max_items: 10 },
      {
        type: 'inline',
        prompts: [
          'a',
          { messages: [{ role: 'developer', content: 'x' }], max_completion_tokens: 3 },
        ],
      },
    ]) {
      const parsed = promptSourceSchema.parse(config);
      expect(promptSourceSchema.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    }
    expect(promptSourceSchema.parse({ type: 'synthetic', input_tokens: '512±128' })).toEqual({
      type: 'synthetic',
      input_tokens: { distribution: 'normal', mean: 512, sd: 128 },
      fixed_output: false,
      seed: 1,
    });
  });

  it('items are plain data that survive structured cloning', async () => {
    const set = await load({ type: 'jsonl', path: 'prompts.jsonl' });
    const items = preparePromptItems(set, 3);
    expect(structuredClone(items)).toEqual(items);
    expect(() => set.at(-1)).toThrow(RangeError);
    expect(() => set.at(1.5)).toThrow(RangeError);
  });
});
