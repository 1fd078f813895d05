// Settings every prompt source shares (seed, order, output caps), what a source's loader is
// given, and the pieces every file source uses: de-duplication and per-request caps.
import { flag, nonNegativeInt, oneOf, positiveInt, text, z } from '@llm-lens/config-fields';
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

/** Drops items already seen: same prompt and same caps. Used while loading only. */
export class DuplicateFilter {
  private readonly plain = new Set<string>();
  private readonly structured = new Set<string>();
  /** Items dropped so far. */
  dropped = 0;

  /** True the first time an item with these contents is offered. */
  isNew(item: Pick<PromptItem, 'prompt' | 'maxTokens' | 'minTokens'>): boolean {
    let seen: Set<string>;
    let key: string;
    // The common case, a bare string, is its own key: no copy of a large prompt.
    if (
      typeof item.prompt === 'string' &&
      item.maxTokens === undefined &&
      item.minTokens === undefined
    ) {
      seen = this.plain;
      key = item.prompt;
    } else {
      seen = this.structured;
      key = JSON.stringify([item.prompt, item.maxTokens ?? null, item.minTokens ?? null]);
    }
    if (seen.has(key)) {
      this.dropped++;
      return false;
    }
    seen.add(key);
    return true;
  }

  /**
   * Forgets the keys once loading is done. The set returned by a loader can keep this
   * filter reachable (closures share their scope), and the keys may be copies of the text.
   */
  release(): void {
    this.plain.clear();
    this.structured.clear();
  }
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
