// `{ type: jsonl, path }`: one JSON object per line, `{prompt}` or `{messages}` with
// optional `max_tokens` and `min_tokens`.
import { strictObject } from '@llm-lens/config-fields';
import { openDataFile, readLines } from '../data-file.js';
import { type ItemOrder, itemOrder } from '../item-order.js';
import type { LengthSpec } from '../length-spec.js';
import { fileRecordSchema, itemOfRecord, recordOf } from '../prompt-record.js';
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
import { parseJsonLine, throwRecordError } from '../zod-issues.js';

/** A JSON Lines file of prompt records. */
export interface JsonlSourceConfig {
  type: 'jsonl';
  path: string;
  max_items?: number;
  output_tokens?: LengthSpec;
  fixed_output: boolean;
  order: ItemOrder;
  seed: number;
}

const schema = strictObject(
  {
    type: typeSetting('jsonl'),
    path: pathSetting(),
    max_items: maxItemsSetting(),
    output_tokens: outputTokensSetting(),
    fixed_output: fixedOutputSetting(),
    order: orderSetting(),
    seed: seedSetting(),
  },
  'an object {type: jsonl, path}',
).transform((config): JsonlSourceConfig => {
  const out: JsonlSourceConfig = {
    type: 'jsonl',
    path: config.path,
    fixed_output: config.fixed_output,
    order: config.order,
    seed: config.seed,
  };
  if (config.max_items !== undefined) out.max_items = config.max_items;
  if (config.output_tokens !== undefined) out.output_tokens = config.output_tokens;
  return out;
});

const lineSchema = fileRecordSchema({});
const LINE_HINT =
  'each line must be one JSON object such as {"prompt": "...", "max_tokens": 128} or {"messages": [{"role": "user", "content": "..."}]}';

export const jsonlSource: PromptSourceType<JsonlSourceConfig> = {
  type: 'jsonl',
  description:
    'a JSON Lines file: {prompt} or {messages} per line, optional max_tokens, min_tokens',
  configSchema: schema,
  async load(config, context) {
    const file = await openDataFile(config.path, context.baseDir, `${context.field}.path`);
    const items: PromptItem[] = [];
    const duplicates = new DuplicateFilter();
    for await (const { text, line } of readLines(file)) {
      if (text.trim() === '') continue;
      const value = parseJsonLine(text, file.name, line, LINE_HINT);
      const parsed = lineSchema.safeParse(value);
      if (!parsed.success) throwRecordError(parsed.error, file.name, line, 'invalid prompt record');
      const record = recordOf(parsed.data);
      const item = itemOfRecord(record, `jsonl#${record.id ?? line}`);
      if (duplicates.isNew(item)) items.push(item);
      if (items.length === config.max_items) break;
    }
    duplicates.release();
    if (items.length === 0) {
      throw new WorkloadError(
        'LENS_WORKLOAD_EMPTY',
        `${file.name}: the file has no prompt record; ${LINE_HINT}`,
        {
          file: file.name,
          field: `${context.field}.path`,
        },
      );
    }
    const order = itemOrder(config.order, items.length, config.seed);
    return {
      description: `jsonl: ${countOf(items.length, 'prompt')} from ${file.name} (${listNotes(config, duplicates.dropped)})`,
      size: items.length,
      at(index) {
        checkIndex(index);
        return withOutputCaps(items[order(index)]!, config, index);
      },
    };
  },
};
