// Where the value of a `{{name}}` placeholder comes from: a list, a file (one value per
// line) or a generator. Every value is drawn from the request's own seeded stream.
import {
  expectationMessage,
  expecting,
  listOf,
  oneOf,
  positiveNumber,
  strictObject,
  text,
  z,
} from '@llm-lens/config-fields';
import { openDataFile, readLines } from './data-file.js';
import { drawLength, type LengthSpec, lengthSpecSchema } from './length-spec.js';
import type { SeededRandom } from './seeded-random.js';
import type { SyntheticTextBuilder } from './synthetic-text.js';
import { WORDS } from './word-list.js';
import { WorkloadError } from './workload-error.js';
import { forwardIssues } from './zod-issues.js';

/** One variable of a mix entry, as validated. */
export type VariableConfig =
  /** Values to pick from uniformly. */
  | string[]
  /** A text file, one value per non-blank line, picked uniformly. */
  | { file: string }
  /** A uniform whole number in [min, max]. */
  | { generator: 'int'; min: number; max: number }
  /** One of `values`, by `weights` (default equal). */
  | { generator: 'choice'; values: string[]; weights?: number[] }
  /** `count` random words from the built-in list, separated by spaces. */
  | { generator: 'words'; count: LengthSpec }
  /** Random prose of exactly `length` tokens in the mix's vocabulary. */
  | { generator: 'tokens'; length: LengthSpec };

/** The generator names a variable may use. */
export const GENERATORS = ['int', 'choice', 'words', 'tokens'] as const;

const int = () =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z.number(expecting('a whole number')).int(expecting('a whole number')),
  );

const generatorSchemas = {
  int: strictObject(
    { generator: z.literal('int'), min: int(), max: int() },
    'an object {generator: int, min, max}',
  ).superRefine((value, ctx) => {
    if (value.min > value.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        message: `must not exceed max (${value.max}), got ${value.min}`,
      });
    }
  }),
  choice: strictObject(
    {
      generator: z.literal('choice'),
      values: listOf(z.string(expecting('a string')), 'a non-empty list of strings', true),
      weights: listOf(positiveNumber(), 'a list of weights > 0, one per value').optional(),
    },
    'an object {generator: choice, values, weights?}',
  ).superRefine((value, ctx) => {
    if (value.weights !== undefined && value.weights.length !== value.values.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights'],
        message: `must have one weight per value (${value.values.length}), got ${value.weights.length}`,
      });
    }
  }),
  words: strictObject(
    { generator: z.literal('words'), count: lengthSpecSchema('a word count') },
    'an object {generator: words, count}',
  ),
  tokens: strictObject(
    { generator: z.literal('tokens'), length: lengthSpecSchema('a token length') },
    'an object {generator: tokens, length}',
  ),
} as const;

const fileSchema = strictObject({ file: text('a file path') }, 'an object {file: path}');

const WHAT =
  'a list of values, {file: path} (one value per line) or {generator: int | choice | words | tokens, ...}';

/** A variable's zod schema: a list, a file or a generator. */
export const variableSchema = z.unknown().transform((value, ctx): VariableConfig => {
  if (Array.isArray(value)) {
    const list = listOf(
      z.string(expecting('a string')),
      'a non-empty list of values',
      true,
    ).safeParse(value);
    if (list.success) return list.data;
    forwardIssues(list.error, ctx);
    return z.NEVER;
  }
  if (value !== null && typeof value === 'object') {
    const entry = value as Record<string, unknown>;
    if (!('generator' in entry)) {
      const file = fileSchema.safeParse(value);
      if (file.success) return file.data;
      forwardIssues(file.error, ctx);
      return z.NEVER;
    }
    const generator = oneOf(GENERATORS).safeParse(entry.generator);
    if (!generator.success) {
      forwardIssues(generator.error, ctx, ['generator']);
      return z.NEVER;
    }
    const parsed = generatorSchemas[generator.data].safeParse(value);
    if (parsed.success) {
      const data = parsed.data;
      if (data.generator === 'choice' && data.weights === undefined) {
        return { generator: 'choice', values: data.values };
      }
      return data as VariableConfig;
    }
    forwardIssues(parsed.error, ctx);
    return z.NEVER;
  }
  ctx.addIssue({ code: 'custom', message: expectationMessage(WHAT, value, []) });
  return z.NEVER;
});

/** A variable ready to draw values. */
export interface Variable {
  /** A value for one request. */
  draw(random: SeededRandom): string;
  /** How many distinct values it can take (Infinity for generated text). */
  readonly distinctValues: number;
}

/** What loading a variable needs. */
export interface VariableContext {
  baseDir: string;
  /** The setting that holds the variable, for messages (`prompts.entries[0].variables.city`). */
  field: string;
  /** For the `tokens` generator; loaded only when one is used. */
  textBuilder: () => SyntheticTextBuilder;
}

function cumulative(weights: readonly number[]): number[] {
  let total = 0;
  return weights.map((weight) => (total += weight));
}

/** Loads a variable: reads its file, prepares its generator. */
export async function loadVariable(
  config: VariableConfig,
  context: VariableContext,
): Promise<Variable> {
  if (Array.isArray(config)) {
    return { draw: (random) => random.pick(config), distinctValues: new Set(config).size };
  }
  if ('file' in config) {
    const file = await openDataFile(config.file, context.baseDir, `${context.field}.file`);
    const values: string[] = [];
    for await (const { text: line } of readLines(file)) if (line.trim() !== '') values.push(line);
    if (values.length === 0) {
      throw new WorkloadError(
        'LENS_WORKLOAD_EMPTY',
        `${file.name}: no value in the file (every line is blank); ${context.field} needs one value per line`,
        { file: file.name, field: context.field },
      );
    }
    return { draw: (random) => random.pick(values), distinctValues: new Set(values).size };
  }
  switch (config.generator) {
    case 'int':
      return {
        draw: (random) => String(random.int(config.min, config.max)),
        distinctValues: config.max - config.min + 1,
      };
    case 'choice': {
      const weights = cumulative(config.weights ?? config.values.map(() => 1));
      return {
        draw: (random) => config.values[random.weighted(weights)]!,
        distinctValues: new Set(config.values).size,
      };
    }
    case 'words':
      return {
        draw: (random) => {
          const count = drawLength(config.count, random);
          const words: string[] = new Array(count);
          for (let i = 0; i < count; i++) words[i] = random.pick(WORDS);
          return words.join(' ');
        },
        distinctValues: Number.POSITIVE_INFINITY,
      };
    case 'tokens': {
      const builder = context.textBuilder();
      return {
        draw: (random) => builder.build(drawLength(config.length, random), random),
        distinctValues: Number.POSITIVE_INFINITY,
      };
    }
  }
}
