// `{ type: text, path, split: line | file }`: prompts from a plain text file.
import { basename } from 'node:path';
import { oneOf, strictObject } from '@llm-lens/config-fields';
import { openDataFile, readLines, readWholeFile } from '../data-file.js';
import { type ItemOrder, itemOrder } from '../item-order.js';
import type { LengthSpec } from '../length-spec.js';
import { checkIndex, type PromptItem } from '../prompt-set.js';
import {
  countOf,
  DuplicateFilter,
  fixedOutputSetting,
  listNotes,
  maxItemsSetting,
  orderSetting,
  outputTokensSetting,
  type PromptSourceType,
  pathSetting,
  seedSetting,
  typeSetting,
  withOutputCaps,
} from '../source-settings.js';
import { WorkloadError } from '../workload-error.js';

/** A text file: one prompt per non-empty line, or the whole file as one prompt. */
export interface TextSourceConfig {
  type: 'text';
  path: string;
  /** `line` (default): every non-blank line is a prompt. `file`: the whole file is one. */
  split: 'line' | 'file';
  max_items?: number;
  output_tokens?: LengthSpec;
  fixed_output: boolean;
  order: ItemOrder;
  seed: number;
}

const schema = strictObject(
  {
    type: typeSetting('text'),
    path: pathSetting(),
    split: oneOf(['line', 'file']).default('line'),
    max_items: maxItemsSetting(),
    output_tokens: outputTokensSetting(),
    fixed_output: fixedOutputSetting(),
    order: orderSetting(),
    seed: seedSetting(),
  },
  'an object {type: text, path, split?}',
).transform((config): TextSourceConfig => {
  const out: TextSourceConfig = {
    type: 'text',
    path: config.path,
    split: config.split,
    fixed_output: config.fixed_output,
    order: config.order,
    seed: config.seed,
  };
  if (config.max_items !== undefined) out.max_items = config.max_items;
  if (config.output_tokens !== undefined) out.output_tokens = config.output_tokens;
  return out;
});

export const textSource: PromptSourceType<TextSourceConfig> = {
  type: 'text',
  description:
    'a text file: one prompt per non-blank line (split: line) or the whole file (split: file)',
  configSchema: schema,
  async load(config, context) {
    const file = await openDataFile(config.path, context.baseDir, `${context.field}.path`);
    const items: PromptItem[] = [];
    const duplicates = new DuplicateFilter();
    const name = basename(file.name);
    if (config.split === 'file') {
      const whole = (await readWholeFile(file)).trimEnd();
      if (whole.trim() !== '') items.push(Object.freeze({ prompt: whole, source: name }));
    } else {
      for await (const { text, line } of readLines(file)) {
        if (text.trim() === '') continue;
        const item: PromptItem = Object.freeze({ prompt: text, source: `${name}:${line}` });
        if (duplicates.isNew(item)) items.push(item);
        if (items.length === config.max_items) break;
      }
    }
    duplicates.release();
    if (items.length === 0) {
      throw new WorkloadError(
        'LENS_WORKLOAD_EMPTY',
        `${file.name}: no prompt in the file (${config.split === 'line' ? 'every line is blank' : 'it is empty'}); write one prompt per line, or use split: file for one prompt`,
        { file: file.name, field: `${context.field}.path` },
      );
    }
    const order = itemOrder(config.order, items.length, config.seed);
    const split = config.split === 'line' ? 'one per line' : 'the whole file';
    return {
      description: `text: ${countOf(items.length, 'prompt')} from ${file.name} (${listNotes(config, duplicates.dropped, [split])})`,
      size: items.length,
      at(index) {
        checkIndex(index);
        return withOutputCaps(items[order(index)]!, config, index);
      },
    };
  },
};
