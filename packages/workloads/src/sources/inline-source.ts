// `{ type: inline, prompts: [...] }`: prompts written in the config itself.
import { listOf } from '@llm-lens/config-fields';
import { type ItemOrder, itemOrder } from '../item-order.js';
import type { LengthSpec } from '../length-spec.js';
import { inlinePromptSchema, itemOfRecord, type PromptRecordConfig } from '../prompt-record.js';
import { checkIndex } from '../prompt-set.js';
import {
  countOf,
  fixedOutputSetting,
  listNotes,
  orderSetting,
  outputTokensSetting,
  type PromptSourceType,
  seedSetting,
  sourceConfigSchema,
  typeSetting,
  withOutputCaps,
} from '../source-settings.js';

/** Prompts listed in the config: strings, or `{prompt | messages, max_tokens?, min_tokens?}`. */
export interface InlineSourceConfig {
  type: 'inline';
  prompts: (string | PromptRecordConfig)[];
  output_tokens?: LengthSpec;
  fixed_output: boolean;
  order: ItemOrder;
  seed: number;
}

const schema = sourceConfigSchema(
  {
    type: typeSetting('inline'),
    prompts: listOf(
      inlinePromptSchema,
      'a non-empty list of prompts (strings or {prompt | messages} objects)',
      true,
    ),
    output_tokens: outputTokensSetting(),
    fixed_output: fixedOutputSetting(),
    order: orderSetting(),
    seed: seedSetting(),
  },
  'an object {type: inline, prompts: [...]}',
);

export const inlineSource: PromptSourceType<InlineSourceConfig> = {
  type: 'inline',
  description: 'prompts written in the config: strings or {prompt | messages} objects',
  configSchema: schema,
  async load(config) {
    // Kept as written, repeats included: listing a prompt twice is a way to weight it.
    const items = config.prompts.map((prompt, position) =>
      itemOfRecord(typeof prompt === 'string' ? { prompt } : prompt, `inline#${position + 1}`),
    );
    const order = itemOrder(config.order, items.length, config.seed);
    return {
      description: `inline: ${countOf(items.length, 'prompt')} (${listNotes(config, 0)})`,
      size: items.length,
      at(index) {
        checkIndex(index);
        return withOutputCaps(items[order(index)]!, config, index);
      },
    };
  },
};
