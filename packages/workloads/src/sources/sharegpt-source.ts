// `{ type: sharegpt, path, max_items? }`: the first human turn of each ShareGPT conversation
// as a single-turn prompt; with `output_tokens: dataset`, the recorded reply's token count as
// its max_tokens (as vLLM's serving benchmark does).
import { strictObject, text, z } from '@llm-lens/config-fields';
import { openDataFile } from '../data-file.js';
import { type ItemOrder, itemOrder } from '../item-order.js';
import { type LengthSpec, lengthSpecSchema } from '../length-spec.js';
import { checkIndex, type PromptItem } from '../prompt-set.js';
import { readShareGpt, SkipCounter } from '../sharegpt-format.js';
import {
  countOf,
  DuplicateFilter,
  fixedOutputSetting,
  listNotes,
  maxItemsSetting,
  type OutputSettings,
  orderSetting,
  type PromptSourceType,
  pathSetting,
  seedSetting,
  typeSetting,
  withOutputCaps,
} from '../source-settings.js';
import { chooseVocabulary, describeVocabulary, loadVocabulary } from '../vocabulary.js';
import { WorkloadError } from '../workload-error.js';
import { forwardIssues } from '../zod-issues.js';

/** ShareGPT conversations, first human turn each. */
export interface ShareGptSourceConfig {
  type: 'sharegpt';
  path: string;
  max_items?: number;
  /** `dataset`: the recorded reply's length in tokens; or a length spec; unset: no cap. */
  output_tokens?: LengthSpec | 'dataset';
  /** The model whose vocabulary counts the recorded replies; default the run's model. */
  model?: string;
  fixed_output: boolean;
  order: ItemOrder;
  seed: number;
}

/** `dataset` or a length spec. */
export const datasetOrLengthSchema = z.unknown().transform((value, ctx): LengthSpec | 'dataset' => {
  if (value === 'dataset') return 'dataset';
  const spec = lengthSpecSchema(
    '"dataset" (the recorded reply\'s length) or an output token count',
  ).safeParse(value);
  if (spec.success) return spec.data;
  forwardIssues(spec.error, ctx);
  return z.NEVER;
});

const schema = strictObject(
  {
    type: typeSetting('sharegpt'),
    path: pathSetting(),
    max_items: maxItemsSetting(),
    output_tokens: datasetOrLengthSchema.optional(),
    model: text('a model name').optional(),
    fixed_output: fixedOutputSetting(),
    order: orderSetting(),
    seed: seedSetting(),
  },
  'an object {type: sharegpt, path}',
).transform((config): ShareGptSourceConfig => {
  const out: ShareGptSourceConfig = {
    type: 'sharegpt',
    path: config.path,
    fixed_output: config.fixed_output,
    order: config.order,
    seed: config.seed,
  };
  if (config.max_items !== undefined) out.max_items = config.max_items;
  if (config.output_tokens !== undefined) out.output_tokens = config.output_tokens;
  if (config.model !== undefined) out.model = config.model;
  return out;
});

export const shareGptSource: PromptSourceType<ShareGptSourceConfig> = {
  type: 'sharegpt',
  description: 'a ShareGPT JSON file: the first human turn of each conversation',
  configSchema: schema,
  async load(config, context) {
    const file = await openDataFile(config.path, context.baseDir, `${context.field}.path`);
    const fromDataset = config.output_tokens === 'dataset';
    const choice = chooseVocabulary(config.model ?? context.model);
    const vocabulary = fromDataset ? loadVocabulary(choice.encoding) : undefined;
    const items: PromptItem[] = [];
    const duplicates = new DuplicateFilter();
    const skipped = new SkipCounter();
    await readShareGpt(file, skipped, (conversation) => {
      const first = conversation.turns[0]!;
      const item: PromptItem = { prompt: first.user, source: `sharegpt#${conversation.id}` };
      if (vocabulary !== undefined) {
        if (first.reply === undefined) {
          skipped.add('no recorded reply');
          return true;
        }
        item.maxTokens = vocabulary.count(first.reply);
      }
      if (duplicates.isNew(item)) items.push(Object.freeze(item));
      return items.length !== config.max_items;
    });
    duplicates.release();
    if (items.length === 0) {
      throw new WorkloadError(
        'LENS_WORKLOAD_EMPTY',
        `${file.name}: no usable conversation${skipped.total > 0 ? ` (${skipped.describe()})` : ''}; a conversation needs a human turn${fromDataset ? ' followed by a gpt reply (output_tokens: dataset)' : ''}`,
        { file: file.name, field: `${context.field}.path` },
      );
    }
    const extra = ['first human turns'];
    if (config.max_items !== undefined && items.length === config.max_items) {
      extra.push(`the first ${countOf(items.length, 'usable conversation')}`);
    }
    const skips = skipped.describe();
    if (skips !== undefined) extra.push(skips);
    if (fromDataset)
      extra.push(`max_tokens from the recorded replies (${describeVocabulary(choice)})`);
    const settings: OutputSettings & { order: ItemOrder } = {
      seed: config.seed,
      fixed_output: config.fixed_output,
      order: config.order,
    };
    if (config.output_tokens !== undefined && config.output_tokens !== 'dataset') {
      settings.output_tokens = config.output_tokens;
    }
    const order = itemOrder(config.order, items.length, config.seed);
    return {
      description: `sharegpt: ${countOf(items.length, 'prompt')} from ${file.name} (${listNotes(settings, duplicates.dropped, extra)})`,
      size: items.length,
      at(index) {
        checkIndex(index);
        return withOutputCaps(items[order(index)]!, settings, index);
      },
    };
  },
};
