// Settings every prompt source shares (seed, order, output caps), what a source's loader is
// given, how a source's settings become its config, and per-request output caps.
import {
  flag,
  nonNegativeInt,
  oneOf,
  positiveInt,
  strictObject,
  text,
  z,
} from '@llm-lens/config-fields';
import type { ItemOrder } from './item-order.js';
import {
  describeLengthSpec,
  drawLength,
  type LengthSpec,
  lengthSpecSchema,
} from './length-spec.js';
import type { PromptItem, PromptSet } from './prompt-set.js';
import { DEFAULT_SEED, SeededRandom } from './seeded-random.js';

/** What a source's loader gets besides its config. */
export interface SourceContext {
  /** Directory that relative paths are resolved against. */
  readonly baseDir: string;
  /** The model the run measures, for synthetic vocabularies when the config names none. */
  readonly model: string | undefined;
  /** Where the source sits in the config (`prompts`, `scenarios[0].prompts`), for messages. */
  readonly field: string;
}

/** A prompt source type, registered by name like the executor's load patterns. */
export interface PromptSourceType<Config = unknown> {
  /** The `type` a config selects it with. */
  readonly type: string;
  /** One line for help texts and the README. */
  readonly description: string;
  /** Validates and normalizes the source's settings (the `type` key included). */
  readonly configSchema: z.ZodType<Config>;
  load(config: Config, context: SourceContext): Promise<PromptSet>;
}

/** `seed`: every random choice of the source derives from it. */
export const seedSetting = () =>
  nonNegativeInt('a whole number from 0 to 9007199254740991').default(DEFAULT_SEED);

/** `order`: how a list of prompts is gone through. */
export const orderSetting = () => oneOf(['sequential', 'shuffle']).default('sequential');

/** `output_tokens`: the output cap of items that have none of their own. */
export const outputTokensSetting = () => lengthSpecSchema('an output token count').optional();

/** `fixed_output`: ask for exactly the cap (vLLM `min_tokens` + `ignore_eos`). */
export const fixedOutputSetting = () => flag().default(false);

/** `max_items`: keep at most this many prompts from a file. */
export const maxItemsSetting = () => positiveInt().optional();

/** `path`: a data file, relative to the base directory. */
export const pathSetting = () => text('a file path');

/** The `type` key of a source's own schema. */
export const typeSetting = <T extends string>(type: T) => z.literal(type);

/** A source's parsed settings as its config: the optional settings not given are left out. */
export type GivenSettings<Shape extends z.ZodRawShape> = {
  [Key in keyof z.output<z.ZodObject<Shape>>]: Exclude<
    z.output<z.ZodObject<Shape>>[Key],
    undefined
  >;
};

/**
 * The schema of a source's settings (and of every conversation source's): a strict object of
 * `shape`, `check` run on it when given, whose output is the source's config. An optional
 * setting that was not given is left out rather than kept as undefined, so the config
 * validates again to itself; those given follow the others, in the order configs have
 * always been written out in.
 */
export function sourceConfigSchema<Shape extends z.ZodRawShape>(
  shape: Shape,
  what: string,
  check?: (settings: z.output<z.ZodObject<Shape>>, ctx: z.RefinementCtx) => void,
) {
  const keys = Object.keys(shape);
  const optional = keys.filter((key) => shape[key] instanceof z.ZodOptional);
  const required = keys.filter((key) => !optional.includes(key));
  const settings = strictObject(shape, what);
  return (check === undefined ? settings : settings.superRefine(check)).transform((parsed) => {
    const given = parsed as Record<string, unknown>;
    const config: Record<string, unknown> = {};
    for (const key of required) config[key] = given[key];
    for (const key of optional) if (given[key] !== undefined) config[key] = given[key];
    return config as GivenSettings<Shape>;
  });
}

/** Output caps shared by every source. */
export interface OutputSettings {
  output_tokens?: LengthSpec;
  fixed_output: boolean;
  seed: number;
}

/**
 * `item` as request `index` sends it: the source's `output_tokens` drawn when the item has
 * no cap of its own, and `fixed_output` turned into `minTokens`. Returns `item` itself when
 * nothing changes.
 */
export function withOutputCaps(
  item: PromptItem,
  settings: OutputSettings,
  index: number,
): PromptItem {
  let maxTokens = item.maxTokens;
  if (maxTokens === undefined && settings.output_tokens !== undefined) {
    maxTokens = drawLength(settings.output_tokens, SeededRandom.of(settings.seed, 'output', index));
  }
  const minTokens = item.minTokens ?? (settings.fixed_output ? maxTokens : undefined);
  if (maxTokens === item.maxTokens && minTokens === item.minTokens) return item;
  const out: PromptItem = { ...item };
  if (maxTokens !== undefined) out.maxTokens = maxTokens;
  if (minTokens !== undefined) out.minTokens = minTokens;
  return out;
}

/** `1,234 prompts`. */
export function countOf(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

/** The notes of a file source's description: duplicates, order, seed. */
export function listNotes(
  settings: { order: ItemOrder; seed: number; output_tokens?: LengthSpec; fixed_output: boolean },
  dropped: number,
  extra: readonly string[] = [],
): string {
  const notes = [...extra];
  if (dropped > 0) notes.push(`${countOf(dropped, 'duplicate')} dropped`);
  const caps = capsNote(settings);
  if (caps !== undefined) notes.push(caps);
  notes.push(settings.order === 'shuffle' ? `shuffled, seed ${settings.seed}` : 'in order');
  return notes.join('; ');
}

/** `max_tokens 128` / `output 128 tokens, fixed`, or undefined without caps. */
export function capsNote(settings: {
  output_tokens?: LengthSpec;
  fixed_output: boolean;
}): string | undefined {
  if (settings.output_tokens === undefined)
    return settings.fixed_output ? 'fixed output where a cap is set' : undefined;
  const spec = describeLengthSpec(settings.output_tokens);
  return settings.fixed_output ? `output ${spec} tokens, fixed` : `max_tokens ${spec}`;
}
