// What the file prompt sources (text, jsonl, sharegpt) share: their settings, and turning
// the items read from a file into a prompt set, duplicates dropped and at most max_items kept.
import type { z } from '@llm-lens/config-fields';
import { type DataFile, openDataFile } from './data-file.js';
import { type ItemOrder, itemOrder } from './item-order.js';
import { checkIndex, type PromptItem, type PromptSet } from './prompt-set.js';
import {
  countOf,
  fixedOutputSetting,
  listNotes,
  maxItemsSetting,
  type OutputSettings,
  orderSetting,
  pathSetting,
  type SourceContext,
  seedSetting,
  typeSetting,
  withOutputCaps,
} from './source-settings.js';
import { WorkloadError } from './workload-error.js';

/** The settings of every file source, whatever its format. */
export interface FileSourceSettings {
  /** The data file, relative to the base directory. */
  path: string;
  /** Keep at most this many prompts (after duplicates are dropped); default all. */
  max_items?: number;
  /** Ask for exactly the output cap (vLLM `min_tokens` + `ignore_eos`); default false. */
  fixed_output: boolean;
  /** How requests go through the prompts; default `sequential`. */
  order: ItemOrder;
  /** The seed of the shuffle and of drawn output caps; default 1 (DEFAULT_SEED). */
  seed: number;
}

/**
 * The settings shape of a file source of `type`: `type` and `path`, the `format`'s own
 * settings, `max_items`, the `output` settings (`output_tokens`, ...), then `fixed_output`,
 * `order` and `seed`, in the order messages list them.
 */
export function fileSourceShape<
  Type extends string,
  Format extends z.ZodRawShape,
  Output extends z.ZodRawShape,
>(type: Type, format: Format, output: Output) {
  return {
    type: typeSetting(type),
    path: pathSetting(),
    ...format,
    max_items: maxItemsSetting(),
    ...output,
    fixed_output: fixedOutputSetting(),
    order: orderSetting(),
    seed: seedSetting(),
  };
}

/** Drops items already seen: same prompt and same caps. Used while loading only. */
class DuplicateFilter {
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

/** How a file source's prompt set goes through its items and caps their output. */
export type FilePromptSettings = OutputSettings & { order: ItemOrder };

/** What {@link FilePromptCollector.promptSet} needs besides the items. */
export interface FilePromptSetOptions {
  /** The source's type, first in the description (`jsonl`). */
  label: string;
  settings: FilePromptSettings;
  /** Notes of the description that come before the common ones (duplicates, caps, order). */
  notes?: readonly string[];
  /** What is wrong when no item was kept, and what would be valid; after `file: `. */
  emptyProblem: string;
}

/** The items of one file source as they are read: duplicates dropped, at most max_items kept. */
export class FilePromptCollector {
  /** The source's data file, opened. */
  readonly file: DataFile;
  private readonly field: string;
  private readonly maxItems: number | undefined;
  private readonly items: PromptItem[] = [];
  private readonly duplicates = new DuplicateFilter();

  private constructor(file: DataFile, field: string, maxItems: number | undefined) {
    this.file = file;
    this.field = field;
    this.maxItems = maxItems;
  }

  /** Opens the source's file; throws LENS_WORKLOAD_FILE naming `<field>.path` when it cannot. */
  static async open(
    settings: Pick<FileSourceSettings, 'path' | 'max_items'>,
    context: SourceContext,
  ): Promise<FilePromptCollector> {
    const field = `${context.field}.path`;
    const file = await openDataFile(settings.path, context.baseDir, field);
    return new FilePromptCollector(file, field, settings.max_items);
  }

  /** How many items are kept so far. */
  get size(): number {
    return this.items.length;
  }

  /** Keeps `item` unless an equal one is kept already; false once max_items are: stop reading. */
  add(item: PromptItem): boolean {
    if (this.duplicates.isNew(item)) this.items.push(item);
    return this.items.length !== this.maxItems;
  }

  /**
   * The prompt set of the kept items, in `settings.order`, each request with the source's
   * output caps. Throws LENS_WORKLOAD_EMPTY when no item was kept.
   */
  promptSet(options: FilePromptSetOptions): PromptSet {
    const { items, file } = this;
    this.duplicates.release();
    if (items.length === 0) {
      throw new WorkloadError('LENS_WORKLOAD_EMPTY', `${file.name}: ${options.emptyProblem}`, {
        file: file.name,
        field: this.field,
      });
    }
    const { settings } = options;
    const notes = listNotes(settings, this.duplicates.dropped, options.notes);
    const order = itemOrder(settings.order, items.length, settings.seed);
    return {
      description: `${options.label}: ${countOf(items.length, 'prompt')} from ${file.name} (${notes})`,
      size: items.length,
      at(index) {
        checkIndex(index);
        return withOutputCaps(items[order(index)]!, settings, index);
      },
    };
  }
}
